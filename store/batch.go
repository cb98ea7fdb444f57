package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"math/big"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

// CastItem is one submission in a batch.
type CastItem struct {
	TokenHash []byte
	PollID    string
	PollKey   []byte // the poll key it was sealed to: checked against the poll's current one
	GroupID   string
	SealKeyID string
	Sealed    []byte
}

var (
	qBatchLockPolls = query(`SELECT id, state, rehearsal, public_key FROM polls WHERE id = ANY($1::uuid[]) FOR KEY SHARE`)
	// The tokens are locked in the order of their hashes: batches on two instances holding
	// the same tokens (a voter who pressed twice, a retry) then wait for each other instead
	// of deadlocking, which PostgreSQL would break only after a second.
	qBatchBurn = query(`WITH locked AS (
			SELECT t.hash FROM tokens t
			JOIN unnest($1::bytea[], $2::uuid[], $3::uuid[], $4::bool[]) AS x(h, p, g, r)
			  ON t.hash = x.h AND t.poll_id = x.p AND t.group_id = x.g AND t.rehearsal = x.r
			WHERE t.state = 'issued'
			ORDER BY t.hash
			FOR UPDATE OF t)
		UPDATE tokens t SET state = 'used' FROM locked WHERE t.hash = locked.hash
		RETURNING t.hash`)
	qBatchTokens = query(`SELECT hash, poll_id, group_id, state, rehearsal FROM tokens WHERE hash = ANY($1::bytea[])`)
	qBatchInsert = query(`INSERT INTO ballots (poll_id, group_id, seal_key_id, sealed)
		SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bytea[])`)
)

// CastBatch puts a batch of submissions in the box in one transaction (issue: batched,
// shuffled writes). Tokens are burned with one statement; the accepted ballots are inserted
// in a random order, so the table's physical order does not follow the order of voting.
// It returns one result per item: nil, or why that item was refused (a token used before
// or earlier in the same batch, voided, of another run, or a poll not open) without
// failing the others. If the transaction fails, every item fails with that error.
func (s *Store) CastBatch(ctx context.Context, items []CastItem) ([]error, error) {
	errs := make([]error, len(items))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		clear(errs) // a retried transaction starts afresh
		// The polls: locked against a close while the batch is written.
		var ids []string
		seenPoll := map[string]bool{}
		for _, it := range items {
			if !seenPoll[it.PollID] {
				seenPoll[it.PollID] = true
				ids = append(ids, it.PollID)
			}
		}
		var polls []struct {
			ID        string       `db:"id"`
			State     ballot.State `db:"state"`
			Rehearsal bool         `db:"rehearsal"`
			PublicKey []byte       `db:"public_key"`
		}
		if err := tx.SelectContext(ctx, &polls, qBatchLockPolls, pq.Array(ids)); err != nil {
			return err
		}
		rehearsal := map[string]bool{}
		refused := map[string]error{}
		pollKey := map[string][]byte{}
		for _, p := range polls {
			rehearsal[p.ID], pollKey[p.ID] = p.Rehearsal, p.PublicKey
			if err := p.State.Votable(); err != nil {
				refused[p.ID] = err
			}
		}
		// One burn for the batch; a token twice in the batch is burned once.
		var hs [][]byte
		var ps, gs []string
		var rs []bool
		first := map[string]int{}
		for i, it := range items {
			if _, known := rehearsal[it.PollID]; !known {
				errs[i] = ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
				continue
			}
			if err := refused[it.PollID]; err != nil {
				errs[i] = err
				continue
			}
			if it.PollKey != nil && !bytes.Equal(it.PollKey, pollKey[it.PollID]) {
				// sealed to a key the poll no longer has (reopened after a rehearsal)
				errs[i] = ballot.Errorf(ballot.ERETRY, "投票活动已重新开始，请刷新页面后重新提交")
				continue
			}
			if _, dup := first[string(it.TokenHash)]; dup {
				continue // settled below, after the first one's fate is known
			}
			first[string(it.TokenHash)] = i
			hs, ps, gs, rs = append(hs, it.TokenHash), append(ps, it.PollID), append(gs, it.GroupID), append(rs, rehearsal[it.PollID])
		}
		var burned [][]byte
		if len(hs) > 0 {
			if err := tx.SelectContext(ctx, &burned, qBatchBurn, pq.ByteaArray(hs), pq.Array(ps), pq.Array(gs), pq.Array(rs)); err != nil {
				return err
			}
		}
		ok := map[string]bool{}
		for _, h := range burned {
			ok[string(h)] = true
		}
		// Why the others were refused.
		var missing [][]byte
		for h, i := range first {
			if !ok[h] {
				missing = append(missing, items[i].TokenHash)
			}
		}
		if len(missing) > 0 {
			var rows []struct {
				Hash      []byte `db:"hash"`
				PollID    string `db:"poll_id"`
				GroupID   string `db:"group_id"`
				State     string `db:"state"`
				Rehearsal bool   `db:"rehearsal"`
			}
			if err := tx.SelectContext(ctx, &rows, qBatchTokens, pq.ByteaArray(missing)); err != nil {
				return err
			}
			why := map[string]error{}
			for _, r := range rows {
				i := first[string(r.Hash)]
				switch {
				case r.PollID != items[i].PollID || r.GroupID != items[i].GroupID:
					why[string(r.Hash)] = ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于此投票活动")
				case TokenRefusal(r.State) != nil:
					why[string(r.Hash)] = TokenRefusal(r.State)
				default:
					why[string(r.Hash)] = RehearsalRefusal(r.Rehearsal)
				}
			}
			for _, h := range missing {
				i := first[string(h)]
				if e, found := why[string(h)]; found {
					errs[i] = e
				} else {
					errs[i] = ballot.Errorf(ballot.ETOKENUNKNOWN, "投票凭证不存在，请核对凭证码")
				}
			}
		}
		// A token repeated in the batch: the repeat finds it used, or refused as the first was.
		for i, it := range items {
			j, seen := first[string(it.TokenHash)]
			if !seen || j == i || errs[i] != nil {
				continue
			}
			if ok[string(it.TokenHash)] {
				errs[i] = TokenRefusal(TokenUsed)
			} else {
				errs[i] = errs[j]
			}
		}
		// The accepted ballots, in a random order.
		var accepted []int
		for h, i := range first {
			if ok[h] {
				accepted = append(accepted, i)
			}
		}
		for k := len(accepted) - 1; k > 0; k-- {
			r, err := rand.Int(rand.Reader, big.NewInt(int64(k+1)))
			if err != nil {
				return err
			}
			j := int(r.Int64())
			accepted[k], accepted[j] = accepted[j], accepted[k]
		}
		if len(accepted) > 0 {
			var bp, bg, bk []string
			var bs [][]byte
			notified := map[string]bool{}
			for _, i := range accepted {
				it := items[i]
				bp, bg, bk, bs = append(bp, it.PollID), append(bg, it.GroupID), append(bk, it.SealKeyID), append(bs, it.Sealed)
			}
			if _, err := tx.ExecContext(ctx, qBatchInsert, pq.Array(bp), pq.Array(bg), pq.Array(bk), pq.ByteaArray(bs)); err != nil {
				return err
			}
			for _, i := range accepted {
				if p := items[i].PollID; !notified[p] {
					notified[p] = true
					if err := notify(ctx, tx, p); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}
