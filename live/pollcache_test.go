package live_test

import (
	"testing"
	"time"

	"minyi/ballot"
	"minyi/live"
	"minyi/store/dbtest"
)

// The cache answers from memory for a moment, and a poll dropped from it (as every
// notification of the poll does) is read afresh: a voter is never refused on a stale state.
func TestPollCacheDropsAPoll(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	p := newPoll(t, st, 5)
	other := newPoll(t, st, 5)
	c := live.NewPollCache(st)
	state := func(id string) ballot.State {
		t.Helper()
		got, err := c.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return got.State
	}
	if s := state(p.ID); s != ballot.Draft {
		t.Fatalf("a new poll is %q", s)
	}
	cachedAt := time.Now()
	state(other.ID)
	open(t, st, p.ID)
	open(t, st, other.ID)
	if s := state(p.ID); s != ballot.Draft && time.Since(cachedAt) < time.Second {
		t.Fatalf("read again at once: %q, not the cached state", s)
	}
	c.Invalidate(p.ID)
	if s := state(p.ID); s != ballot.Open {
		t.Fatalf("after it was dropped the poll reads %q, want open", s)
	}
	c.Invalidate("")
	if s := state(other.ID); s != ballot.Open {
		t.Fatalf("after the whole cache was dropped the other poll reads %q, want open", s)
	}
}
