package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
	"minyi/records"
)

var (
	qAddCadre  = query(`INSERT INTO cadres (unit_id, name, gender, birth_year, post) VALUES ($1, $2, $3, $4, $5) RETURNING id`)
	qCadres    = query(`SELECT id, unit_id, name, gender, birth_year, post FROM cadres WHERE unit_id = $1 ORDER BY name, post`)
	qCadre     = query(`SELECT id, unit_id, name, gender, birth_year, post FROM cadres WHERE id = $1`)
	qFileEntry = query(`INSERT INTO record_entries (cadre_id, unit_id, poll_id, poll_title, poll_date, form_id, form_title, line, kind, name, post, summary, flags, filed_by, year, team)
		VALUES (NULLIF($1, '')::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULLIF($14, '')::uuid, $15, $16)
		ON CONFLICT (poll_id, form_id, line) WHERE corrects IS NULL DO NOTHING RETURNING id`)
	entryColumns = `id, COALESCE(cadre_id::text, '') AS cadre_id, unit_id, poll_id, poll_title, poll_date, form_id, form_title, line, kind, name, post, summary, flags, COALESCE(corrects::text, '') AS corrects, filed_at,
		CASE WHEN year = 0 THEN extract(year FROM poll_date AT TIME ZONE 'Asia/Shanghai')::int ELSE year END AS year, team FROM record_entries`
	qCadreEntries = query(`SELECT ` + entryColumns + ` WHERE cadre_id = $1 ORDER BY poll_date DESC, form_title`)
	qEntry        = query(`SELECT ` + entryColumns + ` WHERE id = $1`)
	qCorrect      = query(`INSERT INTO record_entries (cadre_id, unit_id, poll_id, poll_title, poll_date, form_id, form_title, line, kind, name, post, summary, flags, corrects, filed_by, year, team)
		SELECT $2, unit_id, poll_id, poll_title, poll_date, form_id, form_title, line, kind, name, post, summary, flags, id, NULLIF($3, '')::uuid, year, team
		FROM record_entries WHERE id = $1 RETURNING id`)
	qCorrected   = query(`SELECT EXISTS (SELECT 1 FROM record_entries WHERE corrects = $1)`)
	qUnitEntries = query(`SELECT ` + entryColumns + ` WHERE unit_id = $1
		AND (year = $2 OR year = 0 AND extract(year FROM poll_date AT TIME ZONE 'Asia/Shanghai') = $2)
		AND NOT EXISTS (SELECT 1 FROM record_entries x WHERE x.corrects = record_entries.id) ORDER BY poll_date DESC, name`)
	qPollEntries = query(`SELECT ` + entryColumns + ` WHERE poll_id = $1
		AND NOT EXISTS (SELECT 1 FROM record_entries x WHERE x.corrects = record_entries.id) ORDER BY form_id, line`)
)

// A name stored cleaned holds no whitespace but single spaces, so less its spaces it is
// its key (ballot.NameKey). The lock makes two additions to one register wait for each
// other, since no index holds the key.
var (
	qCadreLock = query(`SELECT pg_advisory_xact_lock(hashtext('minyi_cadres:' || $1::text))`)
	qCadreKey  = query(`SELECT count(*) FROM cadres WHERE unit_id = $1 AND post = $2 AND replace(name, ' ', '') = $3`)
)

// AddCadres adds register lines to a unit in one transaction: all or none.
func (s *Store) AddCadres(ctx context.Context, unitID string, cs []records.Cadre) error {
	if err := checkID(unitID, "单位"); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qCadreLock, unitID); err != nil {
			return err
		}
		for i := range cs {
			c := &cs[i]
			// One person is one line of the register however the name is spaced: a
			// "ZhangSan" stored before names kept their spaces is the "Zhang San" typed now.
			var same int
			if err := tx.GetContext(ctx, &same, qCadreKey, unitID, c.Post, ballot.NameKey(c.Name)); err != nil {
				return err
			}
			if same > 0 {
				return ballot.Errorf(ballot.ECONFLICT, "干部“%s（%s）”已在名册中", c.Name, c.Post)
			}
			if err := tx.GetContext(ctx, &c.ID, qAddCadre, unitID, c.Name, c.Gender, c.BirthYear, c.Post); err != nil {
				if isUniqueViolation(err) {
					return ballot.Errorf(ballot.ECONFLICT, "干部“%s（%s）”已在名册中", c.Name, c.Post)
				}
				if isForeignKeyViolation(err) {
					return ballot.Errorf(ballot.ENOTFOUND, "单位不存在")
				}
				return err
			}
			c.UnitID = unitID
		}
		return nil
	})
}

// Cadres lists a unit's register.
func (s *Store) Cadres(ctx context.Context, unitID string) ([]records.Cadre, error) {
	var out []records.Cadre
	err := s.db.SelectContext(ctx, &out, qCadres, unitID)
	return out, err
}

// Cadre finds a cadre.
func (s *Store) Cadre(ctx context.Context, id string) (records.Cadre, error) {
	var c records.Cadre
	if err := checkID(id, "干部"); err != nil {
		return c, err
	}
	err := s.db.GetContext(ctx, &c, qCadre, id)
	return c, notFound(err, "干部")
}

// FileEntries records entries; an entry already filed for the same line is left as it
// is, so filing twice changes nothing. Each new entry is queued, in the same transaction,
// for every active receiver (payload gives its body). It returns how many were new.
func (s *Store) FileEntries(ctx context.Context, es []records.Entry, by string, payload func(records.Entry) ([]byte, error)) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, e := range es {
			flags, err := json.Marshal(e.Flags)
			if err != nil {
				return err
			}
			var id string
			err = tx.GetContext(ctx, &id, qFileEntry, e.CadreID, e.UnitID, e.PollID, e.PollTitle, e.PollDate, e.FormID, e.FormTitle, e.Line, string(e.Kind), e.Name, e.Post, e.Summary, string(flags), by, e.Year, e.Team)
			if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
				continue // filed before
			}
			if err != nil {
				return err
			}
			added++
			if payload == nil {
				continue
			}
			e.ID = id
			body, err := payload(e)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, qEnqueue, id, body); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

type entryRow struct {
	ID        string    `db:"id"`
	CadreID   string    `db:"cadre_id"`
	UnitID    string    `db:"unit_id"`
	PollID    string    `db:"poll_id"`
	PollTitle string    `db:"poll_title"`
	PollDate  time.Time `db:"poll_date"`
	FormID    string    `db:"form_id"`
	FormTitle string    `db:"form_title"`
	Line      string    `db:"line"`
	Kind      string    `db:"kind"`
	Name      string    `db:"name"`
	Post      string    `db:"post"`
	Summary   string    `db:"summary"`
	Flags     []byte    `db:"flags"`
	Corrects  string    `db:"corrects"`
	FiledAt   time.Time `db:"filed_at"`
	Year      int       `db:"year"`
	Team      bool      `db:"team"`
}

func (s *Store) entries(ctx context.Context, q, id string) ([]records.Entry, error) {
	var rows []entryRow
	if err := s.db.SelectContext(ctx, &rows, q, id); err != nil {
		return nil, err
	}
	return toEntries(rows), nil
}

func toEntries(rows []entryRow) []records.Entry {
	out := make([]records.Entry, len(rows))
	for i, r := range rows {
		out[i] = records.Entry{ID: r.ID, CadreID: r.CadreID, UnitID: r.UnitID, PollID: r.PollID, PollTitle: r.PollTitle, PollDate: r.PollDate,
			FormID: r.FormID, FormTitle: r.FormTitle, Line: r.Line, Kind: ballot.Kind(r.Kind), Name: r.Name, Post: r.Post, Summary: r.Summary,
			Corrects: r.Corrects, FiledAt: r.FiledAt, Year: r.Year, Team: r.Team}
		json.Unmarshal(r.Flags, &out[i].Flags)
	}
	return out
}

// CadreEntries is a cadre's record, newest first.
func (s *Store) CadreEntries(ctx context.Context, cadreID string) ([]records.Entry, error) {
	return s.entries(ctx, qCadreEntries, cadreID)
}

// PollEntries are the current entries filed from a poll (a corrected entry replaced by
// its correction).
func (s *Store) PollEntries(ctx context.Context, pollID string) ([]records.Entry, error) {
	return s.entries(ctx, qPollEntries, pollID)
}

// Entry finds one entry.
func (s *Store) Entry(ctx context.Context, id string) (records.Entry, error) {
	if err := checkID(id, "记录"); err != nil {
		return records.Entry{}, err
	}
	es, err := s.entries(ctx, qEntry, id)
	if err != nil {
		return records.Entry{}, err
	}
	if len(es) == 0 {
		return records.Entry{}, ballot.Errorf(ballot.ENOTFOUND, "记录不存在")
	}
	return es[0], nil
}

// LinkEntry files a correction of an entry that names its cadre: a new entry citing the
// old one, which stays as it was. An entry already corrected is refused.
func (s *Store) LinkEntry(ctx context.Context, entryID, cadreID, by string, payload func(records.Entry) ([]byte, error)) (string, error) {
	if err := checkID(cadreID, "干部"); err != nil {
		return "", err
	}
	var id string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var done bool
		if err := tx.GetContext(ctx, &done, qCorrected, entryID); err != nil {
			return err
		}
		if done {
			return ballot.Errorf(ballot.ECONFLICT, "这条记录已更正过，请更正最新的记录")
		}
		if err := tx.GetContext(ctx, &id, qCorrect, entryID, cadreID, by); err != nil {
			return err
		}
		if payload == nil {
			return nil
		}
		var rows []entryRow
		if err := tx.SelectContext(ctx, &rows, qEntry, id); err != nil || len(rows) != 1 {
			return err
		}
		body, err := payload(toEntries(rows)[0])
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qEnqueue, id, body)
		return err
	})
	return id, err
}

// UnitEntries lists a unit's current entries of a year (corrected ones replaced by their
// corrections).
func (s *Store) UnitEntries(ctx context.Context, unitID string, year int) ([]records.Entry, error) {
	var rows []entryRow
	if err := s.db.SelectContext(ctx, &rows, qUnitEntries, unitID, year); err != nil {
		return nil, err
	}
	return toEntries(rows), nil
}
