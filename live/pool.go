package live

import (
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// Encrypting a ballot's marks costs a few point multiplications and proofs per cell; done
// at submit, a thirty-subject form would keep a voter waiting and a burst of voters would
// queue. So while a poll is open, each instance works its ballots out ahead: per voter
// group, a pool of prepared ballots (randomness, ciphertexts and proofs for every value a
// cell or a line may take, as encodings), filled in the background from the moment the
// poll opens, up to the group's 应到 less those who voted, within a memory budget. A submit
// takes one and only fills it in. An empty pool is not an error: the submit prepares its
// own, slower.
//
// The pool is filled once; it is refilled only while the poll is quiet (no ballot taken
// for poolQuiet) and only up to what its voters still need, so the background never takes
// a core from a burst of voters, nor prepares ballots nobody is left to cast.

// poolBudget bounds the memory one poll's prepared ballots take on an instance.
const poolBudget = 256 << 20

// poolCheck is how often a filling pool asks whether its poll is still open and how many
// of its voters have voted.
const poolCheck = 5 * time.Second

// poolQuiet is how long no ballot must have been taken from a pool before it is refilled.
const poolQuiet = 3 * time.Second

// Pools are the prepared ballots of the polls open on this instance.
type Pools struct {
	st           *store.Store
	log          *slog.Logger
	prepareAhead int
	done         <-chan struct{}
	draining     func() bool

	mu   sync.Mutex
	keys map[string]*Key // poll id and public key
	sem  chan struct{}   // the cores the background may use
}

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

// NewPools makes the pools of an instance reading from st. prepareAhead is how many
// ballots each voter group's pool holds at most (0: its 应到, within the budget; below
// 0: none). The filling stops when done is closed; no fold starts while draining says so.
func NewPools(st *store.Store, log *slog.Logger, prepareAhead int, done <-chan struct{}, draining func() bool) *Pools {
	return &Pools{st: st, log: log, prepareAhead: prepareAhead, done: done, draining: draining,
		keys: map[string]*Key{}, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
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
