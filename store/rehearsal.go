package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

var (
	qStartRehearsal = query(`UPDATE polls SET rehearsal = true WHERE id = $1 AND state = 'draft' AND NOT rehearsal`)
	qWipeBallots    = query(`DELETE FROM ballots WHERE poll_id = $1`)
	qWipeSpent      = query(`DELETE FROM spent WHERE poll_id = $1`)
	qWipePaperCount = query(`UPDATE voter_groups SET paper_ballots = 0 WHERE poll_id = $1`)
	qWipePaper      = query(`DELETE FROM paper_entries WHERE poll_id = $1`)
	qWipeTally      = query(`DELETE FROM tallies WHERE poll_id = $1`)
	// The rehearsal's key goes with it: its tellers typed their shares at its count, so
	// the real run's key is made anew.
	qWipeCeremony = query(`DELETE FROM ceremonies WHERE poll_id = $1`)
	qWipeShare    = query(`DELETE FROM key_shares WHERE poll_id = $1`)
	qWipeTokens   = query(`DELETE FROM token_batches WHERE poll_id = $1 AND rehearsal`)
	qEndRehearsal = query(`UPDATE polls SET rehearsal = false, state = 'draft', public_key = NULL, box = NULL, public_shares = NULL,
		opened_at = NULL, closed_at = NULL, counted_at = NULL WHERE id = $1 AND rehearsal`)
	qLockRehearsal = query(`SELECT rehearsal FROM polls WHERE id = $1 FOR UPDATE`)
)

// StartRehearsal turns a draft poll into a 模拟测评: tokens issued from now on are test
// tokens, and only they can vote until the rehearsal is wiped.
func (s *Store) StartRehearsal(ctx context.Context, pollID string) error {
	res, err := s.db.ExecContext(ctx, qStartRehearsal, pollID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ECONFLICT, "只有尚未开始的投票活动可以进行模拟测评")
	}
	return nil
}

// WipeRehearsal removes everything the rehearsal produced: its test tokens and batches,
// then, in a second transaction (no transaction writes tokens and ballots both), every
// ballot and slot, the key share and the tally; the poll is a draft again, with the real
// tokens issued before the rehearsal still valid. Stopped between the two, the poll is
// still a rehearsal without test tokens, and wiping it again finishes the work.
func (s *Store) WipeRehearsal(ctx context.Context, pollID string) error {
	for _, qs := range [][]string{{qWipeTokens}, {qWipePaper, qWipeBallots, qWipeSums, qWipeSpent, qWipePaperCount, qWipeTally, qWipeShare, qWipeCeremony, qEndRehearsal}} {
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			var rehearsal bool
			if err := tx.GetContext(ctx, &rehearsal, qLockRehearsal, pollID); err != nil {
				return notFound(err, "投票活动")
			}
			if !rehearsal {
				return ballot.Errorf(ballot.ECONFLICT, "这不是模拟测评，不能清除")
			}
			for _, q := range qs {
				if _, err := tx.ExecContext(ctx, q, pollID); err != nil {
					return err
				}
			}
			return notify(ctx, tx, pollID)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
