package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// TurnoutChannel is the PostgreSQL notification channel that says a poll's turnout or
// state changed; the payload is the poll id. It crosses server instances (DESIGN: live
// turnout via LISTEN/NOTIFY) and carries nothing else.
const TurnoutChannel = "minyi_turnout"

var (
	qNotify       = query(`SELECT pg_notify('` + TurnoutChannel + `', $1)`)
	qScreenKey    = query(`UPDATE polls SET screen_key = COALESCE(screen_key, $2) WHERE id = $1 RETURNING screen_key`)
	qPollByKey    = query(`SELECT id FROM polls WHERE screen_key = $1`)
	qGetScreenKey = query(`SELECT COALESCE(screen_key, '') FROM polls WHERE id = $1`)
)

// notify signals, on commit of tx, that a poll's turnout changed.
func notify(ctx context.Context, tx sqlx.ExecerContext, pollID string) error {
	_, err := tx.ExecContext(ctx, qNotify, pollID)
	return err
}

// Notify signals that a poll's turnout or state changed.
func (s *Store) Notify(ctx context.Context, pollID string) error {
	return notify(ctx, s.db, pollID)
}

// Listen calls fn with the id of every poll whose turnout changes, from any instance,
// until ctx ends. After a lost connection it calls fn with "" (something may have been
// missed: refresh everything).
func (s *Store) Listen(ctx context.Context, fn func(pollID string)) error {
	l := pq.NewListener(s.url, 100*time.Millisecond, 5*time.Second, nil)
	if err := l.Listen(TurnoutChannel); err != nil {
		l.Close()
		return fmt.Errorf("listen: %w", err)
	}
	go func() {
		defer l.Close()
		ping := time.NewTicker(30 * time.Second)
		defer ping.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.NotificationChannel():
				if n == nil { // reconnected
					fn("")
					continue
				}
				fn(n.Extra)
			case <-ping.C:
				go l.Ping()
			}
		}
	}()
	return nil
}

// ScreenKey returns the poll's big-screen key, making one the first time.
func (s *Store) ScreenKey(ctx context.Context, pollID string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	var key string
	err := s.db.GetContext(ctx, &key, qScreenKey, pollID, fmt.Sprintf("%x", b))
	return key, notFound(err, "投票活动")
}

// PollByScreenKey finds the poll of a big-screen link.
func (s *Store) PollByScreenKey(ctx context.Context, key string) (string, error) {
	var id string
	err := s.db.GetContext(ctx, &id, qPollByKey, key)
	if err != nil {
		return "", notFound(err, "大屏链接")
	}
	return id, nil
}

// ExistingScreenKey returns the poll's big-screen key, "" when none was made.
func (s *Store) ExistingScreenKey(ctx context.Context, pollID string) (string, error) {
	var key string
	err := s.db.GetContext(ctx, &key, qGetScreenKey, pollID)
	return key, notFound(err, "投票活动")
}
