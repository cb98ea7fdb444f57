package store

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

var (
	qBox = query(`SELECT b.group_id, b.sealed FROM ballots b JOIN polls p ON p.id = b.poll_id
		WHERE b.poll_id = $1 AND b.group_id IS NOT NULL AND p.state IN ('closed', 'counted')`)
	qClearSpent = query(`DELETE FROM spent WHERE poll_id = $1`)
	qBoxSize    = query(`SELECT count(*) FROM ballots WHERE poll_id = $1 AND group_id IS NOT NULL`)
	qShare      = query(`SELECT s.wrapped FROM key_shares s JOIN polls p ON p.id = s.poll_id
		WHERE s.poll_id = $1 AND p.state IN ('closed', 'counted')`)
	qHasPaper    = query(`SELECT EXISTS (SELECT 1 FROM tokens WHERE poll_id = $1 AND state = 'paper')`)
	qSaveTally   = query(`UPDATE polls SET state = 'counted', counted_at = now() WHERE id = $1 AND state IN ('closed', 'counted')`)
	qUpsertTally = query(`INSERT INTO tallies (poll_id, result, counted_by, bundle, signature, public_key) VALUES ($1, $2, NULLIF($3, '')::uuid, $4, $5, $6)
		ON CONFLICT (poll_id) DO UPDATE SET result = EXCLUDED.result, counted_by = EXCLUDED.counted_by, counted_at = now(),
		bundle = EXCLUDED.bundle, signature = EXCLUDED.signature, public_key = EXCLUDED.public_key`)
	qClearReceipts = query(`DELETE FROM receipts WHERE poll_id = $1`)
	qAddReceipts   = query(`INSERT INTO receipts (code, poll_id) SELECT c, $2 FROM unnest($1::text[]) AS c ON CONFLICT DO NOTHING`)
	qBundle        = query(`SELECT t.bundle, t.signature, t.public_key FROM tallies t JOIN polls p ON p.id = t.poll_id
		WHERE t.poll_id = $1 AND p.state = 'counted' AND t.bundle IS NOT NULL`)
	qReceipt = query(`SELECT p.id, p.title FROM receipts r JOIN polls p ON p.id = r.poll_id WHERE r.code = $1 AND p.state = 'counted'`)
	qTally   = query(`SELECT t.result, t.counted_at FROM tallies t JOIN polls p ON p.id = t.poll_id
		WHERE t.poll_id = $1 AND p.state = 'counted'`)
)

// TokenRefusal is the coded error for a token in the given state.
func TokenRefusal(state string) error {
	switch state {
	case TokenUsed:
		return ballot.Errorf(ballot.ETOKENUSED, "该凭证已投票，您的选票已计入，无需再次提交")
	case TokenVoid:
		return ballot.Errorf(ballot.ETOKENVOID, "该凭证已作废，请向会务人员领取新凭证")
	case TokenPaper:
		return ballot.Errorf(ballot.ETOKENUSED, "该凭证已改为纸质投票，请在纸质选票上投票")
	}
	return nil
}

// RehearsalRefusal explains why a token cannot vote in the poll's present run: a test
// token outside the rehearsal, or a real one inside it.
func RehearsalRefusal(testToken bool) error {
	if testToken {
		return ballot.Errorf(ballot.ETOKENVOID, "这是模拟测评用的测试凭证，不能用于正式投票")
	}
	return ballot.Errorf(ballot.ENOTOPEN, "正在进行模拟测评，正式凭证请在正式投票开始后使用")
}

// Box returns the sealed ballots of a closed poll. Before close it returns ESEALED.
func (s *Store) Box(ctx context.Context, pollID string) ([]ballot.SealedBallot, error) {
	if err := s.requireClosed(ctx, pollID); err != nil {
		return nil, err
	}
	var out []ballot.SealedBallot
	err := s.db.SelectContext(ctx, &out, qBox, pollID)
	return out, err
}

// Share returns the server-held wrapped private key of a closed poll. Before close it
// returns ESEALED: the key that opens the box is not released while voting goes on.
func (s *Store) Share(ctx context.Context, pollID string) ([]byte, error) {
	if err := s.requireClosed(ctx, pollID); err != nil {
		return nil, err
	}
	var w []byte
	err := s.db.GetContext(ctx, &w, qShare, pollID)
	return w, notFound(err, "密钥份额")
}

func (s *Store) requireClosed(ctx context.Context, pollID string) error {
	if err := checkID(pollID, "投票活动"); err != nil {
		return err
	}
	st, err := s.pollState(ctx, s.db, pollID)
	if err != nil {
		return err
	}
	if st != ballot.Closed && st != ballot.Counted {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能开箱计票，也不能查看任何结果")
	}
	return nil
}

// orNone is a list of no codes in place of none given.
func orNone(codes iter.Seq[string]) iter.Seq[string] {
	if codes == nil {
		return func(func(string) bool) {}
	}
	return codes
}

// receiptChunk is how many receipt codes one statement of SaveTally stores.
const receiptChunk = 10000

// SaveTally stores the count of a closed poll with its signed bundle and receipt codes,
// and marks it counted.
func (s *Store) SaveTally(ctx context.Context, t *ballot.Tally, countedBy string, signed *ballot.Signed, receipts iter.Seq[string]) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	body = jsonbSafe(body)
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return saveTally(ctx, tx, t, body, countedBy, signed, receipts) })
}

// saveTally is SaveTally in a transaction of the caller's.
func saveTally(ctx context.Context, tx *sqlx.Tx, t *ballot.Tally, body []byte, countedBy string, signed *ballot.Signed, receipts iter.Seq[string]) error {
	// The box counted must be the box kept: a paper ballot entered while the count
	// ran (its entry holds the poll's row until it commits, so this waits for it)
	// would be in the box and not in the tally.
	var state ballot.State
	if err := tx.GetContext(ctx, &state, qLockPoll, t.PollID); err != nil {
		return notFound(err, "投票活动")
	}
	if state != ballot.Closed && state != ballot.Counted {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能计票")
	}
	var inBox int
	if err := tx.GetContext(ctx, &inBox, qBoxSize, t.PollID); err != nil {
		return err
	}
	if inBox != t.Ballots {
		return ballot.Errorf(ballot.ERETRY, "开箱计票期间票箱有变动（票箱现有 %d 张选票，本次计入 %d 张），结果未保存，请重新开箱计票", inBox, t.Ballots)
	}
	res, err := tx.ExecContext(ctx, qSaveTally, t.PollID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能计票")
	}
	// Paper ballots entered after close went into the box after the phone votes
	// were shuffled: mix them in, so that no position marks a ballot as paper.
	var paper bool
	if err := tx.GetContext(ctx, &paper, qHasPaper, t.PollID); err != nil {
		return err
	}
	if paper {
		if err := rewriteBox(ctx, tx, t.PollID); err != nil {
			return err
		}
	}
	// Counted, the poll never opens again: which tokens voted is no longer needed.
	if _, err = tx.ExecContext(ctx, qClearSpent, t.PollID); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, qUpsertTally, t.PollID, string(body), countedBy, signed.Bundle, signed.Signature, signed.PublicKey); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, qClearReceipts, t.PollID); err != nil {
		return err
	}
	// A chunk of codes a statement: a million receipts are never one array in memory.
	chunk := make([]string, 0, receiptChunk)
	for code := range orNone(receipts) {
		if chunk = append(chunk, code); len(chunk) == receiptChunk {
			if _, err = tx.ExecContext(ctx, qAddReceipts, pq.Array(chunk), t.PollID); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if len(chunk) > 0 {
		if _, err = tx.ExecContext(ctx, qAddReceipts, pq.Array(chunk), t.PollID); err != nil {
			return err
		}
	}
	return notify(ctx, tx, t.PollID)
}

// jsonbSafe makes a JSON document one that jsonb takes: jsonb refuses the escape \u0000
// (and would quote the refused document, free answers included, in the server's log),
// so a NUL that got into a tally is stored as U+FFFD instead. Text is cleaned before it
// is sealed; this is the last line, for what was sealed before. encoding/json writes
// valid UTF-8 and escapes every control character, so \u0000 is the only escape jsonb
// refuses that it can write.
func jsonbSafe(body []byte) []byte {
	if !bytes.Contains(body, []byte(`\u0000`)) {
		return body
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 == len(body) {
			out = append(out, body[i])
			continue
		}
		if bytes.HasPrefix(body[i:], []byte(`\u0000`)) {
			out = append(out, `\ufffd`...)
			i += len(`\u0000`) - 1
			continue
		}
		out = append(out, body[i], body[i+1]) // an escape pair: its second byte starts nothing
		i++
	}
	return out
}

// Tally returns the stored count of a counted poll.
func (s *Store) Tally(ctx context.Context, pollID string) (*ballot.Tally, time.Time, error) {
	if err := checkID(pollID, "投票活动"); err != nil {
		return nil, time.Time{}, err
	}
	var row struct {
		Result    []byte    `db:"result"`
		CountedAt time.Time `db:"counted_at"`
	}
	if err := s.db.GetContext(ctx, &row, qTally, pollID); err != nil {
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			return nil, time.Time{}, ballot.Errorf(ballot.ESEALED, "尚未计票：投票结束并开箱计票后才有结果")
		}
		return nil, time.Time{}, err
	}
	var t ballot.Tally
	err := json.Unmarshal(row.Result, &t)
	return &t, row.CountedAt, err
}

// Bundle returns the signed bundle of a counted poll.
func (s *Store) Bundle(ctx context.Context, pollID string) (*ballot.Signed, error) {
	var row struct {
		Bundle    []byte `db:"bundle"`
		Signature []byte `db:"signature"`
		PublicKey []byte `db:"public_key"`
	}
	if err := s.db.GetContext(ctx, &row, qBundle, pollID); err != nil {
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			return nil, ballot.Errorf(ballot.ESEALED, "尚未计票，没有可下载的计票结果")
		}
		return nil, err
	}
	return &ballot.Signed{Bundle: row.Bundle, Signature: row.Signature, PublicKey: row.PublicKey}, nil
}

// ReceiptPolls lists the counted polls whose box certifies a receipt code.
func (s *Store) ReceiptPolls(ctx context.Context, code string) ([]PollLink, error) {
	var out []PollLink
	err := s.db.SelectContext(ctx, &out, qReceipt, code)
	return out, err
}
