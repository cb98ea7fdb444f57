package live

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"minyi/store"
)

// Outbound delivery of filed record entries: each entry is queued with
// its filing, and every instance's worker delivers due ones with retries and backoff. The
// receiver gets the entry as JSON, an HMAC-SHA256 of the body under its secret in
// X-Minyi-Signature, and the delivery's id in Idempotency-Key, so a repeat (after a crash
// between sending and recording) is recognised as the same.

// Delivery timing; tests shorten them.
type DeliveryTiming struct {
	Tick    time.Duration // how often an instance looks for due deliveries
	Lease   time.Duration // how long a delivery in flight is held
	Backoff time.Duration // the first wait after a failure, doubled each time (at most 10 min)
}

var defaultTiming = DeliveryTiming{Tick: time.Second, Lease: 30 * time.Second, Backoff: 2 * time.Second}

// Outbox is an instance's worker that delivers the filed entries due.
type Outbox struct {
	st     *store.Store
	log    *slog.Logger
	timing DeliveryTiming
}

// NewOutbox makes the worker; a zero timing is the default one.
func NewOutbox(st *store.Store, log *slog.Logger, t DeliveryTiming) *Outbox {
	if t.Tick == 0 {
		t = defaultTiming
	}
	return &Outbox{st: st, log: log, timing: t}
}

// deliverDue sends what is due now; it returns how many it tried.
func (o *Outbox) deliverDue(ctx context.Context) int {
	t := o.timing
	batch, err := o.st.ClaimDeliveries(ctx, 20, t.Lease)
	if err != nil {
		if ctx.Err() == nil {
			o.log.Warn("outbox", "err", err)
		}
		return 0
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, d := range batch {
		err := post(ctx, client, d)
		if err == nil {
			if err := o.st.Delivered(ctx, d.ID); err != nil {
				o.log.Warn("outbox: record delivery", "err", err)
			}
			continue
		}
		wait := t.Backoff << min(d.Attempts-1, 20)
		wait = min(wait, 10*time.Minute)
		if err := o.st.DeliveryFailed(ctx, d.ID, wait, err.Error()); err != nil {
			o.log.Warn("outbox: record failure", "err", err)
		}
	}
	return len(batch)
}

// Start delivers, every Tick, all that is due, until ctx ends.
func (o *Outbox) Start(ctx context.Context) {
	go func() {
		t := time.NewTicker(o.timing.Tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for o.deliverDue(ctx) > 0 && ctx.Err() == nil {
				}
			}
		}
	}()
}
