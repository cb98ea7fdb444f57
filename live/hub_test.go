package live

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type count struct{ N int64 }

// Many streams of one poll and a burst of changes cost a few computations, not one per
// stream or per change, and every stream is sent the last count.
func TestHubSharesComputations(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	done := make(chan struct{})
	defer close(done)
	h := NewHub(func(ctx context.Context, id string) (*count, error) {
		return &count{N: n.Load()}, nil
	}, 50*time.Millisecond, done)
	const streams = 40
	var wg sync.WaitGroup
	var leave []func()
	got := make([]string, streams)
	for i := range streams {
		f, ch, cancel := h.Subscribe("p")
		leave = append(leave, cancel)
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.After(5 * time.Second)
			for {
				select {
				case <-ch:
					got[i] = string(f.Msg().Event)
					if strings.Contains(got[i], `"N":100`) {
						return
					}
				case <-deadline:
					return
				}
			}
		}()
	}
	if h.Count() != streams {
		t.Fatalf("%d streams open, want %d", h.Count(), streams)
	}
	start := time.Now()
	for range 100 {
		n.Add(1)
		h.Publish("p")
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	// one computation per interval of 50 ms at most, and the first and the last
	most := int64(time.Since(start)/(50*time.Millisecond)) + 2
	for i, ev := range got {
		if ev != "event: turnout\ndata: {\"N\":100}\n\n" {
			t.Fatalf("stream %d last got %q, not the last count", i, ev)
		}
	}
	if c := h.Computed(); c > most {
		t.Errorf("%d computations for 40 streams and 100 changes, at most %d expected", c, most)
	}
	if m := h.Latest("p"); m == nil || m.View == nil || m.View.N != 100 || string(m.JSON) != `{"N":100}` {
		t.Errorf("latest message %+v", m)
	}
	for _, cancel := range leave {
		cancel()
	}
	if h.Count() != 0 || h.Latest("p") != nil {
		t.Errorf("after every stream left: %d streams, latest %v", h.Count(), h.Latest("p"))
	}
}

// A computation that fails sends the failure event and is tried again by itself, since no
// notification may come to wake it.
func TestHubRetriesAFailure(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	done := make(chan struct{})
	defer close(done)
	h := NewHub(func(ctx context.Context, id string) (*count, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("database unreachable")
		}
		return &count{N: 7}, nil
	}, time.Millisecond, done)
	f, ch, cancel := h.Subscribe("p")
	defer cancel()
	var events []string
	for len(events) < 2 {
		select {
		case <-ch:
			events = append(events, string(f.Msg().Event))
		case <-time.After(10 * time.Second):
			t.Fatalf("events so far %q: the failure was not tried again", events)
		}
	}
	if events[0] != "event: failure\ndata: {}\n\n" || events[1] != "event: turnout\ndata: {\"N\":7}\n\n" {
		t.Fatalf("events %q", events)
	}
}
