package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

// The forms of a poll's box (PollInfo.Box).
const (
	BoxSealed      = 2
	BoxHomomorphic = 3
)

// PollInfo is a poll with what the organizer's pages show beside its definition.
type PollInfo struct {
	ballot.Poll
	UnitName  string
	PublicKey []byte
	// Box is how the poll's ballots are kept: 2 sealed whole (polls opened before the
	// homomorphic box), 3 as ciphertexts that add up; 0 before the poll opens.
	Box int
	// PublicShares are the tellers' s_j·G, 32 bytes each in the tellers' order (box 3).
	PublicShares []byte
	CreatedAt    time.Time
	OpenedAt     *time.Time
	ClosedAt     *time.Time
	CountedAt    *time.Time
}

// PollSummary is a line of the poll list.
type PollSummary struct {
	ID        string       `db:"id" json:"id"`
	UnitID    string       `db:"unit_id" json:"unit_id"`
	UnitName  string       `db:"unit_name" json:"unit_name"`
	Title     string       `db:"title" json:"title"`
	State     ballot.State `db:"state" json:"state"`
	CreatedAt time.Time    `db:"created_at" json:"created_at"`
	Expected  int          `db:"expected" json:"expected"`
	Used      int          `db:"used" json:"used"`
	Rehearsal bool         `db:"rehearsal" json:"rehearsal"`
}

// definition is what the polls.definition column holds.
type definition struct {
	Forms        []ballot.Form `json:"forms"`
	Quorum       ballot.Ratio  `json:"quorum"`
	Tellers      []string      `json:"tellers,omitempty"`
	TellerQuorum int           `json:"teller_quorum,omitempty"`
	KeyHolder    string        `json:"key_holder,omitempty"`
	MinGroup     int           `json:"min_group,omitempty"`
}

type pollRow struct {
	ID         string       `db:"id"`
	UnitID     string       `db:"unit_id"`
	UnitName   string       `db:"unit_name"`
	Title      string       `db:"title"`
	State      ballot.State `db:"state"`
	Definition []byte       `db:"definition"`
	PublicKey  []byte       `db:"public_key"`
	Box        *int         `db:"box"`
	Shares     []byte       `db:"public_shares"`
	CreatedAt  time.Time    `db:"created_at"`
	OpenedAt   *time.Time   `db:"opened_at"`
	ClosedAt   *time.Time   `db:"closed_at"`
	CountedAt  *time.Time   `db:"counted_at"`
	Rehearsal  bool         `db:"rehearsal"`
	Previous   string       `db:"previous_round"`
	Year       int          `db:"year"`
	Contact    string       `db:"contact"`
	Lang       string       `db:"lang"`
}

var (
	qCreatePoll = query(`INSERT INTO polls (unit_id, title, definition, created_by, previous_round, year, contact, lang)
		VALUES ($1, $2, $3, NULLIF($4, '')::uuid, NULLIF($5, '')::uuid, $6, $7, COALESCE(NULLIF($8, ''), 'zh')) RETURNING id`)
	qSetContact  = query(`UPDATE polls SET contact = $2 WHERE id = $1`)
	qSetYear     = query(`UPDATE polls SET year = $2 WHERE id = $1`)
	qNextRounds  = query(`SELECT id, title FROM polls WHERE previous_round = $1 ORDER BY created_at`)
	qCreateGroup = query(`INSERT INTO voter_groups (poll_id, position, name, expected, weight_num, weight_den, unit, region)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`)
	qPoll = query(`SELECT p.id, p.unit_id, u.name AS unit_name, p.title, p.state, p.definition, p.public_key, p.box, p.public_shares,
		p.created_at, p.opened_at, p.closed_at, p.counted_at, p.rehearsal,
		COALESCE(p.previous_round::text, '') AS previous_round, p.year, p.contact, p.lang
		FROM polls p JOIN units u ON u.id = p.unit_id WHERE p.id = $1`)
	qGroups    = query(`SELECT id, name, expected, weight_num, weight_den, unit, region FROM voter_groups WHERE poll_id = $1 ORDER BY position`)
	qListPolls = query(`SELECT p.id, p.unit_id, u.name AS unit_name, p.title, p.state, p.created_at, p.rehearsal,
		(SELECT COALESCE(sum(expected), 0) FROM voter_groups g WHERE g.poll_id = p.id) AS expected,
		(SELECT count(*) FROM ballots b WHERE b.poll_id = p.id AND b.group_id IS NOT NULL)
			- (SELECT COALESCE(sum(paper_ballots), 0) FROM voter_groups g WHERE g.poll_id = p.id)
			+ (SELECT count(*) FROM tokens t WHERE t.poll_id = p.id AND t.state = 'paper') AS used
		FROM polls p JOIN units u ON u.id = p.unit_id
		WHERE ($1 = '' OR p.unit_id::text = $1) ORDER BY p.created_at DESC LIMIT 500`)
	qOpenPoll     = query(`UPDATE polls SET state = 'open', public_key = $2, box = $3, public_shares = $4, opened_at = now(), keeps_sums = $5 WHERE id = $1 AND state = 'draft'`)
	qInsertShare  = query(`INSERT INTO key_shares (poll_id, wrapped) VALUES ($1, $2)`)
	qLockPoll     = query(`SELECT state FROM polls WHERE id = $1 FOR UPDATE`)
	qClosePoll    = query(`UPDATE polls SET state = 'closed', closed_at = now(), closes = closes + 1 WHERE id = $1`)
	qDeleteDraft  = query(`DELETE FROM polls WHERE id = $1 AND state = 'draft'`)
	qPollStateNow = query(`SELECT state FROM polls WHERE id = $1`)
)

// CreatePoll saves a validated poll as a draft and fills in its id and its groups' ids.
func (s *Store) CreatePoll(ctx context.Context, p *ballot.Poll, createdBy string) error {
	if err := checkID(p.UnitID, "单位"); err != nil {
		return err
	}
	def, err := json.Marshal(definition{Forms: p.Forms, Quorum: p.Quorum, Tellers: p.Tellers, TellerQuorum: p.TellerQuorum, KeyHolder: p.KeyHolder, MinGroup: p.MinGroup})
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if p.Year == 0 {
			p.Year = ballot.AssessmentYear(p.Title, time.Now())
		}
		if err := tx.GetContext(ctx, &p.ID, qCreatePoll, p.UnitID, p.Title, string(def), createdBy, p.PreviousRound, p.Year, p.Contact, p.Lang); err != nil {
			return err
		}
		for i, g := range p.Groups {
			var num, den *int64
			if g.Weight != nil {
				num, den = &g.Weight.Num, &g.Weight.Den
			}
			if err := tx.GetContext(ctx, &p.Groups[i].ID, qCreateGroup, p.ID, i, g.Name, g.Expected, num, den, g.Unit, g.Region); err != nil {
				return err
			}
		}
		p.State = ballot.Draft
		return nil
	})
}

// SetPollYear changes the assessment year a poll's results are filed under.
func (s *Store) SetPollYear(ctx context.Context, id string, year int) error {
	if err := checkID(id, "投票活动"); err != nil {
		return err
	}
	if err := ballot.CheckYear(year); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, qSetYear, id, year)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
	}
	return nil
}

// SetPollContact changes whom the poll's voters are told to ask when a token is refused.
func (s *Store) SetPollContact(ctx context.Context, id, contact string) error {
	if err := checkID(id, "投票活动"); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, qSetContact, id, contact)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
	}
	return nil
}

// Poll loads a poll with its groups.
func (s *Store) Poll(ctx context.Context, id string) (*PollInfo, error) {
	if err := checkID(id, "投票活动"); err != nil {
		return nil, err
	}
	var r pollRow
	if err := s.db.GetContext(ctx, &r, qPoll, id); err != nil {
		return nil, notFound(err, "投票活动")
	}
	var d definition
	if err := json.Unmarshal(r.Definition, &d); err != nil {
		return nil, err
	}
	pi := &PollInfo{
		Poll: ballot.Poll{ID: r.ID, UnitID: r.UnitID, Title: r.Title, State: r.State, Forms: d.Forms, Quorum: d.Quorum, Rehearsal: r.Rehearsal, PreviousRound: r.Previous, Year: r.Year, Contact: r.Contact, Lang: r.Lang,
			Tellers: d.Tellers, TellerQuorum: d.TellerQuorum, KeyHolder: d.KeyHolder, MinGroup: d.MinGroup},
		UnitName: r.UnitName, PublicKey: r.PublicKey, PublicShares: r.Shares,
		CreatedAt: r.CreatedAt, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt, CountedAt: r.CountedAt,
	}
	if r.Box != nil {
		pi.Box = *r.Box
	}
	var groups []struct {
		ID        string `db:"id"`
		Name      string `db:"name"`
		Expected  int    `db:"expected"`
		WeightNum *int64 `db:"weight_num"`
		WeightDen *int64 `db:"weight_den"`
		Unit      string `db:"unit"`
		Region    string `db:"region"`
	}
	if err := s.db.SelectContext(ctx, &groups, qGroups, id); err != nil {
		return nil, err
	}
	for _, g := range groups {
		bg := ballot.Group{ID: g.ID, Name: g.Name, Expected: g.Expected, Unit: g.Unit, Region: g.Region}
		if g.WeightNum != nil && g.WeightDen != nil {
			w := ballot.R(*g.WeightNum, *g.WeightDen)
			bg.Weight = &w
		}
		pi.Groups = append(pi.Groups, bg)
	}
	return pi, nil
}

// ListPolls lists the polls of a unit, or of all units with unitID "".
func (s *Store) ListPolls(ctx context.Context, unitID string) ([]PollSummary, error) {
	var out []PollSummary
	err := s.db.SelectContext(ctx, &out, qListPolls, unitID)
	return out, err
}

// OpenPoll fixes the poll's public key, the form of its box and the tellers' public
// shares, keeps the wrapped private key as the server-held share (none when tellers hold
// the key), and starts voting.
func (s *Store) OpenPoll(ctx context.Context, id string, box int, public, publicShares, wrappedShare []byte) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The poll keeps its box's sums from its first ballot only when this server
		// writes them; a reopen leaves the flag as it was.
		res, err := tx.ExecContext(ctx, qOpenPoll, id, public, box, publicShares, s.sumsKey != nil)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ballot.Errorf(ballot.ECONFLICT, "只有尚未开始的投票活动可以开始投票")
		}
		if wrappedShare != nil {
			if _, err = tx.ExecContext(ctx, qInsertShare, id, wrappedShare); err != nil {
				return err
			}
		}
		return notify(ctx, tx, id)
	})
}

// ClosePoll ends voting. It waits for submissions in flight (they hold a key-share lock on
// the poll row), so no ballot enters the box after the poll is closed.
func (s *Store) ClosePoll(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var state ballot.State
		if err := tx.GetContext(ctx, &state, qLockPoll, id); err != nil {
			return notFound(err, "投票活动")
		}
		if state != ballot.Open {
			return ballot.Errorf(ballot.ECONFLICT, "投票活动当前为“%s”，只有投票中的活动可以结束投票", state.Label())
		}
		if _, err := tx.ExecContext(ctx, qClosePoll, id); err != nil {
			return err
		}
		if err := rewriteBox(ctx, tx, id); err != nil {
			return err
		}
		if err := s.foldSums(ctx, tx, id, true); err != nil {
			return err
		}
		return notify(ctx, tx, id)
	})
}

var qRewriteBox = query(`WITH old AS (DELETE FROM ballots WHERE poll_id = $1 RETURNING group_id, sealed, nullifier),
	spent AS (INSERT INTO spent (poll_id, nullifier)
		SELECT $1, nullifier FROM old WHERE nullifier IS NOT NULL ORDER BY gen_random_uuid() ON CONFLICT DO NOTHING)
	INSERT INTO ballots (poll_id, group_id, sealed)
	SELECT $1, group_id, sealed FROM old WHERE group_id IS NOT NULL ORDER BY gen_random_uuid()`)

// rewriteBox rewrites a poll's box in a random order, with new ids and without
// nullifiers, and drops its empty slots. While the poll was open, a ballot's row carried
// its token's nullifier and kept its id; after this nothing in the database, not even
// with the server's secrets and every printed slip, says which slip cast which ballot,
// and an earlier dump's ids match nothing. The nullifiers are kept apart until the count,
// shuffled and tied to no ballot, so that a poll opened again still refuses the tokens
// that voted. Tokens are not touched.
func rewriteBox(ctx context.Context, tx *sqlx.Tx, pollID string) error {
	_, err := tx.ExecContext(ctx, qRewriteBox, pollID)
	return err
}

// DeleteDraft removes a poll that has not opened.
func (s *Store) DeleteDraft(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, qDeleteDraft, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ECONFLICT, "只能删除尚未开始的投票活动")
	}
	return nil
}

// pollState reads a poll's state outside any lock, to explain a refusal.
func (s *Store) pollState(ctx context.Context, q sqlx.QueryerContext, id string) (ballot.State, error) {
	var st ballot.State
	err := sqlx.GetContext(ctx, q, &st, qPollStateNow, id)
	return st, notFound(err, "投票活动")
}

// PollLink names a poll.
type PollLink struct {
	ID    string `db:"id" json:"id"`
	Title string `db:"title" json:"title"`
}

// NextRounds lists the polls created as further rounds of a poll.
func (s *Store) NextRounds(ctx context.Context, pollID string) ([]PollLink, error) {
	var out []PollLink
	err := s.db.SelectContext(ctx, &out, qNextRounds, pollID)
	return out, err
}
