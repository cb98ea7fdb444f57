package store

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

// CodeRun is a bulk issue being written: one batch per group made at the start, the
// tokens' keyed hashes copied in (COPY) as their codes are drawn, all in one transaction
// that only Commit makes visible. A download that breaks before its end is rolled back
// whole, so no code of it can vote and nothing is left to void.
type CodeRun struct {
	pollID  string
	tx      *sqlx.Tx
	copy    *sql.Stmt
	batches map[string]codeBatch // by group id
	rows    int
}

type codeBatch struct {
	id        string
	rehearsal bool
}

var (
	qCreateCodeBatch = query(`INSERT INTO token_batches (poll_id, group_id, count, created_by, rehearsal, issue_key, hint)
		SELECT p.id, g.id, $3, NULLIF($4, '')::uuid, p.rehearsal, NULLIF($5, ''), '' FROM polls p JOIN voter_groups g ON g.poll_id = p.id
		WHERE p.id = $1 AND g.id = $2 AND p.state IN ('draft', 'open') RETURNING id, rehearsal`)
	qBatchHint = query(`UPDATE token_batches SET hint = $2 WHERE id = $1`)
)

// BeginCodeRun makes the batches of a bulk issue, one per share, under the issuing
// form's key ("" for none): a key that issued before gets the EREPEATED error, as
// IssueBatches gives. Nothing is visible to anyone else until Commit.
func (s *Store) BeginCodeRun(ctx context.Context, pollID, key, by string, shares []ballot.CodeShare) (*CodeRun, error) {
	if err := checkID(pollID, "投票活动"); err != nil {
		return nil, err
	}
	if len(key) > MaxIssueKey {
		return nil, ballot.Errorf(ballot.EINVALID, "Idempotency-Key 不能超过 %d 个字符", MaxIssueKey)
	}
	for _, sh := range shares {
		if err := checkID(sh.Group, "参评类别"); err != nil {
			return nil, err
		}
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	r := &CodeRun{pollID: pollID, tx: tx, batches: map[string]codeBatch{}}
	for _, sh := range shares {
		var b struct {
			ID        string `db:"id"`
			Rehearsal bool   `db:"rehearsal"`
		}
		if err := tx.GetContext(ctx, &b, qCreateCodeBatch, pollID, sh.Group, sh.Count, by, key); err != nil {
			tx.Rollback()
			if isUniqueViolation(err) {
				return nil, errRepeated
			}
			if ballot.ErrorCode(notFound(err, "")) != ballot.ENOTFOUND {
				return nil, err
			}
			st, err := s.pollState(ctx, s.db, pollID)
			if err != nil {
				return nil, err
			}
			if st == ballot.Closed || st == ballot.Counted {
				return nil, ballot.Errorf(ballot.ECONFLICT, "投票已结束，不能再发放凭证")
			}
			return nil, ballot.Errorf(ballot.ENOTFOUND, "参评类别不存在")
		}
		r.batches[sh.Group] = codeBatch{b.ID, b.Rehearsal}
	}
	r.copy, err = tx.PrepareContext(ctx, `COPY tokens (hash, poll_id, group_id, batch_id, rehearsal) FROM STDIN`)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	return r, nil
}

// Add copies the keyed hashes of a group's next codes in. The rows travel to PostgreSQL
// as the COPY's buffer fills; they are checked (a hash drawn twice) at Commit.
func (r *CodeRun) Add(groupID string, hashes [][]byte) error {
	b, ok := r.batches[groupID]
	if !ok {
		return ballot.Errorf(ballot.ENOTFOUND, "参评类别不存在")
	}
	for _, h := range hashes {
		if _, err := r.copy.Exec(h, r.pollID, groupID, b.id, b.rehearsal); err != nil {
			return err
		}
	}
	r.rows += len(hashes)
	return nil
}

// Copied ends the copy and names each batch by its hint (group id → ABCD…WXYZ). A hash
// drawn twice is found here.
func (r *CodeRun) Copied(ctx context.Context, hints map[string]string) error {
	if _, err := r.copy.Exec(); err != nil {
		return err
	}
	if err := r.copy.Close(); err != nil {
		return err
	}
	for g, b := range r.batches {
		if _, err := r.tx.ExecContext(ctx, qBatchHint, b.id, hints[g]); err != nil {
			return err
		}
	}
	return nil
}

// Commit makes the whole issue visible at once.
func (r *CodeRun) Commit(ctx context.Context) error {
	if err := notify(ctx, r.tx, r.pollID); err != nil {
		r.tx.Rollback()
		return err
	}
	return r.tx.Commit()
}

// Abort rolls the issue back: its batches and tokens were never visible and are gone.
func (r *CodeRun) Abort() {
	r.copy.Close()
	r.tx.Rollback()
}

// BatchIDs are the run's batches by group id.
func (r *CodeRun) BatchIDs() map[string]string {
	out := make(map[string]string, len(r.batches))
	for g, b := range r.batches {
		out[g] = b.id
	}
	return out
}
