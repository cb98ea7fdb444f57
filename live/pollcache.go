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
type PollCache struct {
	st *store.Store
	mu sync.Mutex
	m  map[string]cachedPoll
}

type cachedPoll struct {
	p  *store.PollInfo
	at time.Time
}

const pollCacheTTL = 2 * time.Second

// NewPollCache makes an empty cache reading from st.
func NewPollCache(st *store.Store) *PollCache {
	return &PollCache{st: st, m: map[string]cachedPoll{}}
}

// Get is the poll, as read at most pollCacheTTL ago.
func (c *PollCache) Get(ctx context.Context, id string) (*store.PollInfo, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.at) < pollCacheTTL {
		return e.p, nil
	}
	p, err := c.st.Poll(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 { // many polls at once: start over rather than grow
		c.m = map[string]cachedPoll{}
	}
	c.m[id] = cachedPoll{p: p, at: time.Now()}
	c.mu.Unlock()
	return p, nil
}

// Invalidate drops a poll ("" drops all).
func (c *PollCache) Invalidate(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id == "" {
		c.m = map[string]cachedPoll{}
		return
	}
	delete(c.m, id)
}
