package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"minyi/ballot"
)

// Session is a logged-in staff member: a browser cookie or an API bearer token.
type Session struct {
	Staff
	CSRF string `db:"csrf"`
	API  bool   `db:"api"`
}

var (
	qCreateSession = query(`INSERT INTO sessions (id, staff_id, csrf, api, expires_at) VALUES ($1, $2, $3, $4, $5)`)
	qSession       = query(`SELECT ` + staffColumns + `, x.csrf, x.api FROM sessions x JOIN staff s ON s.id = x.staff_id LEFT JOIN units u ON u.id = s.unit_id
		WHERE x.id = $1 AND x.expires_at > now() AND NOT s.disabled`)
	qDeleteSession   = query(`DELETE FROM sessions WHERE id = $1`)
	qExpiredSessions = query(`DELETE FROM sessions WHERE expires_at < now()`)
)

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateSession starts a session for the account and returns the secret to hand out
// (cookie value or bearer token); only its hash is stored.
func (s *Store) CreateSession(ctx context.Context, staffID string, api bool, ttl time.Duration) (string, error) {
	secret, err := randomString(32)
	if err != nil {
		return "", err
	}
	csrf, err := randomString(24)
	if err != nil {
		return "", err
	}
	_, err = s.db.ExecContext(ctx, qCreateSession, sessionKey(secret), staffID, csrf, api, time.Now().Add(ttl))
	return secret, err
}

// Session finds a live session by its secret.
func (s *Store) Session(ctx context.Context, secret string) (Session, error) {
	var x Session
	if secret == "" {
		return x, ballot.Errorf(ballot.EUNAUTHORIZED, "请先登录")
	}
	err := s.db.GetContext(ctx, &x, qSession, sessionKey(secret))
	if err != nil {
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			return x, ballot.Errorf(ballot.EUNAUTHORIZED, "登录已失效，请重新登录")
		}
		return x, err
	}
	return x, nil
}

// DeleteSession ends a session (logout).
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	_, err := s.db.ExecContext(ctx, qDeleteSession, sessionKey(secret))
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, qExpiredSessions)
	return err
}
