package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

// CountRound is the count of a tellers' poll between its start and its finish: what every
// teller's device decrypts (Points, 32 bytes each, bound to Context), the box's sums and
// digest as they were at the start, and the seats whose partial decryption is in.
type CountRound struct {
	PollID       string     `db:"poll_id"`
	Round        []byte     `db:"round"` // random, 16 bytes: a partial names the round it was checked in
	Seal         []byte     `db:"seal"`  // the server's MAC over the round (server.roundSeal)
	Quorum       int        `db:"quorum"`
	BoxDigest    []byte     `db:"box_digest"`
	Sums         []byte     `db:"sums"`
	Points       []byte     `db:"points"`
	Context      []byte     `db:"context"`
	PaperPending int        `db:"paper_pending"`
	StartedBy    *string    `db:"started_by"`
	StartedName  string     `db:"started_name"`
	StartedAt    time.Time  `db:"started_at"`
	FinishedAt   *time.Time `db:"finished_at"`
	Seats        []int      `db:"-"` // the seats whose partial is in, in order
}

// CountPartial is one teller's partial decryption as kept: D, 32 bytes a point, and the proof.
type CountPartial struct {
	Seat  int    `db:"seat"`
	D     []byte `db:"d"`
	Proof []byte `db:"proof"`
}

const countRoundCols = `poll_id, round, seal, quorum, box_digest, points, context, paper_pending, started_by, started_name, started_at, finished_at`

var (
	qCountRound       = query(`SELECT ` + countRoundCols + `, sums FROM count_rounds WHERE poll_id = $1`)
	qLockCountRound   = query(`SELECT ` + countRoundCols + `, sums FROM count_rounds WHERE poll_id = $1 FOR UPDATE`)
	qCountSeats       = query(`SELECT seat FROM count_partials WHERE poll_id = $1 ORDER BY seat`)
	qCountPartials    = query(`SELECT seat, d, proof FROM count_partials WHERE poll_id = $1 ORDER BY seat`)
	qLockCountCer     = query(`SELECT quorum FROM ceremonies WHERE poll_id = $1 FOR UPDATE`)
	qDeleteCountRound = query(`DELETE FROM count_rounds WHERE poll_id = $1`)
	qInsertCountRound = query(`INSERT INTO count_rounds (poll_id, round, seal, quorum, box_digest, sums, points, context, paper_pending, started_by, started_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`)
	qInsertPartial = query(`INSERT INTO count_partials (poll_id, seat, d, proof) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`)
	qFinishCount   = query(`UPDATE count_rounds SET finished_at = now() WHERE poll_id = $1`)
)

// CountRound reads a poll's count round and the seats whose partial is
// in; ENOTFOUND when the count was not started.
func (s *Store) CountRound(ctx context.Context, pollID string) (*CountRound, error) {
	return readCountRound(ctx, s.db, qCountRound, pollID)
}

func readCountRound(ctx context.Context, q sqlx.QueryerContext, query, pollID string) (*CountRound, error) {
	var r CountRound
	if err := sqlx.GetContext(ctx, q, &r, query, pollID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ballot.Errorf(ballot.ENOTFOUND, "组织者尚未开始开箱计票")
		}
		return nil, err
	}
	if err := sqlx.SelectContext(ctx, q, &r.Seats, qCountSeats, pollID); err != nil {
		return nil, err
	}
	return &r, nil
}

// StartCount keeps a count round. A round already kept for the same box since the poll's
// last close (closedAt) stays as it is, its partials with it, unless keep refuses it (its
// seal does not hold): starting twice is one start. A round of a box that changed since,
// or from before the poll was opened again, is replaced, and its partials dropped. It
// returns the round kept.
func (s *Store) StartCount(ctx context.Context, closedAt time.Time, r *CountRound, keep func(old *CountRound) bool) (*CountRound, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var quorum int
		if err := tx.GetContext(ctx, &quorum, qLockCountCer, r.PollID); err != nil {
			return notFound(err, "监票人密钥")
		}
		old, err := readCountRound(ctx, tx, qCountRound, r.PollID)
		if err == nil && string(old.BoxDigest) == string(r.BoxDigest) && (old.FinishedAt != nil || !old.StartedAt.Before(closedAt)) && keep(old) {
			return nil
		}
		if err != nil && ballot.ErrorCode(err) != ballot.ENOTFOUND {
			return err
		}
		if _, err := tx.ExecContext(ctx, qDeleteCountRound, r.PollID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, qInsertCountRound, r.PollID, r.Round, r.Seal, r.Quorum, r.BoxDigest, r.Sums, r.Points, r.Context, r.PaperPending, r.StartedBy, r.StartedName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.CountRound(ctx, r.PollID)
}

// CountFinish is what the finish of a count saves: the tally, as SaveTally takes it.
type CountFinish struct {
	Tally    *ballot.Tally
	Signed   *ballot.Signed
	Receipts iter.Seq[string]
}

// PostPartial keeps a seat's partial decryption (checked by the caller in the round named
// round) and, when the quorum's partials are in and the count is not finished, runs finish
// and saves its tally, all under the round's lock: two tellers posting at once finish the
// count once. A partial checked in a round that has since been replaced is refused
// (ECONFLICT), so it cannot land in the new one. A seat posting again changes nothing.
// Without a partial (p nil) it only tries the finish again, for a round that holds the
// quorum's partials but whose finish failed. It returns the round as it stands and the
// tally saved by this call, if any; an error from finish keeps the partial and saves
// nothing else.
func (s *Store) PostPartial(ctx context.Context, pollID string, round []byte, p *CountPartial, finish func(r *CountRound, partials []CountPartial) (*CountFinish, error)) (*CountRound, *CountFinish, error) {
	var done *CountFinish
	var finishErr error
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := readCountRound(ctx, tx, qLockCountRound, pollID)
		if err != nil {
			return err
		}
		if r.FinishedAt != nil {
			return nil
		}
		if string(r.Round) != string(round) {
			return ballot.Errorf(ballot.ECONFLICT, "开箱计票已由组织者重新开始，请重新开箱")
		}
		if p != nil {
			if _, err := tx.ExecContext(ctx, qInsertPartial, pollID, p.Seat, p.D, p.Proof); err != nil {
				return err
			}
		}
		var partials []CountPartial
		if err := tx.SelectContext(ctx, &partials, qCountPartials, pollID); err != nil {
			return err
		}
		if len(partials) < r.Quorum {
			return nil
		}
		// A finish that fails (the box changed) must not lose the partial just kept: the
		// transaction commits without the tally, and the error is returned after.
		f, err := finish(r, partials)
		if err != nil {
			finishErr = err
			return nil
		}
		by := ""
		if r.StartedBy != nil {
			by = *r.StartedBy
		}
		body, err := json.Marshal(f.Tally)
		if err != nil {
			return err
		}
		if err := saveTally(ctx, tx, f.Tally, jsonbSafe(body), by, f.Signed, f.Receipts); err != nil {
			if ballot.ErrorCode(err) != ballot.EINTERNAL {
				finishErr = err
				return nil
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, qFinishCount, pollID); err != nil {
			return err
		}
		done = f
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if finishErr != nil {
		return nil, nil, finishErr
	}
	r, err := s.CountRound(ctx, pollID)
	return r, done, err
}
