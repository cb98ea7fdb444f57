package live

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Live turnout (DESIGN: SSE from an in-process hub fed by PostgreSQL LISTEN/NOTIFY). A
// change on any instance notifies every instance; each instance then computes the poll's
// turnout once, at most every few hundred milliseconds while changes keep coming, and
// writes the same rendered event to every stream of that poll. A thousand dashboards
// therefore cost the database what one does, and never take the connections voters need.
// Only counts of people travel here, never a vote.

// Hub keeps one feed per watched poll. V is the view a computation gives, sent to the
// streams as JSON.
type Hub[V any] struct {
	mu       sync.Mutex
	feeds    map[string]*Feed[V]
	compute  func(ctx context.Context, pollID string) (*V, error)
	every    time.Duration
	done     <-chan struct{}
	computed atomic.Int64 // computations so far, for the metrics
}

// NewHub makes a hub that computes a watched poll's view at most once every every, until
// done is closed.
func NewHub[V any](compute func(context.Context, string) (*V, error), every time.Duration, done <-chan struct{}) *Hub[V] {
	return &Hub[V]{feeds: map[string]*Feed[V]{}, compute: compute, every: every, done: done}
}

// Subscribe returns the poll's feed and a channel that is signalled when the feed has a
// new message; it is signalled at once when the feed has one already, so a dashboard that
// joins costs no query.
func (h *Hub[V]) Subscribe(pollID string) (*Feed[V], chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	f := h.feeds[pollID]
	if f == nil {
		f = &Feed[V]{id: pollID, kick: make(chan struct{}, 1), quit: make(chan struct{}), subs: map[chan struct{}]bool{}}
		h.feeds[pollID] = f
		f.signal()
		go h.run(f)
	}
	f.subs[ch] = true
	if f.msg.Load() != nil {
		ch <- struct{}{}
	}
	h.mu.Unlock()
	return f, ch, func() {
		h.mu.Lock()
		delete(f.subs, ch)
		if len(f.subs) == 0 && h.feeds[pollID] == f {
			delete(h.feeds, pollID)
			close(f.quit)
		}
		h.mu.Unlock()
	}
}

// Publish says a poll's turnout changed; "" says anything may have changed.
func (h *Hub[V]) Publish(pollID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if pollID == "" {
		for _, f := range h.feeds {
			f.signal()
		}
		return
	}
	if f := h.feeds[pollID]; f != nil {
		f.signal()
	}
}

// Latest is the poll's current message when a feed is running, nil otherwise.
func (h *Hub[V]) Latest(pollID string) *Msg[V] {
	h.mu.Lock()
	f := h.feeds[pollID]
	h.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.msg.Load()
}

// Count is the number of open streams.
func (h *Hub[V]) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.feeds {
		n += len(f.subs)
	}
	return n
}

// Computed is how many computations the hub has made, for the metrics.
func (h *Hub[V]) Computed() int64 { return h.computed.Load() }
