package store_test

import (
	"bytes"
	"testing"

	"minyi/store"
)

// Warming the connections leaves them open for the burst, and a batch written on them
// after goes in as before.
func TestWarmConnsOpensThePoolAhead(t *testing.T) {
	t.Parallel()
	s, db, p, hs, _ := openPoll(t, 2)
	backends := func() int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := backends()
	if err := s.WarmConns(ctx); err != nil {
		t.Fatal(err)
	}
	if after := backends(); after < 36 {
		t.Fatalf("%d connections of the store after warming (%d before), want at least 36", after, before)
	}
	g := p.Groups[0].ID
	errs, err := s.CastBatch(ctx, []store.CastItem{item(hs[0], p.ID, g, bytes.Repeat([]byte{1}, 120)), item(hs[1], p.ID, g, bytes.Repeat([]byte{2}, 120))})
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("a batch after warming: %v %v", errs, err)
	}
}
