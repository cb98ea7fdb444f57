package live_test

import (
	"testing"
	"time"

	"minyi/ballot"
	"minyi/live"
	"minyi/store"
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

// Voters arriving together after their poll was dropped (every batch committed drops it)
// share one read of it instead of each reading the poll, and the read they share is one
// begun after the drop.
func TestPollCacheReadsOnceForVotersArrivingTogether(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	p := newPoll(t, st, 5)
	c := live.NewPollCache(st)
	if _, err := c.Get(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	open(t, st, p.ID)
	c.Invalidate(p.ID)
	const voters = 50
	got := make(chan *store.PollInfo, voters)
	start := make(chan struct{})
	for range voters {
		go func() {
			<-start
			q, err := c.Get(ctx, p.ID)
			if err != nil {
				t.Error(err)
			}
			got <- q
		}()
	}
	close(start)
	reads := map[*store.PollInfo]bool{}
	for range voters {
		q := <-got
		if q == nil {
			t.Fatal("no poll")
		}
		if q.State != ballot.Open {
			t.Fatalf("a voter read the poll as %q after it was dropped, want open", q.State)
		}
		reads[q] = true
	}
	// Goroutines that start after the first read has ended find it cached: either way
	// one read, unless the machine is so slow that the entry outlived its two seconds.
	if len(reads) != 1 {
		t.Fatalf("%d voters arriving together read the poll %d times", voters, len(reads))
	}
}
