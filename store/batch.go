package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"math/big"
	"slices"

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
}

var (
	qBatchLockPolls = query(`SELECT id, state, rehearsal, public_key FROM polls WHERE id = ANY($1::uuid[]) FOR KEY SHARE`)
	// Two submissions of one token (a voter who pressed twice, two instances) wait for each
	// other here, on a lock that lives in memory only; the keys are taken in one order, so
	// two batches never deadlock.
	qBatchLockNullifiers = query(`SELECT count(pg_advisory_xact_lock(k)) FROM
		(SELECT hashtextextended(encode(n, 'hex'), 0) AS k FROM unnest($1::bytea[]) AS n ORDER BY 1 OFFSET 0) AS s`)
	qBatchTokens = query(`SELECT hash, poll_id, group_id, state, rehearsal FROM tokens WHERE hash = ANY($1::bytea[])`)
	qBatchVoted  = query(`SELECT nullifier FROM ballots WHERE poll_id = ANY($1::uuid[]) AND nullifier = ANY($2::bytea[])
		UNION ALL SELECT nullifier FROM spent WHERE poll_id = ANY($1::uuid[]) AND nullifier = ANY($2::bytea[])`)
	// Empty slots from a random point of the id order on (then from the start): ids are
	// random and unrelated to where a slot lies in the table.
	qSlotsFrom   = query(`SELECT id FROM ballots WHERE poll_id = $1 AND group_id IS NULL AND id >= $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`)
	qSlotsBefore = query(`SELECT id FROM ballots WHERE poll_id = $1 AND group_id IS NULL AND id < $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`)
	qBatchFill   = query(`UPDATE ballots b SET group_id = x.g, sealed = x.s, nullifier = x.n
		FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::bytea[]) AS x(id, g, s, n) WHERE b.id = x.id`)
)

// errNoSlots says a batch found fewer empty slots than ballots: slots are drawn, outside
// the batch's transaction, and the batch runs again.
var errNoSlots = errors.New("store: no empty slots")

// CastBatch puts a batch of submissions in the box in one transaction. It writes nothing
// to tokens: each ballot fills a random empty slot of its poll and carries its token's
// nullifier, which a second submission of the token finds. It returns one result per
// item: nil, or why that item was refused (a token used before or earlier in the same
// batch, voided, of another run, or a poll not open) without failing the others. If the
// transaction fails, every item fails with that error.
func (s *Store) CastBatch(ctx context.Context, items []CastItem) ([]error, error) {
	for range 3 {
		errs, need, err := s.castBatch(ctx, items)
		if !errors.Is(err, errNoSlots) {
			return errs, err
		}
		for poll, n := range need {
			if err := s.topUpSlots(ctx, poll, n, len(items[0].Sealed)); err != nil {
				return nil, err
			}
		}
	}
	return nil, errNoSlots
}

// Cast is CastBatch for one submission, answering with its refusal if it has one.
func (s *Store) Cast(ctx context.Context, it CastItem) error {
	errs, err := s.CastBatch(ctx, []CastItem{it})
	if err != nil {
		return err
	}
	return errs[0]
}

type batchPoll struct {
	ID        string       `db:"id"`
	State     ballot.State `db:"state"`
	Rehearsal bool         `db:"rehearsal"`
	PublicKey []byte       `db:"public_key"`
}

type batchToken struct {
	Hash      []byte `db:"hash"`
	PollID    string `db:"poll_id"`
	GroupID   string `db:"group_id"`
	State     string `db:"state"`
	Rehearsal bool   `db:"rehearsal"`
}

func (s *Store) castBatch(ctx context.Context, items []CastItem) ([]error, map[string]int, error) {
	errs := make([]error, len(items))
	var need map[string]int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		polls, err := lockBatchPolls(ctx, tx, items)
		if err != nil {
			return err
		}
		first := refuseByPoll(items, polls, errs)
		if len(first) == 0 {
			return nil
		}
		if err := refuseByToken(ctx, tx, items, polls, first, errs); err != nil {
			return err
		}
		// A token repeated in the batch: the repeat finds it used, or refused as the first was.
		for i, it := range items {
			j, seen := first[string(it.Nullifier)]
			if !seen || j == i || errs[i] != nil {
				continue
			}
			if errs[j] == nil {
				errs[i] = TokenRefusal(TokenUsed)
			} else {
				errs[i] = errs[j]
			}
		}
		var accepted []int
		for _, i := range first {
			if errs[i] == nil {
				accepted = append(accepted, i)
			}
		}
		if len(accepted) == 0 {
			return nil
		}
		need, err = fillSlots(ctx, tx, items, accepted)
		if err != nil {
			return err
		}
		notified := map[string]bool{}
		for _, i := range accepted {
			if p := items[i].PollID; !notified[p] {
				notified[p] = true
				if err := notify(ctx, tx, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, need, err
	}
	return errs, nil, nil
}

// lockBatchPolls locks the batch's polls against a close while the batch is written.
func lockBatchPolls(ctx context.Context, tx *sqlx.Tx, items []CastItem) (map[string]batchPoll, error) {
	var ids []string
	for _, it := range items {
		if !slices.Contains(ids, it.PollID) {
			ids = append(ids, it.PollID)
		}
	}
	var rows []batchPoll
	if err := tx.SelectContext(ctx, &rows, qBatchLockPolls, pq.Array(ids)); err != nil {
		return nil, err
	}
	out := make(map[string]batchPoll, len(rows))
	for _, p := range rows {
		out[p.ID] = p
	}
	return out, nil
}

// refuseByPoll refuses the items of polls that are missing, not open, or hold another
// key, and returns the first item of each nullifier among the rest.
func refuseByPoll(items []CastItem, polls map[string]batchPoll, errs []error) map[string]int {
	first := map[string]int{}
	for i, it := range items {
		p, known := polls[it.PollID]
		switch {
		case !known:
			errs[i] = ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
		case p.State.Votable() != nil:
			errs[i] = p.State.Votable()
		case it.PollKey != nil && !bytes.Equal(it.PollKey, p.PublicKey):
			// sealed to a key the poll no longer has (reopened after a rehearsal)
			errs[i] = ballot.Errorf(ballot.ERETRY, "投票活动已重新开始，请刷新页面后重新提交")
		}
		if errs[i] != nil {
			continue
		}
		if _, dup := first[string(it.Nullifier)]; !dup {
			first[string(it.Nullifier)] = i
		}
	}
	return first
}

// refuseByToken reads, never writes, the tokens of the batch and the nullifiers already in
// the box, and refuses what may not vote: a token unknown, of another poll or group,
// voided, turned to paper, of the other run, used before the box kept nullifiers, or
// whose nullifier is in the box.
func refuseByToken(ctx context.Context, tx *sqlx.Tx, items []CastItem, polls map[string]batchPoll, first map[string]int, errs []error) error {
	var ns, hs [][]byte
	var ps []string
	for _, i := range first {
		ns, hs = append(ns, items[i].Nullifier), append(hs, items[i].TokenHash)
		if !slices.Contains(ps, items[i].PollID) {
			ps = append(ps, items[i].PollID)
		}
	}
	var locked int
	if err := tx.GetContext(ctx, &locked, qBatchLockNullifiers, pq.ByteaArray(ns)); err != nil {
		return err
	}
	var tokens []batchToken
	if err := tx.SelectContext(ctx, &tokens, qBatchTokens, pq.ByteaArray(hs)); err != nil {
		return err
	}
	byHash := make(map[string]batchToken, len(tokens))
	for _, t := range tokens {
		byHash[string(t.Hash)] = t
	}
	var voted [][]byte
	if err := tx.SelectContext(ctx, &voted, qBatchVoted, pq.Array(ps), pq.ByteaArray(ns)); err != nil {
		return err
	}
	for _, i := range first {
		it := items[i]
		t, found := byHash[string(it.TokenHash)]
		switch {
		case !found:
			errs[i] = ballot.Errorf(ballot.ETOKENUNKNOWN, "投票凭证不存在，请核对凭证码")
		case t.PollID != it.PollID || t.GroupID != it.GroupID:
			errs[i] = ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于此投票活动")
		case TokenRefusal(t.State) != nil:
			errs[i] = TokenRefusal(t.State)
		case t.Rehearsal != polls[it.PollID].Rehearsal:
			errs[i] = RehearsalRefusal(t.Rehearsal)
		}
	}
	for _, n := range voted {
		if i, ok := first[string(n)]; ok && errs[i] == nil {
			errs[i] = TokenRefusal(TokenUsed)
		}
	}
	return nil
}

// fillSlots writes the accepted ballots into random empty slots of their polls. When a
// poll has too few, it returns errNoSlots with how many each poll lacks.
func fillSlots(ctx context.Context, tx *sqlx.Tx, items []CastItem, accepted []int) (map[string]int, error) {
	byPoll := map[string][]int{}
	for _, i := range accepted {
		byPoll[items[i].PollID] = append(byPoll[items[i].PollID], i)
	}
	var ids, gs []string
	var ss, ns [][]byte
	need := map[string]int{}
	for poll, is := range byPoll {
		slots, err := emptySlots(ctx, tx, poll, len(is))
		if err != nil {
			return nil, err
		}
		if len(slots) < len(is) {
			need[poll] = len(is) - len(slots)
			continue
		}
		if err := shuffle(slots); err != nil {
			return nil, err
		}
		for k, i := range is {
			ids, gs, ss, ns = append(ids, slots[k]), append(gs, items[i].GroupID), append(ss, items[i].Sealed), append(ns, items[i].Nullifier)
		}
	}
	if len(need) > 0 {
		return need, errNoSlots
	}
	_, err := tx.ExecContext(ctx, qBatchFill, pq.Array(ids), pq.Array(gs), pq.ByteaArray(ss), pq.ByteaArray(ns))
	return nil, err
}

// emptySlots locks up to n empty slots of the poll, from a random point of the id order
// on, then from the start; slots other transactions hold are passed over.
func emptySlots(ctx context.Context, tx *sqlx.Tx, pollID string, n int) ([]string, error) {
	start := uuid.New().String()
	var slots []string
	if err := tx.SelectContext(ctx, &slots, qSlotsFrom, pollID, start, n); err != nil {
		return nil, err
	}
	if len(slots) < n {
		var more []string
		if err := tx.SelectContext(ctx, &more, qSlotsBefore, pollID, start, n-len(slots)); err != nil {
			return nil, err
		}
		slots = append(slots, more...)
	}
	return slots, nil
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
