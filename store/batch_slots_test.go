package store_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"minyi/ballot"
	"minyi/store"
)

// A token that voted before a close is refused after the poll is opened again: its ballot
// is in the box under a new id and without its nullifier, which the close kept apart.
func TestCastAfterReopenRefusesTokensThatVoted(t *testing.T) {
	t.Parallel()
	s, _, p, hs, _ := openPoll(t, 6)
	g := p.Groups[0].ID
	if errs, err := s.CastBatch(ctx, []store.CastItem{item(hs[0], p.ID, g, bytes.Repeat([]byte{1}, 120)), item(hs[1], p.ID, g, bytes.Repeat([]byte{2}, 120))}); err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("first votes: %v %v", errs, err)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.ReopenPoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	errs, err := s.CastBatch(ctx, []store.CastItem{item(hs[0], p.ID, g, bytes.Repeat([]byte{3}, 120)), item(hs[2], p.ID, g, bytes.Repeat([]byte{4}, 120))})
	if err != nil {
		t.Fatal(err)
	}
	if ballot.ErrorCode(errs[0]) != ballot.ETOKENUSED {
		t.Fatalf("a token that voted before the close voted again after the reopen: %v", errs[0])
	}
	if errs[1] != nil {
		t.Fatalf("a token that had not voted was refused after the reopen: %v", errs[1])
	}
	if err := s.Cast(ctx, item(hs[1], p.ID, g, bytes.Repeat([]byte{5}, 120))); ballot.ErrorCode(err) != ballot.ETOKENUSED {
		t.Fatalf("the second token that voted before the close, alone in its batch: %v, want it refused as used", err)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if box, err := s.Box(ctx, p.ID); err != nil || len(box) != 3 {
		t.Fatalf("box of %d ballots (%v), want the 2 before the reopen and the 1 after", len(box), err)
	}
}

// Ballots longer than a page are stored out of line; their empty slots hold a few random
// bytes instead of a ballot's length (which would be stored out of line too, and deleted
// chunk by chunk as each slot is filled). The ballots come back whole.
func TestCastLongBallotsIntoShortSlots(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 8)
	const size = 10300 // a six-subject 民主测评
	if err := s.AddSlots(ctx, p.ID, 8, size); err != nil {
		t.Fatal(err)
	}
	g := p.Groups[0].ID
	sent := map[string]bool{}
	var items []store.CastItem
	for _, h := range hs[:5] {
		b := make([]byte, size)
		rand.Read(b)
		sent[string(b)] = true
		items = append(items, item(h, p.ID, g, b))
	}
	if errs, err := s.CastBatch(ctx, items); err != nil || errs[0] != nil {
		t.Fatalf("%v %v", errs, err)
	}
	// The slots drawn at opening (120 bytes) are as they were; the 8 drawn for the long
	// ballots hold 72 random bytes, and the ballots filled some of either.
	var long, short, filled int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE group_id IS NULL AND length(sealed) = 72),
		count(*) FILTER (WHERE group_id IS NULL AND length(sealed) = 120),
		count(*) FILTER (WHERE group_id IS NOT NULL AND length(sealed) = $2)
		FROM ballots WHERE poll_id = $1`, p.ID, size).Scan(&short, &long, &filled); err != nil {
		t.Fatal(err)
	}
	if filled != 5 || short < 3 || short+long != 11 {
		t.Fatalf("%d ballots of %d bytes, %d empty slots of 72 bytes, %d of 120: want 5, and 11 empty slots of which at least 3 short", filled, size, short, long)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	box, err := s.Box(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range box {
		if !sent[string(b.Sealed)] {
			t.Fatalf("a ballot of %d bytes in the box that was not sent", len(b.Sealed))
		}
		delete(sent, string(b.Sealed))
	}
	if len(sent) != 0 {
		t.Fatalf("%d ballots sent are not in the box", len(sent))
	}
}

// A filled slot of a long ballot stays on its slot's page, even when a whole page of
// slots is filled in one transaction (so that no old version can be pruned to make
// room): the slot is no shorter than the row that replaces it, so where a ballot lies
// says where its slot was drawn, not when it was cast.
func TestCastLongBallotsStayOnTheirSlotsPage(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 64)
	const size = 10300
	if _, err := db.Exec(`DELETE FROM ballots WHERE poll_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSlots(ctx, p.ID, 64, size); err != nil {
		t.Fatal(err)
	}
	pages := func() map[string]string {
		out := map[string]string{}
		rows, err := db.Query(`SELECT id::text, (ctid::text::point)[0]::text FROM ballots WHERE poll_id = $1`, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, page string
			rows.Scan(&id, &page)
			out[id] = page
		}
		return out
	}
	before := pages()
	var items []store.CastItem
	for _, h := range hs {
		b := make([]byte, size)
		rand.Read(b)
		items = append(items, item(h, p.ID, p.Groups[0].ID, b))
	}
	if errs, err := s.CastBatch(ctx, items); err != nil || errs[0] != nil {
		t.Fatalf("%v %v", errs, err)
	}
	after := pages()
	moved := 0
	for id, page := range after {
		if before[id] != page {
			moved++
		}
	}
	if len(after) != 64 || moved > 0 {
		t.Fatalf("%d of %d ballots left their slot's page when filled", moved, len(after))
	}
}
