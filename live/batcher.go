package live

import (
	"sync"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// Batched writes. Submissions wait a moment to share a transaction
// with the others arriving then: tokens burned with one statement, ballots inserted in a
// random order. Each voter is answered only after the commit that holds their ballot; a
// token already used, in the batch or before, is refused alone; a failed commit fails
// every waiter in it with a retryable error, and nothing of it is kept.

const (
	batchMax  = 100                  // ballots in one transaction at most
	batchWait = 2 * time.Millisecond // how long the first waits for company
	// batchWriters is how many batches are written at once: one transaction is one
	// PostgreSQL backend on one core, and a box-3 ballot of ten kilobytes or more keeps it
	// busy, so one writer alone leaves the database's other cores idle during a burst.
	batchWriters = 4
)

type castRequest struct {
	item store.CastItem
	done chan error
}

// Batcher writes the submissions of an instance in batches.
type Batcher struct {
	st      *store.Store
	written func(size int, took time.Duration) // told of every batch committed or failed
	in      chan castRequest
	mu      sync.RWMutex
	closed  bool
}

// NewBatcher makes a batcher writing to st; written, when given, is told each batch's
// size and how long its write took.
func NewBatcher(st *store.Store, written func(size int, took time.Duration)) *Batcher {
	if written == nil {
		written = func(int, time.Duration) {}
	}
	return &Batcher{st: st, written: written, in: make(chan castRequest, 8*batchMax)}
}

// Stop refuses submissions from now on; those queued are still written.
func (b *Batcher) Stop() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// Cast queues one submission and waits for its batch's commit.
func (b *Batcher) Cast(item store.CastItem) error {
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		// No batch will write it, so nothing else clears what opens its cells.
		item.Opening.Wipe()
		return ballot.Errorf(ballot.ERETRY, "服务器正在重启，选票没有提交，请稍后再次提交")
	}
	done := make(chan error, 1)
	b.in <- castRequest{item: item, done: done}
	b.mu.RUnlock()
	return <-done
}
