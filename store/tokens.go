package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"minyi/ballot"
)

// Token states as stored.
const (
	TokenIssued = "issued"
	TokenUsed   = "used"
	TokenVoid   = "void"
)

// TokenInfo is what a token's hash unlocks: its poll, group and state. Never its time of use.
type TokenInfo struct {
	PollID    string `db:"poll_id"`
	GroupID   string `db:"group_id"`
	State     string `db:"state"`
	Rehearsal bool   `db:"rehearsal"` // a test token of a 模拟测评
}

// Batch is a set of tokens issued together for one group.
type Batch struct {
	ID        string    `db:"id" json:"id"`
	GroupID   string    `db:"group_id" json:"group_id"`
	GroupName string    `db:"group_name" json:"group_name"`
	Count     int       `db:"count" json:"count"`
	Voided    int       `db:"voided" json:"voided"`
	CreatedBy string    `db:"created_by" json:"created_by"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	Rehearsal bool      `db:"rehearsal" json:"rehearsal"`
	// Hint names the batch as its slips print it (ABCD…WXYZ); empty for batches issued
	// before hints were kept.
	Hint string `db:"hint" json:"hint"`
}

// NewBatch is one group's share of an issue: the keyed hashes of its tokens and the hint
// printed on its slips.
type NewBatch struct {
	GroupID string
	Hashes  [][]byte
	Hint    string
}

// MaxIssueKey is the longest idempotency key kept.
const MaxIssueKey = 100

const batchColumns = `SELECT b.id, b.group_id, g.name AS group_name, b.count, b.created_at, b.rehearsal, b.hint,
		COALESCE(s.name, '') AS created_by,
		(SELECT count(*) FROM tokens t WHERE t.batch_id = b.id AND t.state = 'void') AS voided
		FROM token_batches b JOIN voter_groups g ON g.id = b.group_id LEFT JOIN staff s ON s.id = b.created_by `

var (
	qTokenByHash = query(`SELECT poll_id, group_id, state, rehearsal FROM tokens WHERE hash = $1`)
	// A token that voted is issued in its row; its nullifier in the box says it voted.
	// The ballot page and every submit look their token up: prepared once per connection,
	// PostgreSQL plans it once and not twice a voter.
	qTokenOf = hotQuery(`SELECT t.poll_id, t.group_id, t.rehearsal,
		CASE WHEN t.state = 'issued' AND ` + votedSQL("t.poll_id", "$2") + ` THEN 'used' ELSE t.state END AS state
		FROM tokens t WHERE t.hash = $1`)
	qCreateBatch = query(`INSERT INTO token_batches (poll_id, group_id, count, created_by, rehearsal, issue_key, hint)
		SELECT p.id, g.id, $3, NULLIF($4, '')::uuid, p.rehearsal, NULLIF($5, ''), $6 FROM polls p JOIN voter_groups g ON g.poll_id = p.id
		WHERE p.id = $1 AND g.id = $2 AND p.state IN ('draft', 'open') RETURNING id`)
	qInsertTokens = query(`INSERT INTO tokens (hash, poll_id, group_id, batch_id, rehearsal)
		SELECT h, $2, $3, $4, b.rehearsal FROM unnest($1::bytea[]) AS h, token_batches b WHERE b.id = $4`)
	qVoidToken    = query(`UPDATE tokens SET state = 'void' WHERE hash = $1 AND poll_id = $2 AND state = 'issued'`)
	qVoidBatch    = query(`UPDATE tokens SET state = 'void' WHERE batch_id = $1 AND poll_id = $2 AND state = 'issued'`)
	qBatches      = query(batchColumns + `WHERE b.poll_id = $1 ORDER BY b.created_at, g.position`)
	qBatchesByKey = query(batchColumns + `WHERE b.poll_id = $1 AND b.issue_key = $2 ORDER BY b.created_at, g.position`)
	qBatch        = query(batchColumns + `WHERE b.poll_id = $1 AND b.id = $2`)
	// The box is counted in one pass grouped by group: a count per group read the poll's
	// whole box once for each group (300 passes for a survey of 300 groups: 34 s for
	// 10,000 ballots on the shared machine, against 2 s for the one pass beside it).
	qTurnout = query(`WITH t AS (SELECT group_id,
			count(*) FILTER (WHERE state IN ('issued', 'used', 'paper')) AS issued,
			count(*) FILTER (WHERE state = 'void') AS voided,
			count(*) FILTER (WHERE state = 'paper') AS paper
			FROM tokens WHERE poll_id = $1 GROUP BY group_id),
		b AS (SELECT group_id, count(*) AS n FROM ballots WHERE poll_id = $1 AND group_id IS NOT NULL GROUP BY group_id)
		SELECT g.id AS group_id, COALESCE(t.issued, 0) AS issued, COALESCE(t.voided, 0) AS voided,
			COALESCE(b.n, 0) - g.paper_ballots + COALESCE(t.paper, 0) AS used,
			COALESCE(t.paper, 0) AS paper, g.paper_ballots
		FROM voter_groups g LEFT JOIN t ON t.group_id = g.id LEFT JOIN b ON b.group_id = g.id
		WHERE g.poll_id = $1 ORDER BY g.position`)
)

// TokenByHash finds a token by its keyed hash.
func (s *Store) TokenByHash(ctx context.Context, hash []byte) (TokenInfo, error) {
	var t TokenInfo
	err := s.db.GetContext(ctx, &t, qTokenByHash, hash)
	if err != nil {
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			return t, ballot.Errorf(ballot.ETOKENUNKNOWN, "投票凭证不存在，请核对凭证码")
		}
		return t, err
	}
	return t, nil
}

// TokenOf finds a token by its keyed hash, as TokenByHash does, and reads it as used when
// the box holds its nullifier. Nothing is written.
func (s *Store) TokenOf(ctx context.Context, hash, nullifier []byte) (TokenInfo, error) {
	var t TokenInfo
	err := s.dbGet(ctx, &t, qTokenOf, hash, nullifier)
	if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
		return t, ballot.Errorf(ballot.ETOKENUNKNOWN, "投票凭证不存在，请核对凭证码")
	}
	return t, err
}

// IssueTokens stores the hashes of a new batch of tokens for a group of a poll that has
// not closed.
func (s *Store) IssueTokens(ctx context.Context, pollID, groupID string, hashes [][]byte, by string) (string, error) {
	ids, err := s.IssueBatches(ctx, pollID, "", by, []NewBatch{{GroupID: groupID, Hashes: hashes}})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// IssueBatches stores one batch per group, all or none, under the issuing form's key
// ("" for none). A key that already issued for the poll issues nothing more: the answer
// is an EREPEATED error, also when two posts of one form race (the unique index decides).
func (s *Store) IssueBatches(ctx context.Context, pollID, key, by string, batches []NewBatch) ([]string, error) {
	if err := checkID(pollID, "投票活动"); err != nil {
		return nil, err
	}
	if len(key) > MaxIssueKey {
		return nil, ballot.Errorf(ballot.EINVALID, "Idempotency-Key 不能超过 %d 个字符", MaxIssueKey)
	}
	for _, b := range batches {
		if err := checkID(b.GroupID, "参评类别"); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(batches))
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for i, b := range batches {
			if err := tx.GetContext(ctx, &ids[i], qCreateBatch, pollID, b.GroupID, len(b.Hashes), by, key, b.Hint); err != nil {
				if isUniqueViolation(err) {
					return errRepeated
				}
				if ballot.ErrorCode(notFound(err, "")) != ballot.ENOTFOUND {
					return err
				}
				st, err := s.pollState(ctx, tx, pollID)
				if err != nil {
					return err
				}
				if st == ballot.Closed || st == ballot.Counted {
					return ballot.Errorf(ballot.ECONFLICT, "投票已结束，不能再发放凭证")
				}
				return ballot.Errorf(ballot.ENOTFOUND, "参评类别不存在")
			}
			if _, err := tx.ExecContext(ctx, qInsertTokens, pq.ByteaArray(b.Hashes), pollID, b.GroupID, ids[i]); err != nil {
				return err
			}
		}
		return notify(ctx, tx, pollID)
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// errRepeated is a second post of a form that already issued; the handler says what the
// first post issued.
var errRepeated = ballot.Errorf(ballot.EREPEATED, "这批凭证已生成，请勿重复提交")

// BatchesByKey lists the batches a form's key issued in a poll; none when it issued none.
func (s *Store) BatchesByKey(ctx context.Context, pollID, key string) ([]Batch, error) {
	if key == "" {
		return nil, nil
	}
	var out []Batch
	err := s.db.SelectContext(ctx, &out, qBatchesByKey, pollID, key)
	return out, err
}

// BatchOf finds one batch of a poll.
func (s *Store) BatchOf(ctx context.Context, pollID, batchID string) (Batch, error) {
	var b Batch
	if err := checkID(batchID, "凭证批次"); err != nil {
		return b, err
	}
	err := s.db.GetContext(ctx, &b, qBatch, pollID, batchID)
	return b, notFound(err, "凭证批次")
}

// VoidToken voids one unused token of a poll. The nullifier is the token's: a token
// whose ballot is in the box has voted and is not voided.
func (s *Store) VoidToken(ctx context.Context, pollID string, hash, nullifier []byte) error {
	return s.fromIssued(ctx, qVoidToken, pollID, hash, nullifier, func(t TokenInfo) error {
		switch t.State {
		case TokenUsed:
			return ballot.Errorf(ballot.ETOKENUSED, "该凭证已投票，选票已计入，不能作废")
		case TokenVoid:
			return ballot.Errorf(ballot.ETOKENVOID, "该凭证此前已作废")
		case TokenPaper:
			return ballot.Errorf(ballot.ECONFLICT, "该凭证已改为纸质投票，不能作废")
		}
		return ballot.Errorf(ballot.ECONFLICT, "该凭证当前不能作废")
	})
}

var (
	qLockNullifier = query(`SELECT pg_advisory_xact_lock(` + nullifierLockKey("$1::bytea") + `)`)
	qVotedNow      = query(`SELECT ` + votedSQL("$1::uuid", "$2::bytea"))
)

// fromIssued moves an unused token of the poll to another state with q (which takes the
// hash and the poll id); when the token is not unused, refuse says why in the words of the
// operation. A token is unused when it is issued and the box holds no ballot with its
// nullifier. The box is only read here; a vote of the same token waits for this, or this
// for the vote, on the lock both take on the nullifier (in memory, never written).
func (s *Store) fromIssued(ctx context.Context, q, pollID string, hash, nullifier []byte, refuse func(TokenInfo) error) error {
	if err := checkID(pollID, "投票活动"); err != nil {
		return err
	}
	moved := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qLockNullifier, nullifier); err != nil {
			return err
		}
		var voted bool
		if err := tx.GetContext(ctx, &voted, qVotedNow, pollID, nullifier); err != nil {
			return err
		}
		if voted {
			return nil
		}
		res, err := tx.ExecContext(ctx, q, hash, pollID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		moved = n == 1
		return nil
	})
	if err != nil {
		return err
	}
	if moved {
		return s.Notify(ctx, pollID)
	}
	t, err := s.TokenByHash(ctx, hash)
	if err != nil {
		return err
	}
	if t.PollID != pollID {
		return ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于本投票活动")
	}
	if t.State == TokenIssued {
		t.State = TokenUsed // its ballot is in the box
	}
	return refuse(t)
}

// VoidBatch voids every token of a batch not voided or turned to paper, and returns how
// many. Which of them voted is not known to the tokens table (a vote writes nothing to
// it), so the count may include tokens that voted: their ballots stay in the box.
func (s *Store) VoidBatch(ctx context.Context, pollID, batchID string) (int, error) {
	if err := checkID(batchID, "凭证批次"); err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, qVoidBatch, batchID, pollID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), s.Notify(ctx, pollID)
}

// Batches lists a poll's token batches.
func (s *Store) Batches(ctx context.Context, pollID string) ([]Batch, error) {
	var out []Batch
	err := s.db.SelectContext(ctx, &out, qBatches, pollID)
	return out, err
}

// Turnout counts per group the tokens issued (not voided) and voided, and the ballots in
// the box: 实到 is the ballots cast by phone and the tokens turned to paper. It is the only
// figure about a poll's voting that exists before close.
func (s *Store) Turnout(ctx context.Context, pollID string) ([]ballot.Turnout, error) {
	return turnout(ctx, s.db, pollID)
}

func turnout(ctx context.Context, q sqlx.QueryerContext, pollID string) ([]ballot.Turnout, error) {
	var rows []struct {
		GroupID string `db:"group_id"`
		Issued  int    `db:"issued"`
		Voided  int    `db:"voided"`
		Used    int    `db:"used"`
		Paper   int    `db:"paper"`
		PaperIn int    `db:"paper_ballots"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, qTurnout, pollID); err != nil {
		return nil, err
	}
	out := make([]ballot.Turnout, len(rows))
	for i, r := range rows {
		out[i] = ballot.Turnout{Group: r.GroupID, Issued: r.Issued, Voided: r.Voided, Used: r.Used, Paper: r.Paper, PaperBallots: r.PaperIn}
	}
	return out, nil
}
