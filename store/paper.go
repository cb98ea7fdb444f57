package store

import (
	"context"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
)

// TokenPaper is the state of a token whose voter votes on paper.
const TokenPaper = "paper"

var (
	qMarkPaper  = query(`UPDATE tokens SET state = 'paper' WHERE hash = $1 AND poll_id = $2 AND state = 'issued'`)
	qPaperMatch = query(`SELECT id FROM paper_entries WHERE poll_id = $1 AND group_id = $2 AND digest = $3 AND entered_by <> $4
		LIMIT 1 FOR UPDATE SKIP LOCKED`)
	qPaperRoom = query(`SELECT (SELECT count(*) FROM tokens WHERE poll_id = $1 AND group_id = $2 AND state = 'paper')
		- (SELECT paper_ballots FROM voter_groups WHERE id = $2 AND poll_id = $1)`)
	qPaperCount  = query(`UPDATE voter_groups SET paper_ballots = paper_ballots + 1 WHERE id = $1`)
	qPaperDelete = query(`DELETE FROM paper_entries WHERE id = $1`)
	// A paper ballot fills a random empty slot while the poll is open; after close, when
	// the slots are gone, it is added and mixed in at the count. The slot is found by its
	// poll and id, the box's key since it is partitioned by poll.
	qPaperFill    = query(`UPDATE ballots SET group_id = $2, sealed = $3 WHERE poll_id = $4 AND id = $1`)
	qPaperBallot  = query(`INSERT INTO ballots (poll_id, group_id, sealed) VALUES ($1, $2, $3)`)
	qPaperPending = query(`INSERT INTO paper_entries (poll_id, group_id, digest, sealed, entered_by) VALUES ($1, $2, $3, $4, $5)`)
	qPaperStatus  = query(`SELECT
		(SELECT count(*) FROM tokens WHERE poll_id = $1 AND state = 'paper') AS tokens,
		(SELECT COALESCE(sum(paper_ballots), 0) FROM voter_groups WHERE poll_id = $1) AS ballots,
		(SELECT count(*) FROM paper_entries WHERE poll_id = $1) AS pending`)
	qPaperDiscard = query(`DELETE FROM paper_entries WHERE poll_id = $1`)
	qPaperWaiting = query(`SELECT g.name AS group_name, s.name AS entered_by, count(*) AS entries
		FROM paper_entries e JOIN voter_groups g ON g.id = e.group_id JOIN staff s ON s.id = e.entered_by
		WHERE e.poll_id = $1 GROUP BY g.position, g.name, s.name ORDER BY g.position, s.name`)
)

// PaperWaiting is a count of paper entries waiting for their second entry, by voter group
// and by who entered them; what they hold stays sealed.
type PaperWaiting struct {
	Group     string `db:"group_name" json:"group"`
	EnteredBy string `db:"entered_by" json:"entered_by"`
	Entries   int    `db:"entries" json:"entries"`
}

// PaperPending lists the poll's entries no second entry has matched yet.
func (s *Store) PaperPending(ctx context.Context, pollID string) ([]PaperWaiting, error) {
	var out []PaperWaiting
	err := s.db.SelectContext(ctx, &out, qPaperWaiting, pollID)
	return out, err
}

// MarkPaper turns an unused token into a paper vote: it can no longer vote by phone, and
// counts toward turnout.
func (s *Store) MarkPaper(ctx context.Context, pollID string, hash, nullifier []byte) error {
	return s.fromIssued(ctx, qMarkPaper, pollID, hash, nullifier, func(t TokenInfo) error {
		if t.State == TokenPaper {
			return ballot.Errorf(ballot.ECONFLICT, "该凭证已改为纸质投票")
		}
		if err := TokenRefusal(t.State); err != nil {
			return err
		}
		return ballot.Errorf(ballot.ECONFLICT, "该凭证当前不能改为纸质投票")
	})
}

// PaperEntry is one staff member's entry of a paper ballot.
type PaperEntry struct {
	PollID, GroupID string
	Digest          []byte // keyed digest of the group and the ballot's content
	Sealed          []byte
	EnteredBy       string
	Opening         *ballot.Opening // the sealed ballot's cells opened, for its row of kept sums
}

// EnterPaper records an entry. If another staff member entered a ballot with the same
// content for the same group, the two match: that pending entry is removed and the
// ballot goes into the box (one transaction), as long as the group has paper tokens left
// for it. Otherwise the entry waits for its match. It reports whether the ballot went in.
func (s *Store) EnterPaper(ctx context.Context, e PaperEntry) (bool, error) {
	matched := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var state ballot.State
		if err := tx.GetContext(ctx, &state, qPollStateNow+" FOR KEY SHARE", e.PollID); err != nil {
			return notFound(err, "投票活动")
		}
		if state != ballot.Open && state != ballot.Closed {
			return ballot.Errorf(ballot.ECONFLICT, "只能在投票开始后、计票之前录入纸质选票")
		}
		var id string
		err := tx.GetContext(ctx, &id, qPaperMatch, e.PollID, e.GroupID, e.Digest, e.EnteredBy)
		if ballot.ErrorCode(notFound(err, "")) == ballot.ENOTFOUND {
			_, err = tx.ExecContext(ctx, qPaperPending, e.PollID, e.GroupID, e.Digest, e.Sealed, e.EnteredBy)
			return err
		}
		if err != nil {
			return err
		}
		var room int
		if err := tx.GetContext(ctx, &room, qPaperRoom, e.PollID, e.GroupID); err != nil {
			return err
		}
		if room <= 0 {
			return ballot.Errorf(ballot.ECONFLICT, "该参评类别的纸质选票数已等于改为纸质投票的凭证数，不能再录入")
		}
		if _, err := tx.ExecContext(ctx, qPaperDelete, id); err != nil {
			return err
		}
		slots, err := emptySlots(ctx, tx, e.PollID, 1)
		if err != nil {
			return err
		}
		if len(slots) == 1 {
			_, err = tx.ExecContext(ctx, qPaperFill, slots[0], e.GroupID, e.Sealed, e.PollID)
		} else {
			_, err = tx.ExecContext(ctx, qPaperBallot, e.PollID, e.GroupID, e.Sealed)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, qPaperCount, e.GroupID); err != nil {
			return err
		}
		if err := s.paperSums(ctx, tx, e, state); err != nil {
			return err
		}
		matched = true
		return notify(ctx, tx, e.PollID)
	})
	return matched, err
}

// PaperStatus counts a poll's paper tokens, paper ballots in the box, and entries
// waiting for their second entry.
type PaperStatus struct {
	Tokens  int `db:"tokens"`
	Ballots int `db:"ballots"`
	Pending int `db:"pending"`
}

// Paper returns the poll's paper status.
func (s *Store) Paper(ctx context.Context, pollID string) (PaperStatus, error) {
	var p PaperStatus
	err := s.db.GetContext(ctx, &p, qPaperStatus, pollID)
	return p, err
}

// DiscardPendingPaper removes the entries no second entry matched, to be entered again.
func (s *Store) DiscardPendingPaper(ctx context.Context, pollID string) (int, error) {
	res, err := s.db.ExecContext(ctx, qPaperDiscard, pollID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
