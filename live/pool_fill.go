package live

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	"minyi/store"
)

// Fill starts filling an open poll's pools on this instance, once.
func (ps *Pools) Fill(p *store.PollInfo) {
	k, err := ps.Key(p)
	if err != nil {
		ps.log.Error("ballot pool", "poll", p.ID, "err", err)
		return
	}
	ps.startFilling(k, p)
}

// startFilling starts filling the pools of an open poll's key, once.
func (ps *Pools) startFilling(k *Key, p *store.PollInfo) {
	k.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		k.stop = cancel
		ps.updateNeed(ctx, k, p.ID)
		var wg sync.WaitGroup
		for gid, gp := range k.groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ps.fillGroup(ctx, k, gid, gp)
			}()
		}
		go ps.watchPoll(ctx, cancel, p.ID, string(p.PublicKey), &wg, k)
	})
}

// updateNeed sets what each group's pool should hold from the poll's turnout: its voters
// who have not voted yet, within its capacity. Without a turnout it keeps the last.
func (ps *Pools) updateNeed(ctx context.Context, k *Key, pollID string) {
	tu, err := ps.st.Turnout(ctx, pollID)
	if err != nil {
		return
	}
	used := map[string]int{}
	for _, t := range tu {
		used[t.Group] = t.Used
	}
	for gid, gp := range k.groups {
		gp.need.Store(int64(max(0, min(cap(gp.ch), gp.expected-used[gid]))))
	}
}

// fillGroup prepares a group's ballots: at first until the pool holds what the group
// needs, then, whenever woken, again up to that only if the poll has been quiet.
func (ps *Pools) fillGroup(ctx context.Context, k *Key, groupID string, gp *groupPool) {
	for {
		if len(gp.ch) >= int(gp.need.Load()) {
			gp.filled.Store(true)
		}
		quiet := time.Since(time.Unix(0, gp.lastTake.Load())) >= poolQuiet
		if len(gp.ch) >= int(gp.need.Load()) || gp.filled.Load() && !quiet {
			select {
			case <-ctx.Done():
				return
			case <-gp.wake:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case ps.sem <- struct{}{}:
		}
		pb := k.Prepare(groupID, rand.Reader)
		<-ps.sem
		select {
		case gp.ch <- pb: // never blocks: this is the only sender, and the pool had room
		case <-ctx.Done():
			return
		}
	}
}
