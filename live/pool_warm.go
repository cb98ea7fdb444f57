package live

import (
	"context"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// Warm starts preparing an open poll's ballots on this instance and waits until every
// voter group's pool holds what its voters need or ctx ends, as an instance does on its
// own while a meeting settles in after the poll opens. It returns how many ballots are prepared.
func (ps *Pools) Warm(ctx context.Context, pollID string) (int, error) {
	p, err := ps.st.Poll(ctx, pollID)
	if err != nil {
		return 0, err
	}
	if p.Box != store.BoxHomomorphic || p.State != ballot.Open {
		return 0, nil
	}
	k, err := ps.Key(p)
	if err != nil {
		return 0, err
	}
	ps.startFilling(k, p)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		ready, full := 0, true
		for _, gp := range k.groups {
			ready += len(gp.ch)
			full = full && len(gp.ch) >= int(gp.need.Load())
		}
		if full {
			return ready, nil
		}
		select {
		case <-ctx.Done():
			return ready, ctx.Err()
		case <-t.C:
		}
	}
}

// FillOpen starts the pools of the polls open when the instance starts.
func (ps *Pools) FillOpen(ctx context.Context, cache *PollCache) {
	polls, err := ps.st.ListPolls(ctx, "")
	if err != nil {
		return
	}
	for _, sum := range polls {
		if sum.State != ballot.Open {
			continue
		}
		if p, err := cache.Get(ctx, sum.ID); err == nil && p.Box == store.BoxHomomorphic {
			ps.Fill(p)
		}
	}
}
