package store

import (
	"context"
	"database/sql"
	"iter"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

// The count reads the box in two passes, both in one REPEATABLE READ snapshot with the
// turnout and the kept sums (ballot.BoxPlan). The first reads per ballot only what the
// database works out of it: the hash of its marks cut or filled with zeros to their
// length (its receipt, the bundle's order, as qBoxOrder sorts), the hash of the whole
// ballot, its length and format byte; a chunk of rows at a time by id. The second reads
// the ballots whole, a chunk at a time in the plan's order.
var (
	qBoxPlan = query(`SELECT id, group_id,
			sha256(substring(sealed || decode(repeat('00', $3), 'hex') FROM 1 FOR $3)) AS receipt,
			sha256(sealed) AS whole, length(sealed) AS size,
			CASE WHEN length(sealed) > 0 THEN get_byte(sealed, 0) ELSE 0 END AS format
		FROM ballots WHERE poll_id = $1 AND group_id IS NOT NULL AND id > $2 ORDER BY id LIMIT $4`)
)

// countChunks are how many rows the first pass reads at once (about 200 bytes each as
// the driver carries them) and how many whole ballots the second (a ten-question survey's
// ballot is 17 KB, twice that as the driver's hex).
type countChunks struct{ rows, ballots int }

var defaultCountChunks = countChunks{rows: 10000, ballots: 128}

// SetCountChunks sets how many rows and whole ballots the count reads at once: a test
// makes them small to count a box of many chunks. Zero keeps the default.
func (s *Store) SetCountChunks(rows, ballots int) {
	if rows > 0 {
		s.countChunks.rows = rows
	}
	if ballots > 0 {
		s.countChunks.ballots = ballots
	}
}

func (s *Store) chunks() countChunks {
	c := defaultCountChunks
	if s.countChunks.rows > 0 {
		c.rows = s.countChunks.rows
	}
	if s.countChunks.ballots > 0 {
		c.ballots = s.countChunks.ballots
	}
	return c
}

// CountBox reads a closed poll for its count in one read-only snapshot: read apart, a
// paper ballot entered between the box and the kept sums would make the sums count one
// more ballot than the box, and the signed tally say a ballot may have been deleted.
// It makes the first pass's plan of the box (k is the poll's box key), then calls count
// with the turnout and kept sums, the plan (sorted), and the box's ballots in the plan's
// order, read whole a chunk at a time; count runs inside the snapshot. Before close it
// returns ESEALED.
func (s *Store) CountBox(ctx context.Context, pollID string, k *ballot.BoxKey, count func(in *CountInput, plan *ballot.BoxPlan, box iter.Seq2[ballot.SealedBallot, error]) error) error {
	if err := checkID(pollID, "投票活动"); err != nil {
		return err
	}
	chunks := s.chunks()
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var p struct {
		State     ballot.State `db:"state"`
		KeepsSums bool         `db:"keeps_sums"`
		Closes    int          `db:"closes"`
	}
	if err := tx.GetContext(ctx, &p, qCountPoll, pollID); err != nil {
		return notFound(err, "投票活动")
	}
	if p.State != ballot.Closed && p.State != ballot.Counted {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能开箱计票，也不能查看任何结果")
	}
	in := &CountInput{KeepsSums: p.KeepsSums, Closes: p.Closes}
	if in.Turnout, err = turnout(ctx, tx, pollID); err != nil {
		return err
	}
	if err := tx.SelectContext(ctx, &in.Sums, qSumsRows, pollID); err != nil {
		return err
	}
	var size int
	if err := tx.GetContext(ctx, &size, qBoxSize, pollID); err != nil {
		return err
	}
	plan := k.NewBoxPlan(size)
	if err := readPlan(ctx, tx, pollID, k.MarksSize(), chunks.rows, plan); err != nil {
		return err
	}
	plan.Sort()
	if err := count(in, plan, readInOrder(ctx, tx, pollID, plan, chunks.ballots)); err != nil {
		return err
	}
	return tx.Commit()
}

// readPlan is the first pass: the box's rows by id, a chunk at a time.
func readPlan(ctx context.Context, tx *sqlx.Tx, pollID string, marks, chunk int, plan *ballot.BoxPlan) error {
	var rows []struct {
		ID      string `db:"id"`
		Group   string `db:"group_id"`
		Receipt []byte `db:"receipt"`
		Whole   []byte `db:"whole"`
		Size    int    `db:"size"`
		Format  int    `db:"format"`
	}
	after := uuid.Nil.String()
	for {
		rows = rows[:0]
		if err := tx.SelectContext(ctx, &rows, qBoxPlan, pollID, after, marks, chunk); err != nil {
			return err
		}
		for _, r := range rows {
			id, err := uuid.Parse(r.ID)
			if err != nil || len(r.Receipt) != 32 || len(r.Whole) != 32 {
				return ballot.Errorf(ballot.EINTERNAL, "票箱中的一行无法读取")
			}
			row := ballot.BoxRow{ID: id, Group: r.Group, Size: r.Size, Format: byte(r.Format)}
			copy(row.Receipt[:], r.Receipt)
			copy(row.Whole[:], r.Whole)
			if err := plan.Add(row); err != nil {
				return err
			}
		}
		if len(rows) < chunk {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}

// readInOrder is the second pass: the plan's ballots whole, chunk ids at a time, in the
// plan's order.
func readInOrder(ctx context.Context, tx *sqlx.Tx, pollID string, plan *ballot.BoxPlan, chunk int) iter.Seq2[ballot.SealedBallot, error] {
	return func(yield func(ballot.SealedBallot, error) bool) {
		var rows []struct {
			ID     string `db:"id"`
			Group  string `db:"group_id"`
			Sealed []byte `db:"sealed"`
		}
		for from := 0; from < plan.Len(); from += chunk {
			ids := plan.IDs(from, min(from+chunk, plan.Len()))
			want := make([]string, len(ids))
			for i, id := range ids {
				want[i] = uuid.UUID(id).String()
			}
			rows = nil // the ballots of the chunk before are still being checked
			if err := tx.SelectContext(ctx, &rows, qBoxByID, pollID, pq.Array(want)); err != nil {
				yield(ballot.SealedBallot{}, err)
				return
			}
			byID := make(map[string]int, len(rows))
			for i, r := range rows {
				byID[r.ID] = i
			}
			for _, id := range want {
				i, ok := byID[id]
				if !ok {
					yield(ballot.SealedBallot{}, ballot.Errorf(ballot.EINTERNAL, "票箱在读取时变动"))
					return
				}
				if !yield(ballot.SealedBallot{Group: rows[i].Group, Sealed: rows[i].Sealed}, nil) {
					return
				}
			}
		}
	}
}
