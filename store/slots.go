package store

import (
	"context"
	"crypto/rand"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Slots: the rows a poll's ballots will fill, drawn before the votes that fill them.
// A slot holds random bytes of a sealed ballot's length until a vote replaces them, so
// the filled row's new version fits on the slot's own page (half of each page is kept
// free): where a ballot lies in the table then says where its slot was drawn, not when
// it was cast. Slots are drawn in their own transactions, never with tokens.
//
// A ballot longer than a page cannot stay in its row: PostgreSQL stores it out of line
// in chunks, and the row keeps a pointer of a fixed size. A slot for such a ballot holds
// only random bytes as long as what the fill adds to the row (that pointer, the group and
// the nullifier): random bytes of the ballot's length would themselves be stored in
// chunks, which the fill would then have to find and delete (a third of its writes), and
// would keep the row no closer to its slot's page.

// slotChunk is how many slots one statement draws.
const slotChunk = 500

// outOfLine is the length from which a sealed ballot can never be stored in its row: a
// row must fit in a page of 8 KB. Shorter ballots that PostgreSQL stores out of line all
// the same (a little under a page) keep slots of their own length, as before.
const outOfLine = 8192

// outOfLineSlot is the length of a slot's random bytes for a ballot stored out of line:
// the row's pointer to it (18 bytes), its group (16) and its nullifier (33), so that the
// filled row is no longer than the slot it replaces.
const outOfLineSlot = 72

// slotSize is the length of the random bytes an empty slot holds for sealed ballots of
// sealedSize bytes.
func slotSize(sealedSize int) int {
	if sealedSize >= outOfLine {
		return outOfLineSlot
	}
	return sealedSize
}

var (
	// The poll's row is locked as it is read: a close under way is waited for, and then
	// the poll, closed, gets no slot.
	qAddSlots = query(`INSERT INTO ballots (poll_id, sealed)
		SELECT p.id, s FROM (SELECT id FROM polls WHERE id = $1 AND state IN ('draft', 'open') FOR SHARE) AS p, unnest($2::bytea[]) AS s`)
	// What a poll's box may still receive by phone or on paper, against the empty slots
	// it has: a slot for every token of the present run neither voided nor used before
	// the box kept nullifiers. Which of them voted is not known, so this draws more than
	// will be filled; close drops the rest.
	qSlotNeed = query(`SELECT
		(SELECT count(*) FROM tokens t JOIN polls p ON p.id = t.poll_id
			WHERE t.poll_id = $1 AND t.state IN ('issued', 'paper') AND t.rehearsal = p.rehearsal)
		- (SELECT count(*) FROM ballots WHERE poll_id = $1 AND group_id IS NULL) AS need`)
)

// AddSlots draws n empty slots for sealed ballots of sealedSize bytes for a poll that has
// not closed.
func (s *Store) AddSlots(ctx context.Context, pollID string, n, sealedSize int) error {
	if err := checkID(pollID, "投票活动"); err != nil {
		return err
	}
	for n > 0 {
		k := min(n, slotChunk)
		fill := make([][]byte, k)
		for i := range fill {
			fill[i] = make([]byte, slotSize(sealedSize))
			if _, err := rand.Read(fill[i]); err != nil {
				return err
			}
		}
		if _, err := s.db.ExecContext(ctx, qAddSlots, pollID, pq.ByteaArray(fill)); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// EnsureSlots draws as many slots as the poll's unused tokens may still fill, less those
// it has: at opening, after an issue, and whenever a vote finds none left.
func (s *Store) EnsureSlots(ctx context.Context, pollID string, sealedSize int) error {
	return s.topUpSlots(ctx, pollID, 0, sealedSize)
}

// topUpSlots draws what EnsureSlots would, and at least lacking more.
func (s *Store) topUpSlots(ctx context.Context, pollID string, lacking, sealedSize int) error {
	var need int
	if err := s.db.GetContext(ctx, &need, qSlotNeed, pollID); err != nil {
		return err
	}
	return s.AddSlots(ctx, pollID, max(need, lacking), sealedSize)
}

// emptySlotsSQL locks up to $3 empty slots of poll $1 whose ids stand cmp ($2) a random
// id: ">=" from it on, "<" before it, and gives their columns cols. Ids are random and
// unrelated to where a slot lies in the table; slots other transactions hold are passed over.
func emptySlotsSQL(cols, cmp string) string {
	return `SELECT ` + cols + ` FROM ballots WHERE poll_id = $1 AND group_id IS NULL AND id ` + cmp + ` $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`
}

// votedSQL says whether the box of the poll, or the nullifiers kept from its close for a
// reopening, holds the nullifier: whether the token that has it voted. Each is one probe
// of its unique index, written as a subquery with LIMIT because PostgreSQL may run an
// EXISTS as a hash of every row of the table instead (one scan of the whole index and
// of the heap of every filled slot, per batch), and picks that plan from statistics that
// a burst of votes leaves behind.
func votedSQL(poll, nullifier string) string {
	return `(` + inBoxSQL(poll, nullifier) + `
		OR (SELECT true FROM spent s WHERE s.poll_id = ` + poll + ` AND s.nullifier = ` + nullifier + ` LIMIT 1) IS NOT NULL)`
}

// inBoxSQL says whether the box of the poll holds the nullifier (votedSQL without the
// nullifiers kept from a close).
func inBoxSQL(poll, nullifier string) string {
	return `(SELECT true FROM ballots b WHERE b.poll_id = ` + poll + ` AND b.nullifier = ` + nullifier + ` LIMIT 1) IS NOT NULL`
}

// nullifierLockKey is the key of the lock, held in memory only, that a vote, a void and a
// switch to paper of one token all take on its nullifier, so they happen one after the other.
func nullifierLockKey(nullifier string) string {
	return `hashtextextended(encode(` + nullifier + `, 'hex'), 0)`
}

var (
	qSlotsFrom   = query(emptySlotsSQL("id", ">="))
	qSlotsBefore = query(emptySlotsSQL("id", "<"))
)

// emptySlots locks up to n empty slots of the poll, from a random point of the id order
// on, then from the start.
func emptySlots(ctx context.Context, tx *sqlx.Tx, pollID string, n int) ([]string, error) {
	start := uuid.New().String()
	var slots []string
	if err := tx.SelectContext(ctx, &slots, qSlotsFrom, pollID, start, n); err != nil {
		return nil, err
	}
	if len(slots) < n {
		var more []string
		if err := tx.SelectContext(ctx, &more, qSlotsBefore, pollID, start, n-len(slots)); err != nil {
			return nil, err
		}
		slots = append(slots, more...)
	}
	return slots, nil
}
