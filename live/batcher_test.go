package live_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/live"
	"minyi/store"
	"minyi/store/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

var ctx = context.Background()

var units atomic.Int64 // numbers the units, whose names are unique

// openPoll makes an open poll of one group with n unused tokens, whose ballots the store
// keeps sealed whole (box 2), so any bytes stand for a ballot.
func openPoll(t *testing.T, st *store.Store, n int) (*ballot.Poll, [][]byte) {
	t.Helper()
	p := newPoll(t, st, n)
	hs := make([][]byte, n)
	for i := range hs {
		hs[i] = make([]byte, 32)
		rand.Read(hs[i])
	}
	if _, err := st.IssueTokens(ctx, p.ID, p.Groups[0].ID, hs, ""); err != nil {
		t.Fatal(err)
	}
	open(t, st, p.ID)
	return p, hs
}

// open opens a poll with a fresh key and a box of sealed ballots.
func open(t *testing.T, st *store.Store, pollID string) {
	t.Helper()
	k, err := ballot.NewPollKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.OpenPoll(ctx, pollID, 2, k.Public, nil, []byte("w")); err != nil {
		t.Fatal(err)
	}
}

// newPoll makes a draft poll of one group of n voters.
func newPoll(t *testing.T, st *store.Store, n int) *ballot.Poll {
	t.Helper()
	u, err := st.CreateUnit(ctx, fmt.Sprintf("第%d单位", units.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	p := &ballot.Poll{UnitID: u.ID, Title: "年度民主测评", Groups: []ballot.Group{{Name: "职工代表", Expected: n}},
		Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreatePoll(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	return p
}

func item(p *ballot.Poll, h []byte) store.CastItem {
	n := sha256.Sum256(append([]byte("nullifier"), h...))
	return store.CastItem{TokenHash: h, Nullifier: n[:], PollID: p.ID, GroupID: p.Groups[0].ID, Sealed: []byte("ballot")}
}

func used(t *testing.T, st *store.Store, pollID string) int {
	t.Helper()
	tu, err := st.Turnout(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	return tu[0].Used
}

// Voters who submit together share batches: each is answered after the commit that holds
// their ballot, a token sent twice counts once, and a submission after the stop is
// refused for the voter to send again.
func TestBatcherWritesEveryBallotOnce(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	p, hs := openPoll(t, st, 40)
	var sizes []int
	var mu sync.Mutex
	b := live.NewBatcher(st, func(n int, took time.Duration) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
	})
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { b.Run(runCtx); close(ran) }()
	errs := make([]error, 50)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.Cast(item(p, hs[i%40])) // the last ten send a token again
		}()
	}
	wg.Wait()
	ok, again := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case ballot.ErrorCode(err) == ballot.ETOKENUSED:
			again++
		default:
			t.Errorf("submit: %v", err)
		}
	}
	if ok != 40 || again != 10 || used(t, st, p.ID) != 40 {
		t.Fatalf("%d accepted, %d refused as used, %d tokens used; want 40, 10, 40", ok, again, used(t, st, p.ID))
	}
	mu.Lock()
	total := 0
	for _, n := range sizes {
		total += n
	}
	mu.Unlock()
	if total != 50 || len(sizes) >= 50 {
		t.Errorf("batches %v: 50 submissions in fewer batches than submissions", sizes)
	}
	stop()
	<-ran
	if err := b.Cast(item(p, hs[0])); ballot.ErrorCode(err) != ballot.ERETRY {
		t.Errorf("a submission after the stop: %v, want a retryable refusal", err)
	}
	if err := st.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if box, err := st.Box(ctx, p.ID); err != nil || len(box) != 40 {
		t.Fatalf("box of %d ballots (%v), want 40", len(box), err)
	}
}

// What is queued when the batcher stops (a server told to stop while voters' submissions
// wait for a batch) is still written, and each of those voters is answered. The batcher
// sees the stop and the queue at once and may take either first: twenty rounds, so that a
// stop that forgets the queue fails with all but a one-in-a-million chance.
func TestBatcherWritesWhatIsQueuedAtStop(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	const rounds, queued = 20, 5
	p, hs := openPoll(t, st, rounds*queued)
	for round := range rounds {
		b := live.NewBatcher(st, nil)
		errs := make(chan error, queued)
		for i := range queued {
			go func() { errs <- b.Cast(item(p, hs[round*queued+i])) }()
		}
		for start := time.Now(); b.Queued() < queued; time.Sleep(time.Millisecond) {
			if time.Since(start) > 10*time.Second {
				t.Fatalf("round %d: %d of %d submissions queued", round, b.Queued(), queued)
			}
		}
		stopped, stop := context.WithCancel(ctx)
		stop()
		b.Run(stopped)
		for range queued {
			select {
			case err := <-errs:
				if err != nil {
					t.Fatalf("round %d: a submission queued at the stop: %v", round, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d: a submission queued at the stop was never answered", round)
			}
		}
	}
	if n := used(t, st, p.ID); n != rounds*queued {
		t.Fatalf("%d tokens used, want %d", n, rounds*queued)
	}
	if err := st.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if box, err := st.Box(ctx, p.ID); err != nil || len(box) != rounds*queued {
		t.Fatalf("box of %d ballots (%v), want %d", len(box), err, rounds*queued)
	}
}

// A batch whose commit fails answers its voter with a retryable error and keeps nothing
// of it: the token stays unused, and the same ballot sent again is taken.
func TestBatcherFailedCommitKeepsNothing(t *testing.T) {
	t.Parallel()
	st := dbtest.New(t)
	p, hs := openPoll(t, st, 1)
	b := live.NewBatcher(st, nil)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go b.Run(runCtx)
	bad := item(p, hs[0])
	bad.Nullifier = []byte("short") // the box refuses it, failing the whole transaction
	if err := b.Cast(bad); ballot.ErrorCode(err) != ballot.ERETRY {
		t.Fatalf("a failed commit answered %v, want a retryable error", err)
	}
	if n := used(t, st, p.ID); n != 0 {
		t.Fatalf("%d tokens used by a failed commit", n)
	}
	if err := b.Cast(item(p, hs[0])); err != nil {
		t.Fatalf("the ballot sent again: %v", err)
	}
	if n := used(t, st, p.ID); n != 1 {
		t.Fatalf("%d tokens used after the ballot was taken", n)
	}
}
