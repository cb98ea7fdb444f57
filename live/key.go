package live

import (
	"sync"
	"sync/atomic"

	"minyi/ballot"
	"minyi/store"
)

// Key is a poll's BoxKey with its voter groups' pools.
type Key struct {
	*ballot.BoxKey
	groups map[string]*groupPool
	start  sync.Once
	stop   func() // ends the filling; set once started
}

// groupPool is the prepared ballots of one voter group. Only its filler puts ballots in;
// each ballot is received from the channel once, by one submit.
type groupPool struct {
	ch       chan *ballot.Prepared
	expected int
	need     atomic.Int64 // how many the pool should hold: its capacity, less the group's votes
	filled   atomic.Bool  // the first filling reached need
	lastTake atomic.Int64 // unix nanoseconds of the last ballot taken
	wake     chan struct{}
}

// Key returns the poll's box key, made once per poll and key: a poll reopened with a
// new key (a wiped rehearsal) gets new pools, and its old key's ballots are never used.
func (ps *Pools) Key(p *store.PollInfo) (*Key, error) {
	id := p.ID + "\x00" + string(p.PublicKey)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if k, ok := ps.keys[id]; ok {
		return k, nil
	}
	bk, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	k := &Key{BoxKey: bk, groups: map[string]*groupPool{}}
	// The budget is shared by the groups as their 应到 are.
	room, expected := max(1, poolBudget/max(1, bk.PreparedSize())), 0
	for _, g := range p.Groups {
		expected += max(0, g.Expected)
	}
	for _, g := range p.Groups {
		n := max(0, g.Expected)
		if expected > room {
			n = n * room / expected
		}
		if ps.prepareAhead != 0 {
			n = max(0, min(n, ps.prepareAhead))
		}
		gp := &groupPool{ch: make(chan *ballot.Prepared, n), expected: g.Expected, wake: make(chan struct{}, 1)}
		gp.need.Store(int64(n))
		k.groups[g.ID] = gp
	}
	ps.keys[id] = k
	return k, nil
}
