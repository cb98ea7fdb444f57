package server

import (
	"context"
	"crypto/rand"
	"runtime"
	"strings"
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

type pools struct {
	mu   sync.Mutex
	keys map[string]*boxKey // poll id and public key
	sem  chan struct{}      // the cores the background may use
}

// boxKey is a poll's BoxKey with its voter groups' pools.
type boxKey struct {
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

func newPools() *pools {
	return &pools{keys: map[string]*boxKey{}, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))}
}

// boxKey returns the poll's box key, made once per poll and key: a poll reopened with a
// new key (a wiped rehearsal) gets new pools, and its old key's ballots are never used.
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
	k := &boxKey{BoxKey: bk, groups: map[string]*groupPool{}}
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
		if s.cfg.PrepareAhead != 0 {
			n = max(0, min(n, s.cfg.PrepareAhead))
		}
		gp := &groupPool{ch: make(chan *ballot.Prepared, n), expected: g.Expected, wake: make(chan struct{}, 1)}
		gp.need.Store(int64(n))
		k.groups[g.ID] = gp
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
		s.updateNeed(ctx, k, p.ID)
		var wg sync.WaitGroup
		for gid, gp := range k.groups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.fillGroup(ctx, k, gid, gp)
			}()
		}
		go s.watchPoll(ctx, cancel, p.ID, string(p.PublicKey), &wg, k)
	})
}

// updateNeed sets what each group's pool should hold from the poll's turnout: its voters
// who have not voted yet, within its capacity. Without a turnout it keeps the last.
func (s *Server) updateNeed(ctx context.Context, k *boxKey, pollID string) {
	tu, err := s.store.Turnout(ctx, pollID)
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
func (s *Server) fillGroup(ctx context.Context, k *boxKey, groupID string, gp *groupPool) {
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
		case s.pools.sem <- struct{}{}:
		}
		pb := k.Prepare(groupID, rand.Reader)
		<-s.pools.sem
		select {
		case gp.ch <- pb: // never blocks: this is the only sender, and the pool had room
		case <-ctx.Done():
			return
		}
	}
}

// watchPoll stops the filling when the poll is no longer open with this key, or the
// instance shuts down, and lets the prepared ballots go. While the poll is open it
// follows its turnout and wakes the fillers.
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
			if open {
				s.foldOpenSums(ctx, pollID)
				s.updateNeed(ctx, k, pollID)
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
	if gp, ok := k.groups[groupID]; ok {
		gp.lastTake.Store(time.Now().UnixNano())
		select {
		case pb := <-gp.ch:
			return pb
		default:
		}
	}
	return k.Prepare(groupID, rand.Reader)
}

// judgement is a submitted ballot as the door read it: its spoilt lines and, for a box-3
// poll, its cells and texts in the key's layout, read once.
type judgement struct {
	spoilt []ballot.Spoilt
	key    *boxKey
	cells  []uint8
	texts  []ballot.Text
}

// judge checks a ballot a voter of the group submits with the rule that will count it.
func (s *Server) judge(p *store.PollInfo, groupID string, b *ballot.Ballot) (judgement, error) {
	if p.Box != store.BoxHomomorphic {
		spoilt, err := p.CheckGroup(groupID, b)
		return judgement{spoilt: spoilt}, err
	}
	k, err := s.openBoxKey(p)
	if err != nil {
		return judgement{}, err
	}
	j := judgement{key: k}
	j.spoilt, j.cells, j.texts, err = k.Judge(groupID, b)
	return j, err
}

// openBoxKey is the poll's box key, its pools filling while the poll is open.
func (s *Server) openBoxKey(p *store.PollInfo) (*boxKey, error) {
	k, err := s.boxKey(p)
	if err != nil {
		return nil, err
	}
	if p.State == ballot.Open {
		s.startFilling(k, p)
	}
	return k, nil
}

// seal fills a prepared ballot of the group with the cells and texts read at the door,
// and gives the ballot's bytes, its receipt, and its opening for the batch's kept sums.
func (k *boxKey) seal(groupID string, cells []uint8, texts []ballot.Text) ([]byte, []byte, *ballot.Opening, error) {
	sealed, o, err := k.EncryptOpening(k.prepared(groupID), cells, texts)
	if err != nil {
		return nil, nil, nil, err
	}
	return sealed, o.Receipt(), o, nil
}

// encrypt turns a checked ballot of a box-3 poll into its ciphertexts and receipt.
func (s *Server) encrypt(p *store.PollInfo, groupID string, b *ballot.Ballot) ([]byte, []byte, *ballot.Opening, error) {
	k, err := s.openBoxKey(p)
	if err != nil {
		return nil, nil, nil, err
	}
	cells, texts, err := p.Marks(groupID, b)
	if err != nil {
		return nil, nil, nil, err
	}
	return k.seal(groupID, cells, texts)
}

// WarmPool starts preparing an open poll's ballots on this instance and waits until every
// voter group's pool holds what its voters need or ctx ends, as an instance does on its own while a meeting
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

// The rows of kept sums of an open poll are folded as it goes (store.FoldOpenSums): a
// group with more than foldKeep rows has up to foldMost of them folded into one at each
// poolCheck. In a quiet hall a batch holds one ballot, and a close that decoded a row per
// voter would take longer than its budget; in a burst a batch holds many, so the rows
// grow slowly and the bounded fold takes little of a core.
const (
	foldKeep = 32
	foldMost = 512
)

// foldOpenSums folds an open poll's rows, on one of the cores the pools may use, and not
// while the instance drains. Every instance with the poll open does so; they never wait
// on each other nor fold one row twice.
func (s *Server) foldOpenSums(ctx context.Context, pollID string) {
	if s.draining.Load() {
		return
	}
	select {
	case <-ctx.Done():
		return
	case s.pools.sem <- struct{}{}:
	}
	defer func() { <-s.pools.sem }()
	if _, err := s.store.FoldOpenSums(ctx, pollID, foldKeep, foldMost); err != nil && ctx.Err() == nil {
		s.log.Error("fold kept sums", "poll", pollID, "err", err)
	}
}
