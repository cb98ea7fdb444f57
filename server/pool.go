package server

import (
	"context"
	"crypto/rand"
	"runtime"
	"strings"
	"sync"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// Encrypting a ballot's marks costs a few variable-base multiplications and proofs per
// cell; done at submit, a thirty-subject form would keep a voter waiting and a burst of
// voters would queue. So while a poll is open, each instance works its ballots out ahead:
// per voter group, a pool of prepared ballots (randomness, ciphertexts and proofs for
// every value a cell or a line may take), filled in the background from the moment the
// poll opens, up to the group's 应到 and within a memory budget. A submit takes one and
// only fills it in. An empty pool is not an error: the submit prepares its own, slower.

// poolBudget bounds the memory one poll's prepared ballots take on an instance.
const poolBudget = 256 << 20

// poolCheck is how often a filling pool asks whether its poll is still open.
const poolCheck = 5 * time.Second

type pools struct {
	mu   sync.Mutex
	keys map[string]*boxKey // poll id and public key
	sem  chan struct{}      // the cores the background may use
}

// boxKey is a poll's BoxKey with its voter groups' pools.
type boxKey struct {
	*ballot.BoxKey
	groups map[string]chan *ballot.Prepared
	start  sync.Once
	stop   func() // ends the filling; set once started
}

func newPools() *pools {
	return &pools{keys: map[string]*boxKey{}, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
}

// boxKey returns the poll's box key, made once per poll and key.
func (s *Server) boxKey(p *store.PollInfo) (*boxKey, error) {
	id := p.ID + "\x00" + string(p.PublicKey)
	s.pools.mu.Lock()
	defer s.pools.mu.Unlock()
	if k, ok := s.pools.keys[id]; ok {
		return k, nil
	}
	bk, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	k := &boxKey{BoxKey: bk, groups: map[string]chan *ballot.Prepared{}}
	per := max(1, bk.PreparedSize())
	room := max(1, poolBudget/per/max(1, len(p.Groups)))
	for _, g := range p.Groups {
		n := min(g.Expected, room)
		if s.cfg.PrepareAhead != 0 {
			n = max(0, min(n, s.cfg.PrepareAhead))
		}
		k.groups[g.ID] = make(chan *ballot.Prepared, n)
	}
	s.pools.keys[id] = k
	return k, nil
}

// fillPools starts filling an open poll's pools on this instance, once.
func (s *Server) fillPools(p *store.PollInfo) {
	k, err := s.boxKey(p)
	if err != nil {
		s.log.Error("ballot pool", "poll", p.ID, "err", err)
		return
	}
	s.startFilling(k, p)
}

// startFilling starts filling the pools of an open poll's key, once.
func (s *Server) startFilling(k *boxKey, p *store.PollInfo) {
	k.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		k.stop = cancel
		var wg sync.WaitGroup
		for gid, ch := range k.groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.fillGroup(ctx, k, gid, ch)
			}()
		}
		go s.watchPoll(ctx, cancel, p.ID, string(p.PublicKey), &wg, k)
	})
}

// fillGroup prepares ballots for a group until its pool is full or the poll is over.
func (s *Server) fillGroup(ctx context.Context, k *boxKey, groupID string, ch chan *ballot.Prepared) {
	for {
		select {
		case <-ctx.Done():
			return
		case s.pools.sem <- struct{}{}:
		}
		pb := k.Prepare(groupID, rand.Reader)
		<-s.pools.sem
		select {
		case ch <- pb:
		case <-ctx.Done():
			return
		}
	}
}

// watchPoll stops the filling when the poll is no longer open with this key, or the
// instance shuts down, and lets the prepared ballots go.
func (s *Server) watchPoll(ctx context.Context, cancel func(), pollID, public string, wg *sync.WaitGroup, k *boxKey) {
	t := time.NewTicker(poolCheck)
	defer t.Stop()
	for open := true; open; {
		select {
		case <-s.done:
			open = false
		case <-ctx.Done():
			open = false
		case <-t.C:
			p, err := s.store.Poll(context.Background(), pollID)
			open = err == nil && p.State == ballot.Open && string(p.PublicKey) == public
		}
	}
	cancel()
	wg.Wait()
	s.pools.mu.Lock()
	delete(s.pools.keys, pollID+"\x00"+public)
	s.pools.mu.Unlock()
}

// stopPools ends the filling of a poll's pools on this instance (it closed here; the
// other instances see it within poolCheck).
func (s *Server) stopPools(pollID string) {
	s.pools.mu.Lock()
	defer s.pools.mu.Unlock()
	for id, k := range s.pools.keys {
		if strings.HasPrefix(id, pollID+"\x00") {
			k.start.Do(func() {}) // never to start now
			if k.stop != nil {
				k.stop()
			}
		}
	}
}

// prepared takes a prepared ballot for the group, or prepares one now.
func (k *boxKey) prepared(groupID string) *ballot.Prepared {
	select {
	case pb := <-k.groups[groupID]:
		return pb
	default:
		return k.Prepare(groupID, rand.Reader)
	}
}

// encrypt turns a checked ballot of a box-3 poll into its ciphertexts.
func (s *Server) encrypt(p *store.PollInfo, groupID string, b *ballot.Ballot) ([]byte, *boxKey, error) {
	k, err := s.boxKey(p)
	if err != nil {
		return nil, nil, err
	}
	if p.State == ballot.Open {
		s.startFilling(k, p)
	}
	cells, texts, err := p.Marks(groupID, b)
	if err != nil {
		return nil, nil, err
	}
	out, err := k.Encrypt(k.prepared(groupID), cells, texts)
	return out, k, err
}

// WarmPool starts preparing an open poll's ballots on this instance and waits until every
// voter group's pool is full or ctx ends, as an instance does on its own while a meeting
// settles in after the poll opens. It returns how many ballots are prepared.
func (s *Server) WarmPool(ctx context.Context, pollID string) (int, error) {
	p, err := s.store.Poll(ctx, pollID)
	if err != nil {
		return 0, err
	}
	if p.Box != store.BoxHomomorphic || p.State != ballot.Open {
		return 0, nil
	}
	k, err := s.boxKey(p)
	if err != nil {
		return 0, err
	}
	s.startFilling(k, p)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		ready, full := 0, true
		for _, ch := range k.groups {
			ready += len(ch)
			full = full && len(ch) == cap(ch)
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

// fillOpenPools starts the pools of the polls open when the instance starts.
func (s *Server) fillOpenPools(ctx context.Context) {
	polls, err := s.store.ListPolls(ctx, "")
	if err != nil {
		return
	}
	for _, ps := range polls {
		if ps.State != ballot.Open {
			continue
		}
		if p, err := s.polls.get(ctx, ps.ID); err == nil && p.Box == store.BoxHomomorphic {
			s.fillPools(p)
		}
	}
}
