package live

import (
	"context"
	"strings"
	"sync"
	"time"

	"minyi/ballot"
)

// watchPoll stops the filling when the poll is no longer open with this key, or the
// instance shuts down, and lets the prepared ballots go. While the poll is open it
// follows its turnout and wakes the fillers.
func (ps *Pools) watchPoll(ctx context.Context, cancel func(), pollID, public string, wg *sync.WaitGroup, k *Key) {
	t := time.NewTicker(poolCheck)
	defer t.Stop()
	for open := true; open; {
		select {
		case <-ps.done:
			open = false
		case <-ctx.Done():
			open = false
		case <-t.C:
			p, err := ps.st.Poll(context.Background(), pollID)
			open = err == nil && p.State == ballot.Open && string(p.PublicKey) == public
			if open {
				ps.foldOpenSums(ctx, pollID)
				ps.updateNeed(ctx, k, pollID)
				for _, gp := range k.groups {
					select {
					case gp.wake <- struct{}{}:
					default:
					}
				}
			}
		}
	}
	cancel()
	wg.Wait()
	ps.mu.Lock()
	delete(ps.keys, pollID+"\x00"+public)
	ps.mu.Unlock()
}

// Stop ends the filling of a poll's pools on this instance (it closed here; the
// other instances see it within poolCheck).
func (ps *Pools) Stop(pollID string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for id, k := range ps.keys {
		if strings.HasPrefix(id, pollID+"\x00") {
			k.start.Do(func() {}) // never to start now
			if k.stop != nil {
				k.stop()
			}
		}
	}
}
