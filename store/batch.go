package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"math/big"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

// CastItem is one submission in a batch.
type CastItem struct {
	TokenHash []byte // finds the token: its poll, group, state and run
	Nullifier []byte // marks the ballot as this token's while the poll is open
	PollID    string
	PollKey   []byte // the poll key it was sealed to: checked against the poll's current one
	GroupID   string
	Sealed    []byte
	// Opening is the sealed ballot's cells opened (memory only): the batch adds it into
	// its group's row of kept sums (box_sums).
	Opening *ballot.Opening
}

var (
	// The batch's nullifiers, on locks that live in memory only: two submissions of one
	// token (a voter who pressed twice, two instances) wait for each other here, the
	// second then finding the first's ballot. The keys are taken in one order, so two
	// batches never deadlock.
	qBatchLock = hotQuery(`SELECT count(pg_advisory_xact_lock(k)) FROM
		(SELECT ` + nullifierLockKey("n") + ` AS k FROM unnest($1::bytea[]) AS n ORDER BY 1 OFFSET 0) AS o`)
	// Each item's poll, locked against a close while the batch is written (each poll once,
	// not once per item); its token, read and never written; and whether the box (or,
	// after a close, the nullifiers kept for a reopening) already holds its nullifier.
	// Tokens are looked up one by one by their index (LATERAL … LIMIT 1): a join would let
	// the planner read the whole tokens table for a batch of a few ballots. The nullifiers
	// kept from a close are looked at only for a poll that has some (one reopened); whether
	// it has is asked in the order of their index, so that it is one probe of the index
	// and not a read of every poll's kept nullifiers.
	qBatchRead = hotQuery(`WITH x AS MATERIALIZED (SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) WITH ORDINALITY AS x(p, h, n, i)),
		p AS MATERIALIZED (SELECT id, state, rehearsal, public_key,
				(SELECT true FROM spent s WHERE s.poll_id = polls.id ORDER BY s.poll_id, s.nullifier LIMIT 1) IS NOT NULL AS reopened
			FROM polls WHERE id = ANY (ARRAY(SELECT DISTINCT x.p FROM x)) FOR KEY SHARE)
		SELECT x.i, p.state, p.rehearsal, p.public_key,
		t.poll_id AS token_poll, t.group_id AS token_group, t.state AS token_state, t.rehearsal AS token_rehearsal,
		CASE WHEN p.reopened THEN ` + votedSQL("x.p", "x.n") + ` ELSE ` + inBoxSQL("x.p", "x.n") + ` END AS voted
		FROM x JOIN p ON p.id = x.p
		LEFT JOIN LATERAL (SELECT t.poll_id, t.group_id, t.state, t.rehearsal FROM tokens t WHERE t.hash = x.h LIMIT 1) AS t ON true`)
	// The ballots into empty slots of their poll, taken from a random point of the id
	// order on, then from the start; every instance is told of the new turnout on commit.
	// A slot is found again by the address of the row locked (ctid, steady while the lock
	// is held) within its poll's partition: by its id the planner may instead read every
	// row of the poll for each slot. It does so when the partition's statistics predate
	// the poll, since a poll's slots are drawn when it opens and the partition (shared by
	// several polls) was last analyzed before: it then expects one row for the poll and
	// sees no gain in the id. A burst into such a partition read 40 times the buffers.
	qBatchFillFrom   = hotQuery(batchFill(">="))
	qBatchFillBefore = hotQuery(batchFill("<"))
)

func batchFill(from string) string {
	return `WITH slot AS (SELECT id, t, row_number() OVER (ORDER BY id) AS i FROM (` + emptySlotsSQL("id, ctid AS t", from) + `) AS s),
		x AS (SELECT g, substring($5::bytea FROM o FOR l) AS s, n, i
			FROM unnest($4::uuid[], $7::int[], $8::int[], $6::bytea[]) WITH ORDINALITY AS x(g, o, l, n, i)),
		f AS (UPDATE ballots b SET group_id = x.g, sealed = x.s, nullifier = x.n FROM slot JOIN x USING (i)
			WHERE b.ctid = slot.t AND b.poll_id = $1 AND b.id = slot.id RETURNING 1)
		SELECT (SELECT count(*) FROM f) AS filled, pg_notify('` + TurnoutChannel + `', $1::text) IS NULL AS notified`
}

// errNoSlots says a batch found fewer empty slots than ballots: slots are drawn, outside
// the batch's transaction, and the batch runs again.
var errNoSlots = errors.New("store: no empty slots")

// CastBatch puts a batch of submissions in the box in one transaction. It writes nothing
// to tokens: each ballot fills a random empty slot of its poll and carries its token's
// nullifier, which a second submission of the token finds. It returns one result per
// item: nil, or why that item was refused (a token used before or earlier in the same
// batch, voided, of another run, or a poll not open) without failing the others. If the
// transaction fails, every item fails with that error.
//
// Should two batches holding one token still both find it unused, the unique index on the
// nullifiers lets one commit and fails the other, which runs again and then finds the
// token used.
func (s *Store) CastBatch(ctx context.Context, items []CastItem) ([]error, error) {
	ahead := s.sumsAhead(items)
	var err error
	for range 4 {
		var errs []error
		var need map[string]int
		errs, need, err = s.castBatch(ctx, items, ahead)
		switch {
		case errors.Is(err, errNoSlots):
			if err := s.topUpBatchSlots(ctx, items, need); err != nil {
				return nil, err
			}
		case isUniqueViolation(err):
		default:
			return errs, err
		}
	}
	return nil, err
}

// topUpBatchSlots draws the empty slots each poll of a batch lacked, outside its
// transaction, so that the batch can run again.
func (s *Store) topUpBatchSlots(ctx context.Context, items []CastItem, need map[string]int) error {
	for poll, n := range need {
		if err := s.topUpSlots(ctx, poll, n, sealedSizeOf(items, poll)); err != nil {
			return err
		}
	}
	return nil
}

// sealedSizeOf is the length of the poll's sealed ballots, as its first item in the batch
// has it: every ballot of a poll seals to one length.
func sealedSizeOf(items []CastItem, pollID string) int {
	for _, it := range items {
		if it.PollID == pollID {
			return len(it.Sealed)
		}
	}
	return 0
}

// Cast is CastBatch for one submission, answering with its refusal if it has one.
func (s *Store) Cast(ctx context.Context, it CastItem) error {
	errs, err := s.CastBatch(ctx, []CastItem{it})
	if err != nil {
		return err
	}
	return errs[0]
}

// batchRow is what the batch reads of one item.
type batchRow struct {
	I              int          `db:"i"` // the item's place, from 1
	State          ballot.State `db:"state"`
	Rehearsal      bool         `db:"rehearsal"`
	PublicKey      []byte       `db:"public_key"`
	TokenPoll      *string      `db:"token_poll"` // nil: no such token
	TokenGroup     *string      `db:"token_group"`
	TokenState     *string      `db:"token_state"`
	TokenRehearsal *bool        `db:"token_rehearsal"`
	Voted          bool         `db:"voted"`
}

// castBatch is one try of the batch's transaction: lock the nullifiers, read each
// item's poll and token, refuse those that may not vote, put the others' ballots in empty
// slots and write their kept sums.
func (s *Store) castBatch(ctx context.Context, items []CastItem, ahead *batchRows) ([]error, map[string]int, error) {
	errs := make([]error, len(items))
	var need map[string]int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		clear(errs) // a transaction run again starts afresh
		if err := s.lockNullifiers(ctx, tx, items); err != nil {
			return err
		}
		read, err := s.readBatch(ctx, tx, items)
		if err != nil {
			return err
		}
		accepted := refuse(items, read, errs)
		if len(accepted) == 0 {
			return nil
		}
		if need, err = s.fillSlots(ctx, tx, items, accepted); err != nil {
			return err
		}
		return s.writeBatchSums(ctx, tx, items, accepted, ahead)
	})
	if err != nil {
		return nil, need, err
	}
	return errs, nil, nil
}

// lockNullifiers takes the batch's nullifier locks (qBatchLock), held to the end of the
// transaction.
func (s *Store) lockNullifiers(ctx context.Context, tx *sqlx.Tx, items []CastItem) error {
	ns := make([][]byte, len(items))
	for i, it := range items {
		ns[i] = it.Nullifier
	}
	var locked int
	return s.txGet(ctx, tx, &locked, qBatchLock, pq.ByteaArray(ns))
}

// readBatch reads each item's poll, locking it against a close, its token and whether
// its nullifier is taken (qBatchRead). The answer is in the items' order, nil for an item
// whose poll does not exist.
func (s *Store) readBatch(ctx context.Context, tx *sqlx.Tx, items []CastItem) ([]*batchRow, error) {
	ps, hs, ns := make([]string, len(items)), make([][]byte, len(items)), make([][]byte, len(items))
	for i, it := range items {
		ps[i], hs[i], ns[i] = it.PollID, it.TokenHash, it.Nullifier
	}
	var rows []batchRow
	if err := s.txSelect(ctx, tx, &rows, qBatchRead, pq.Array(ps), pq.ByteaArray(hs), pq.ByteaArray(ns)); err != nil {
		return nil, err
	}
	byItem := make([]*batchRow, len(items))
	for k := range rows {
		byItem[rows[k].I-1] = &rows[k]
	}
	return byItem, nil
}

// refuse says why each item that may not vote is refused, and returns the others: the
// first item of each token among those allowed.
func refuse(items []CastItem, read []*batchRow, errs []error) []int {
	first := map[string]int{}
	var accepted []int
	for i, it := range items {
		r := read[i]
		switch {
		case r == nil:
			errs[i] = ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
		case r.State.Votable() != nil:
			errs[i] = r.State.Votable()
		case it.PollKey != nil && !bytes.Equal(it.PollKey, r.PublicKey):
			// sealed to a key the poll no longer has (reopened after a rehearsal)
			errs[i] = ballot.Errorf(ballot.ERETRY, "投票活动已重新开始，请刷新页面后重新提交")
		case r.TokenPoll == nil:
			errs[i] = ballot.Errorf(ballot.ETOKENUNKNOWN, "投票凭证不存在，请核对凭证码")
		case *r.TokenPoll != it.PollID || *r.TokenGroup != it.GroupID:
			errs[i] = ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于此投票活动")
		case TokenRefusal(*r.TokenState) != nil:
			errs[i] = TokenRefusal(*r.TokenState)
		case r.Voted:
			errs[i] = TokenRefusal(TokenUsed)
		case *r.TokenRehearsal != r.Rehearsal:
			errs[i] = RehearsalRefusal(*r.TokenRehearsal)
		}
		if errs[i] != nil {
			continue
		}
		// A token twice in the batch: the second finds it used.
		if _, dup := first[string(it.Nullifier)]; dup {
			errs[i] = TokenRefusal(TokenUsed)
			continue
		}
		first[string(it.Nullifier)] = i
		accepted = append(accepted, i)
	}
	return accepted
}

// fillSlots writes the accepted ballots into random empty slots of their polls, in a
// random order. When a poll has too few, it returns errNoSlots with how many each poll
// lacks.
func (s *Store) fillSlots(ctx context.Context, tx *sqlx.Tx, items []CastItem, accepted []int) (map[string]int, error) {
	if err := shuffle(accepted); err != nil {
		return nil, err
	}
	byPoll := map[string][]int{}
	var polls []string
	for _, i := range accepted {
		p := items[i].PollID
		if byPoll[p] == nil {
			polls = append(polls, p)
		}
		byPoll[p] = append(byPoll[p], i)
	}
	need := map[string]int{}
	for _, poll := range polls {
		left, err := s.fillPollSlots(ctx, tx, poll, items, byPoll[poll])
		if err != nil {
			return nil, err
		}
		if left > 0 {
			need[poll] = left
		}
	}
	if len(need) > 0 {
		return need, errNoSlots
	}
	return nil, nil
}

// fillPollSlots writes one poll's ballots into its empty slots, from a random point of
// their id order on and then from the start, and returns how many found no slot.
func (s *Store) fillPollSlots(ctx context.Context, tx *sqlx.Tx, poll string, items []CastItem, is []int) (int, error) {
	start := uuid.New().String()
	for _, q := range []string{qBatchFillFrom, qBatchFillBefore} {
		// The ballots go as one bytea, cut by offsets and lengths in the statement: a
		// []byte parameter is sent in binary (store.Open's binary_parameters), where a
		// bytea[] would go as hex text, twice the size of tens of kilobytes a ballot.
		gs, ns := make([]string, len(is)), make([][]byte, len(is))
		offs, lens := make([]int64, len(is)), make([]int64, len(is))
		size := 0
		for _, i := range is {
			size += len(items[i].Sealed)
		}
		// Made at its full size once: grown by append, a batch of thirty-subject
		// ballots (5 MB) was copied over and over, a tenth of the submit's CPU.
		ss := make([]byte, 0, size)
		for k, i := range is {
			gs[k], ns[k] = items[i].GroupID, items[i].Nullifier
			offs[k], lens[k] = int64(len(ss)+1), int64(len(items[i].Sealed))
			ss = append(ss, items[i].Sealed...)
		}
		var r struct {
			Filled   int  `db:"filled"`
			Notified bool `db:"notified"`
		}
		if err := s.txGet(ctx, tx, &r, q, poll, start, len(is), pq.Array(gs), ss, pq.ByteaArray(ns), pq.Array(offs), pq.Array(lens)); err != nil {
			return 0, err
		}
		if is = is[r.Filled:]; len(is) == 0 {
			break
		}
	}
	return len(is), nil
}

// shuffle puts xs in a uniformly random order.
func shuffle[T any](xs []T) error {
	for k := len(xs) - 1; k > 0; k-- {
		r, err := rand.Int(rand.Reader, big.NewInt(int64(k+1)))
		if err != nil {
			return err
		}
		j := int(r.Int64())
		xs[k], xs[j] = xs[j], xs[k]
	}
	return nil
}
