package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

var (
	qReopenPoll  = query(`UPDATE polls SET state = 'open', closed_at = NULL WHERE id = $1`)
	qSetExpected = query(`UPDATE voter_groups g SET expected = $3 FROM polls p
		WHERE g.id = $2 AND g.poll_id = $1 AND p.id = g.poll_id AND p.state <> 'counted'
		RETURNING (SELECT expected FROM voter_groups WHERE id = $2)`)
	qSetCloseAt = query(`UPDATE polls SET close_at = $2 WHERE id = $1 AND state IN ('draft', 'open')`)
	qDueToClose = query(`SELECT id FROM polls WHERE state = 'open' AND close_at IS NOT NULL AND close_at <= now()`)
	qCloseAt    = query(`SELECT close_at FROM polls WHERE id = $1`)
)

// ReopenPoll opens a closed poll again; once counted it stays closed.
func (s *Store) ReopenPoll(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var state ballot.State
		if err := tx.GetContext(ctx, &state, qLockPoll, id); err != nil {
			return notFound(err, "投票活动")
		}
		if state != ballot.Closed {
			return ballot.Errorf(ballot.ECONFLICT, "只有已结束且尚未计票的投票活动可以重新开放投票")
		}
		if _, err := tx.ExecContext(ctx, qReopenPoll, id); err != nil {
			return err
		}
		return notify(ctx, tx, id)
	})
}

// SetExpected changes a group's 应到 before the count and returns the old value.
func (s *Store) SetExpected(ctx context.Context, pollID, groupID string, expected int) (int, error) {
	if err := checkID(groupID, "参评类别"); err != nil {
		return 0, err
	}
	if expected < 1 || expected > ballot.MaxExpected {
		return 0, ballot.Errorf(ballot.EINVALID, "应到人数应在1到%d之间", ballot.MaxExpected)
	}
	var old int
	// The subquery reads the row as it was before this statement's update.
	err := s.db.GetContext(ctx, &old, qSetExpected, pollID, groupID, expected)
	if err != nil {
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			return 0, ballot.Errorf(ballot.ECONFLICT, "参评类别不存在，或已计票，不能再修改应到人数")
		}
		return 0, err
	}
	return old, s.Notify(ctx, pollID)
}

// SetCloseAt schedules (or with nil cancels) the automatic close of a poll.
func (s *Store) SetCloseAt(ctx context.Context, pollID string, at *time.Time) error {
	res, err := s.db.ExecContext(ctx, qSetCloseAt, pollID, at)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ballot.Errorf(ballot.ECONFLICT, "投票已结束，不能再设定结束时间")
	}
	return nil
}

// CloseAt is the scheduled close of a poll, nil when none.
func (s *Store) CloseAt(ctx context.Context, pollID string) (*time.Time, error) {
	var at *time.Time
	err := s.db.GetContext(ctx, &at, qCloseAt, pollID)
	return at, notFound(err, "投票活动")
}

// DueToClose lists the open polls whose scheduled close has come.
func (s *Store) DueToClose(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, qDueToClose)
	return ids, err
}
