package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

var (
	qAuditLock = query(`SELECT pg_advisory_xact_lock(hashtext('minyi_audit_log'))`)
	qAuditLast = query(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	qAuditAdd  = query(`INSERT INTO audit_log (seq, at, actor, actor_name, poll_id, action, detail, prev, hash)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6, $7, $8, $9)`)
	qAuditPoll = query(`SELECT seq, at, actor, actor_name, COALESCE(poll_id::text, '') AS poll_id, action, detail, prev, hash
		FROM audit_log WHERE poll_id = $1 ORDER BY seq`)
	qAuditAll = query(`SELECT seq, at, actor, actor_name, COALESCE(poll_id::text, '') AS poll_id, action, detail, prev, hash
		FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 10000`)
)

type auditRow struct {
	Seq       int64     `db:"seq"`
	At        time.Time `db:"at"`
	Actor     string    `db:"actor"`
	ActorName string    `db:"actor_name"`
	PollID    string    `db:"poll_id"`
	Action    string    `db:"action"`
	Detail    string    `db:"detail"`
	Prev      []byte    `db:"prev"`
	Hash      []byte    `db:"hash"`
}

func (r auditRow) entry() ballot.AuditEntry {
	e := ballot.AuditEntry{Seq: r.Seq, At: r.At, Actor: r.Actor, ActorName: r.ActorName, PollID: r.PollID, Action: r.Action, Prev: r.Prev, Hash: r.Hash}
	json.Unmarshal([]byte(r.Detail), &e.Detail)
	return e
}

// Audit appends an entry to the hash-chained log. Appends are serialized by an advisory
// lock, so the chain has one order whatever the number of instances.
func (s *Store) Audit(ctx context.Context, e ballot.AuditEntry) error {
	if e.Detail == nil {
		e.Detail = map[string]string{}
	}
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qAuditLock); err != nil {
			return err
		}
		var last struct {
			Seq  int64  `db:"seq"`
			Hash []byte `db:"hash"`
		}
		if err := tx.GetContext(ctx, &last, qAuditLast); err != nil && ballot.ErrorCode(notFound(err, "")) != ballot.ENOTFOUND {
			return err
		}
		e.Seq, e.Prev = last.Seq+1, last.Hash
		if e.Prev == nil {
			e.Prev = []byte{}
		}
		e.At = time.Now().UTC().Truncate(ballot.AuditPrecision)
		e.Hash = e.ComputeHash()
		_, err := tx.ExecContext(ctx, qAuditAdd, e.Seq, e.At, e.Actor, e.ActorName, e.PollID, e.Action, string(detail), e.Prev, e.Hash)
		return err
	})
}

// PollAudit lists a poll's entries.
func (s *Store) PollAudit(ctx context.Context, pollID string) ([]ballot.AuditEntry, error) {
	var rows []auditRow
	if err := s.db.SelectContext(ctx, &rows, qAuditPoll, pollID); err != nil {
		return nil, err
	}
	out := make([]ballot.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// AllAudit returns the whole log in order, for verification.
func (s *Store) AllAudit(ctx context.Context) ([]ballot.AuditEntry, error) {
	var out []ballot.AuditEntry
	after := int64(0)
	for {
		var rows []auditRow
		if err := s.db.SelectContext(ctx, &rows, qAuditAll, after); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, r.entry())
		}
		if len(rows) < 10000 {
			return out, nil
		}
		after = rows[len(rows)-1].Seq
	}
}
