package live

import (
	"context"
	"sync"
	"time"

	"minyi/store"
)

// PollCache keeps the polls the voter path reads, for a moment: every page and submit
// would otherwise read the poll and its groups twice. It is never the authority: the
// batch transaction checks the poll's state, run and key again. Entries are dropped on
// every notification for their poll, and live at most pollCacheTTL.
//
// Every batch committed notifies its poll, so during a burst the entry is dropped many
// times a second while a hundred voters wait for it: they share one read instead of each
// reading the poll again (a burst's profile showed the poll read by every request that
// arrived between a commit and the next read's answer).
type PollCache struct {
	st      *store.Store
	mu      sync.Mutex
	m       map[string]cachedPoll
	reading map[string]*pollRead
}

type cachedPoll struct {
	p  *store.PollInfo
	at time.Time
}

// pollRead is a read of a poll under way; those who arrive meanwhile wait for its answer.
type pollRead struct {
	done    chan struct{}
	p       *store.PollInfo
	err     error
	dropped bool // the poll was dropped while this read was under way: not kept
}

const pollCacheTTL = 2 * time.Second

// NewPollCache makes an empty cache reading from st.
func NewPollCache(st *store.Store) *PollCache {
	return &PollCache{st: st, m: map[string]cachedPoll{}, reading: map[string]*pollRead{}}
}

// Get is the poll, as read at most pollCacheTTL ago.
func (c *PollCache) Get(ctx context.Context, id string) (*store.PollInfo, error) {
	c.mu.Lock()
	if e, ok := c.m[id]; ok && time.Since(e.at) < pollCacheTTL {
		c.mu.Unlock()
		return e.p, nil
	}
	if r := c.reading[id]; r != nil {
		// A read that began after the last drop, so its answer is as fresh as one of
		// our own would be.
		c.mu.Unlock()
		select {
		case <-r.done:
			return r.p, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r := &pollRead{done: make(chan struct{})}
	c.reading[id] = r
	c.mu.Unlock()

	// The read is shared, so one waiter's cancelled request must not fail the others'.
	r.p, r.err = c.st.Poll(context.WithoutCancel(ctx), id)
	c.mu.Lock()
	if c.reading[id] == r {
		delete(c.reading, id)
	}
	if r.err == nil && !r.dropped {
		if len(c.m) > 10000 { // many polls at once: start over rather than grow
			c.m = map[string]cachedPoll{}
		}
		c.m[id] = cachedPoll{p: r.p, at: time.Now()}
	}
	c.mu.Unlock()
	close(r.done)
	return r.p, r.err
}

// Invalidate drops a poll ("" drops all). A read under way is not kept, and whoever
// asks next reads the poll again.
func (c *PollCache) Invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == "" {
		c.m = map[string]cachedPoll{}
		for k, r := range c.reading {
			r.dropped = true
			delete(c.reading, k)
		}
		return
	}
	delete(c.m, id)
	if r := c.reading[id]; r != nil {
		r.dropped = true
		delete(c.reading, id)
	}
}
