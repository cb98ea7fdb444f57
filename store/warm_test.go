package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"

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

// Polls opened together warm the pool together: the instance keeps answering, and the
// warms end with the pool open. Each warm holds the connections it took until it has
// them all, so warms running side by side each held part of the pool waiting for the
// rest, and every statement of the instance waited with them until they gave up.
func TestWarmConnsTogetherKeepTheStoreAnswering(t *testing.T) {
	t.Parallel()
	s, _, p, hs, _ := openPoll(t, 1)
	// A bound on a hung pool, well above what opening 36 connections takes.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	start := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			<-start
			errs <- s.WarmConns(wctx)
		}()
	}
	close(start)
	g := p.Groups[0].ID
	refused, err := s.CastBatch(wctx, []store.CastItem{item(hs[0], p.ID, g, bytes.Repeat([]byte{1}, 120))})
	if err != nil || refused[0] != nil {
		t.Errorf("a ballot while four warms ran: %v %v", refused, err)
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("four warms at once: %v", err)
		}
	}
}
