package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

var (
	// A batch's rows, one per voter group, in one statement; the sums travel as one
	// bytea cut in the statement, as the ballots do.
	qSumsInsert = hotQuery(`INSERT INTO box_sums (id, poll_id, group_id, n, tags, sums, mac)
		SELECT x.id, $1, x.g, x.n, x.t, substring($5::bytea FROM x.o FOR x.l), x.m
		FROM unnest($2::uuid[], $3::uuid[], $4::int[], $6::bytea[], $7::int[], $8::int[], $9::bytea[]) AS x(id, g, n, t, o, l, m)`)
	qSumsRows       = query(`SELECT id, group_id, n, tags, sums, mac FROM box_sums WHERE poll_id = $1`)
	qSumsRowsLocked = query(`SELECT id, group_id, n, tags, sums, mac FROM box_sums WHERE poll_id = $1 AND group_id = ANY($2::uuid[]) FOR UPDATE`)
	qSumsGroups     = query(`SELECT DISTINCT group_id FROM box_sums WHERE poll_id = $1`)
	qSumsDelete     = query(`DELETE FROM box_sums WHERE poll_id = $1 AND id = ANY($2::uuid[])`)
	qWipeSums       = query(`DELETE FROM box_sums WHERE poll_id = $1`)
	qSumsBinding    = query(`SELECT public_key, closes FROM polls WHERE id = $1`)
	qCountPoll      = query(`SELECT state, keeps_sums, closes FROM polls WHERE id = $1`)
)

// SetSumsKey gives the store the key of the box's kept sums (ballot.SumsKey): from then
// on every batch that carries its ballots' openings writes their row, and a close folds
// them. Without it no row is written, and the count checks every ballot.
func (s *Store) SetSumsKey(key ballot.SumsKey) { s.sumsKey = key }

// SumsRows are the kept sums of a poll's box.
func (s *Store) SumsRows(ctx context.Context, pollID string) ([]ballot.SumsRow, error) {
	var out []ballot.SumsRow
	err := s.db.SelectContext(ctx, &out, qSumsRows, pollID)
	return out, err
}

// CountInput is what the count of a closed poll reads besides its box (CountBox): its
// turnout and the sums kept as its ballots were sealed, as of the box's moment.
type CountInput struct {
	Turnout []ballot.Turnout
	Sums    []ballot.SumsRow
	// KeepsSums says the poll was opened by a server that keeps sums: a poll opened
	// before has rows for part of its box only.
	KeepsSums bool
	// Closes is how many times the poll was closed: its rows must be folded at the last.
	Closes int
}

// batchGroup names the ballots of one row: a poll, a voter group and the poll key they were
// sealed to (a batch may hold a ballot sealed to a key the poll no longer has, which it
// refuses).
type batchGroup struct{ poll, group, key string }

func batchGroupOf(it *CastItem) batchGroup {
	return batchGroup{it.PollID, it.GroupID, string(it.Opening.Key())}
}

// batchRows are a batch's rows worked out before its transaction, for every item that
// carries an opening; items tells which items each row adds, to see whether the
// transaction accepted them all.
type batchRows struct {
	rows  map[batchGroup]ballot.SumsRow
	items map[batchGroup][]int
}

// sumsAhead works out the rows of a batch's items before its transaction, which then
// only works out again the rows of a group some of whose items it refused.
func (s *Store) sumsAhead(items []CastItem) *batchRows {
	if s.sumsKey == nil {
		return nil
	}
	b := &batchRows{rows: map[batchGroup]ballot.SumsRow{}, items: map[batchGroup][]int{}}
	for i, it := range items {
		if it.Opening != nil {
			k := batchGroupOf(&it)
			b.items[k] = append(b.items[k], i)
		}
	}
	for k, is := range b.items {
		// A row that cannot be made is left out, never the ballots: the count then
		// checks that group's ballots one by one.
		if r, err := s.sumsKey.BatchRow(openings(items, is)); err == nil {
			b.rows[k] = r
		}
	}
	return b
}

func openings(items []CastItem, is []int) []*ballot.Opening {
	ops := make([]*ballot.Opening, len(is))
	for j, i := range is {
		ops[j] = items[i].Opening
	}
	return ops
}

// writeBatchSums writes the rows of the accepted items, in the batch's transaction: one
// statement per poll.
func (s *Store) writeBatchSums(ctx context.Context, tx *sqlx.Tx, items []CastItem, accepted []int, ahead *batchRows) error {
	if ahead == nil {
		return nil
	}
	in := map[batchGroup][]int{}
	for _, i := range accepted {
		if it := &items[i]; it.Opening != nil {
			k := batchGroupOf(it)
			in[k] = append(in[k], i)
		}
	}
	byPoll := map[string][]ballot.SumsRow{}
	for k, is := range in {
		r, ok := ahead.rows[k]
		if len(is) != len(ahead.items[k]) {
			var err error
			r, err = s.sumsKey.BatchRow(openings(items, is))
			ok = err == nil
		}
		if !ok {
			continue
		}
		byPoll[k.poll] = append(byPoll[k.poll], r)
	}
	for poll, rows := range byPoll {
		if err := s.insertSums(ctx, tx, poll, rows); err != nil {
			return err
		}
	}
	return nil
}

// insertSums inserts rows of one poll in one statement.
func (s *Store) insertSums(ctx context.Context, tx *sqlx.Tx, pollID string, rows []ballot.SumsRow) error {
	ids, gs := make([]string, len(rows)), make([]string, len(rows))
	ns, offs, lens := make([]int64, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
	tags, macs := make([][]byte, len(rows)), make([][]byte, len(rows))
	var sums []byte
	for i, r := range rows {
		ids[i], gs[i], ns[i], tags[i], macs[i] = r.ID, r.Group, int64(r.N), r.Tags, r.MAC
		offs[i], lens[i] = int64(len(sums)+1), int64(len(r.Sums))
		sums = append(sums, r.Sums...)
	}
	args := []any{pollID, pq.Array(ids), pq.Array(gs), pq.Array(ns), sums, pq.ByteaArray(tags), pq.Array(offs), pq.Array(lens), pq.ByteaArray(macs)}
	if st := s.hot(qSumsInsert); st != nil {
		_, err := tx.StmtxContext(ctx, st).ExecContext(ctx, args...)
		return err
	}
	_, err := tx.ExecContext(ctx, qSumsInsert, args...)
	return err
}

// foldSums replaces the rows of the given voter groups of a poll (all its groups when
// none is given) by one row per group under a new id, in the caller's transaction: after
// a close no row says which batch a ballot came in, or, by its xmin, when. The folded
// row is bound to the poll's key and its current close: at a close (atClose) it takes
// the batch rows and the row folded at the close before, if the poll was opened again;
// after close (a paper ballot) the batch rows and the row of this close. Any other row
// is left as it is, for the count to find.
func (s *Store) foldSums(ctx context.Context, tx *sqlx.Tx, pollID string, atClose bool, groups ...string) error {
	if s.sumsKey == nil {
		return nil
	}
	if len(groups) == 0 {
		if err := tx.SelectContext(ctx, &groups, qSumsGroups, pollID); err != nil {
			return err
		}
	}
	if len(groups) == 0 {
		return nil
	}
	var bind struct {
		Public []byte `db:"public_key"`
		Closes int    `db:"closes"`
	}
	if err := tx.GetContext(ctx, &bind, qSumsBinding, pollID); err != nil {
		return err
	}
	from := bind.Closes
	if atClose {
		from--
	}
	var rows []ballot.SumsRow
	if err := tx.SelectContext(ctx, &rows, qSumsRowsLocked, pollID, pq.Array(groups)); err != nil {
		return err
	}
	var folded []ballot.SumsRow
	var replaced []string
	for _, g := range groups {
		f, ids, ok, err := s.sumsKey.Fold(pollID, bind.Public, g, rows, from, bind.Closes)
		if err != nil {
			return err
		}
		if ok {
			folded = append(folded, f)
			replaced = append(replaced, ids...)
		}
	}
	return s.replaceSums(ctx, tx, pollID, replaced, folded)
}

// replaceSums puts folded rows in place of the rows they replace, in the caller's
// transaction.
func (s *Store) replaceSums(ctx context.Context, tx *sqlx.Tx, pollID string, replaced []string, folded []ballot.SumsRow) error {
	if len(folded) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, qSumsDelete, pollID, pq.Array(replaced)); err != nil {
		return err
	}
	return s.insertSums(ctx, tx, pollID, folded)
}

// paperSums writes the row of a paper ballot that went into the box, and after close
// folds it into its group's row at once, bound to the same close: a row of one ballot
// would single it out. Two entries of one group do not fold side by side: the entry has
// already counted itself on the group's row (qPaperCount), which holds the second until
// the first commits.
func (s *Store) paperSums(ctx context.Context, tx *sqlx.Tx, e PaperEntry, state ballot.State) error {
	if s.sumsKey == nil || e.Opening == nil {
		return nil
	}
	r, err := s.sumsKey.BatchRow([]*ballot.Opening{e.Opening})
	if err != nil {
		return nil // no row, never no ballot: the count checks the group one by one
	}
	if err := s.insertSums(ctx, tx, e.PollID, []ballot.SumsRow{r}); err != nil {
		return err
	}
	if state == ballot.Closed {
		return s.foldSums(ctx, tx, e.PollID, false, e.GroupID)
	}
	return nil
}

var (
	// The poll, only while it is open and no close holds it: a close takes the row FOR
	// UPDATE, which a key-share lock waits for and SKIP LOCKED passes by. Batches take the
	// same key-share lock, so a fold never makes a voter wait.
	qFoldPoll = query(`SELECT public_key FROM polls WHERE id = $1 AND state = 'open' FOR KEY SHARE SKIP LOCKED`)
	// The groups with more rows than the fold leaves be.
	qFoldGroups = query(`SELECT group_id FROM box_sums WHERE poll_id = $1 GROUP BY group_id HAVING count(*) > $2`)
	// Up to $3 rows of one group that no other fold has locked.
	qFoldRows = query(`SELECT id, group_id, n, tags, sums, mac FROM box_sums WHERE poll_id = $1 AND group_id = $2
		LIMIT $3 FOR UPDATE SKIP LOCKED`)
)

// foldLocked, when set (by tests only), is called once FoldOpenSums holds the poll and
// the rows it folds, before it changes them: a close can then be made to come at that
// moment.
var foldLocked func()

// FoldOpenSums folds, while a poll is open, the batch rows of each voter group that has
// more than keep rows into one batch row under a new id, at most `most` rows of a group
// at a time: in a quiet hall each batch holds one ballot, and a close that decoded
// thousands of rows of one ballot would take longer than its budget. The folded row is a
// batch row (close 0) like the ones it replaces, so the close and the count take it as
// any other. A row whose MAC does not hold as a batch row (altered, of another key, or
// folded at an earlier close of a poll opened again) is left as it is, for the close or
// the count to find.
//
// It works in one short transaction and waits for nobody: a poll that is not open, or
// that a close holds, is passed by; rows another fold has locked are skipped. A close
// that comes while it works waits for it on the poll row, then folds what it left. It
// returns how many rows it replaced.
func (s *Store) FoldOpenSums(ctx context.Context, pollID string, keep, most int) (int, error) {
	if s.sumsKey == nil {
		return 0, nil
	}
	var folded int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		folded = 0
		var public []byte
		if err := tx.GetContext(ctx, &public, qFoldPoll, pollID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			return err
		}
		var groups []string
		if err := tx.SelectContext(ctx, &groups, qFoldGroups, pollID, keep); err != nil {
			return err
		}
		var rows []ballot.SumsRow
		var replaced []string
		for _, g := range groups {
			var rs []ballot.SumsRow
			if err := tx.SelectContext(ctx, &rs, qFoldRows, pollID, g, most); err != nil {
				return err
			}
			f, ids, ok, err := s.sumsKey.Fold(pollID, public, g, rs, 0, 0)
			if err != nil {
				return err
			}
			if ok && len(ids) > 1 {
				rows = append(rows, f)
				replaced = append(replaced, ids...)
			}
		}
		if len(rows) == 0 {
			return nil
		}
		if foldLocked != nil {
			foldLocked()
		}
		folded = len(replaced)
		return s.replaceSums(ctx, tx, pollID, replaced, rows)
	})
	return folded, err
}
