package live

import (
	"log/slog"
	"runtime"
	"sync"
	"time"

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

// NewPools makes the pools of an instance reading from st. prepareAhead is how many
// ballots each voter group's pool holds at most (0: its 应到, within the budget; below
// 0: none). The filling stops when done is closed; no fold starts while draining says so.
func NewPools(st *store.Store, log *slog.Logger, prepareAhead int, done <-chan struct{}, draining func() bool) *Pools {
	return &Pools{st: st, log: log, prepareAhead: prepareAhead, done: done, draining: draining,
		keys: map[string]*Key{}, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
}
