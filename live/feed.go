package live

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"
)

// Msg is one computation of a poll's live view, rendered once for every stream.
type Msg[V any] struct {
	View  *V     // nil when the computation failed
	Event []byte // the SSE event, ready to write
	JSON  []byte // the same view for the polling fallback
}

// Feed is the turnout of one poll on this instance, kept while someone watches it.
type Feed[V any] struct {
	id   string
	kick chan struct{} // a change arrived (one pending signal is enough)
	quit chan struct{} // closed when the last stream leaves
	subs map[chan struct{}]bool
	msg  atomic.Pointer[Msg[V]]
}

// Msg is the feed's latest message, nil before its first computation.
func (f *Feed[V]) Msg() *Msg[V] { return f.msg.Load() }

func (f *Feed[V]) signal() {
	select {
	case f.kick <- struct{}{}:
	default: // a computation is pending already and will see this change
	}
}

// liveRetryAfterFailure is when a feed tries again after its computation failed (the
// database unreachable): no notification may come to wake it.
const liveRetryAfterFailure = 2 * time.Second

// run computes a feed's message on every change, no more often than h.every, until the
// last stream leaves. A change that arrives during a computation leaves a signal behind,
// so it is computed next: none is lost, however many are folded together.
func (h *Hub[V]) run(f *Feed[V]) {
	var last time.Time
	for {
		select {
		case <-f.quit:
			return
		case <-h.done:
			return
		case <-f.kick:
		}
		if wait := h.every - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-f.quit:
				t.Stop()
				return
			case <-h.done:
				t.Stop()
				return
			case <-t.C:
			}
		}
		select { // changes that came while waiting are in what is read now
		case <-f.kick:
		default:
		}
		last = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := h.compute(ctx, f.id)
		cancel()
		h.computed.Add(1)
		m := &Msg[V]{Event: []byte("event: failure\ndata: {}\n\n")}
		if err == nil {
			b, _ := json.Marshal(v)
			m = &Msg[V]{View: v, JSON: b, Event: fmt.Appendf(nil, "event: turnout\ndata: %s\n\n", b)}
		} else {
			time.AfterFunc(liveRetryAfterFailure, f.signal)
		}
		f.msg.Store(m)
		h.mu.Lock()
		for ch := range f.subs {
			select {
			case ch <- struct{}{}:
			default: // the stream has not written the previous message yet; it will write this one
			}
		}
		h.mu.Unlock()
	}
}
