package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
	"minyi/store/dbtest"
)

var foldKey = ballot.SumsKey("kept sums key, thirty-two bytes!")

// foldPoll is an open homomorphic poll of one voter group with voters tokens, on a
// store that keeps sums.
type foldPoll struct {
	p      *ballot.Poll
	k      *ballot.BoxKey
	public []byte
	g      string
	hs     [][]byte
}

func openFoldPoll(t *testing.T, s *store.Store, voters int) *foldPoll {
	t.Helper()
	s.SetSumsKey(foldKey)
	f := &foldPoll{p: newPoll(t, s)}
	f.g = f.p.Groups[0].ID
	d := elgamal.Deal(1, 1, rand.Reader)
	f.public = elgamal.JointKey([][]group.Element{d.Commitments}).Bytes()
	var err error
	if f.k, err = ballot.NewBoxKey(f.p, f.public); err != nil {
		t.Fatal(err)
	}
	f.hs = hashes(voters)
	if _, err := s.IssueTokens(ctx, f.p.ID, f.g, f.hs, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.OpenPoll(ctx, f.p.ID, store.BoxHomomorphic, f.public, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSlots(ctx, f.p.ID, f.k.Size()); err != nil {
		t.Fatal(err)
	}
	return f
}

// cast puts voter i's ballot in the box in a batch of its own, as in a quiet hall.
func (f *foldPoll) cast(t testing.TB, s *store.Store, i int) {
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: f.p.Forms[0].ID, Lines: map[string][]string{f.p.Forms[0].Evaluation.Subjects[0].ID: {grades[i%4]}}}}}
	cells, texts, err := f.p.Marks(f.g, &b)
	if err != nil {
		t.Fatal(err)
	}
	sealed, o, err := f.k.EncryptOpening(f.k.Prepare(f.g, rand.Reader), cells, texts)
	if err != nil {
		t.Fatal(err)
	}
	it := item(f.hs[i], f.p.ID, f.g, sealed)
	it.PollKey, it.Opening = f.public, o
	if err := s.Cast(ctx, it); err != nil {
		t.Fatal(err)
	}
}

// count closes the poll and counts it from its kept sums, checking the sums against the
// full check of every ballot.
func (f *foldPoll) count(t *testing.T, s *store.Store) *ballot.BoxSums {
	t.Helper()
	if err := s.ClosePoll(ctx, f.p.ID); err != nil {
		t.Fatal(err)
	}
	sums := countStreamed(t, s, f.k, f.p.ID, foldKey)
	full := countStreamed(t, s, f.k, f.p.ID, nil)
	for c := range full.Sums[0] {
		a, _ := full.Sums[0][c].MarshalBinary()
		b, _ := sums.Sums[0][c].MarshalBinary()
		if string(a) != string(b) {
			t.Fatalf("cell %d: the count's sum differs from the full check's", c)
		}
	}
	return sums
}

// countStreamed counts a closed poll's box as the server does (store.CountBox and
// BoxPlan.Sum): from its kept sums under key, or every ballot checked without one.
func countStreamed(t *testing.T, s *store.Store, k *ballot.BoxKey, pollID string, key ballot.SumsKey) *ballot.BoxSums {
	t.Helper()
	var sums *ballot.BoxSums
	err := s.CountBox(ctx, pollID, k, func(in *store.CountInput, plan *ballot.BoxPlan, box iter.Seq2[ballot.SealedBallot, error]) error {
		var err error
		sums, _, err = plan.Sum(box, in.Turnout, key, in.Sums, in.Closes)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func rowsOf(t *testing.T, s *store.Store, pollID string) (rows, ballots int) {
	t.Helper()
	rs, err := s.SumsRows(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		ballots += r.N
	}
	return len(rs), ballots
}

// In a quiet hall every batch leaves a row of one ballot. Folded while the poll is open,
// a group keeps one row and those written since, and the count still takes its sums from
// the rows, checking no ballot one by one.
func TestOpenFoldLeavesFewRows(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	f := openFoldPoll(t, s, 40)
	for i := range 30 {
		f.cast(t, s, i)
	}
	if n, err := s.FoldOpenSums(ctx, f.p.ID, 16, 512); err != nil || n != 30 {
		t.Fatalf("the fold replaced %d rows (%v), want the 30 batch rows", n, err)
	}
	if rows, n := rowsOf(t, s, f.p.ID); rows != 1 || n != 30 {
		t.Fatalf("after the fold %d rows of %d ballots, want one row of 30", rows, n)
	}
	for i := 30; i < 40; i++ {
		f.cast(t, s, i)
	}
	// Eleven rows are below the threshold: left as they are.
	if n, err := s.FoldOpenSums(ctx, f.p.ID, 16, 512); err != nil || n != 0 {
		t.Fatalf("the fold replaced %d of 11 rows (%v), want none below the threshold", n, err)
	}
	if rows, n := rowsOf(t, s, f.p.ID); rows != 11 || n != 40 {
		t.Fatalf("%d rows of %d ballots, want 11 rows of 40", rows, n)
	}
	sums := f.count(t, s)
	if sums.Checked != 0 || len(sums.Notes) != 0 {
		t.Fatalf("%d ballots checked one by one, notes %q: the folded rows were not taken", sums.Checked, sums.Notes)
	}
}

// A row whose MAC fails is not folded away: the count still finds it and checks the
// group in full.
func TestOpenFoldLeavesAnAlteredRow(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := openFoldPoll(t, s, 16)
	for i := range 16 {
		f.cast(t, s, i)
	}
	var altered string
	if err := db.QueryRow(`UPDATE box_sums SET n = n + 1 WHERE id = (SELECT id FROM box_sums WHERE poll_id = $1 LIMIT 1) RETURNING id`, f.p.ID).Scan(&altered); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FoldOpenSums(ctx, f.p.ID, 8, 512); err != nil || n != 15 {
		t.Fatalf("the fold replaced %d rows (%v), want the 15 that hold", n, err)
	}
	var left int
	if err := db.QueryRow(`SELECT count(*) FROM box_sums WHERE id = $1`, altered).Scan(&left); err != nil || left != 1 {
		t.Fatalf("the altered row is gone (%d, %v): the fold must leave it for the count", left, err)
	}
	sums := f.count(t, s)
	if sums.Checked != 16 || len(sums.Notes) != 1 || !strings.Contains(sums.Notes[0], "被改动") {
		t.Fatalf("%d ballots checked one by one, notes %q: want the group checked in full as altered", sums.Checked, sums.Notes)
	}
}

// Two instances fold one poll's rows while voters vote: neither waits for the other, no
// row is lost and none is folded twice.
func TestTwoInstancesFoldAtOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	var ss [2]*store.Store
	for i := range ss {
		var err error
		if ss[i], err = store.Open(ctx, url); err != nil {
			t.Fatal(err)
		}
		defer ss[i].Close()
	}
	const voters = 60
	f := openFoldPoll(t, ss[0], voters)
	ss[1].SetSumsKey(foldKey)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var folded [2]int
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := s.FoldOpenSums(ctx, f.p.ID, 2, 8)
				if err != nil {
					t.Error(err)
					return
				}
				folded[i] += n
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	for i := range voters {
		f.cast(t, ss[i%2], i)
	}
	close(done)
	wg.Wait()
	if folded[0] == 0 || folded[1] == 0 {
		t.Fatalf("rows replaced by each instance %v: both should have folded", folded)
	}
	if rows, n := rowsOf(t, ss[0], f.p.ID); n != voters || rows >= voters/2 {
		t.Fatalf("%d rows of %d ballots, want few rows of %d", rows, n, voters)
	}
	sums := f.count(t, ss[1])
	if sums.Checked != 0 || len(sums.Notes) != 0 {
		t.Fatalf("%d ballots checked one by one, notes %q: a row was lost or folded twice", sums.Checked, sums.Notes)
	}
}

// A fold passes by a poll that a close holds, without waiting for it, and never folds
// the rows of a closed poll into a batch row.
func TestOpenFoldPassesAClose(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := openFoldPoll(t, s, 40)
	for i := range 40 {
		f.cast(t, s, i)
	}
	closing, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := closing.Exec(`SELECT 1 FROM polls WHERE id = $1 FOR UPDATE`, f.p.ID); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	n, err := s.FoldOpenSums(wctx, f.p.ID, 32, 512)
	cancel()
	closing.Rollback()
	if err != nil || n != 0 {
		t.Fatalf("with the poll held by a close the fold replaced %d rows (%v), want it to pass by at once", n, err)
	}
	if err := s.ClosePoll(ctx, f.p.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FoldOpenSums(ctx, f.p.ID, 0, 512); err != nil || n != 0 {
		t.Fatalf("after close the fold replaced %d rows (%v), want none", n, err)
	}
	if sums := countStreamed(t, s, f.k, f.p.ID, foldKey); sums.Checked != 0 || len(sums.Notes) != 0 {
		t.Fatalf("%d ballots checked one by one, notes %q: the close's row was changed", sums.Checked, sums.Notes)
	}
}

// A close that comes while a fold holds its rows waits for the fold on the poll row, then
// folds the fold's row with the rest: nothing is left behind as a batch row, and the
// count takes the close's one row. Not parallel: the hook it sets is the whole package's,
// and would stop every other test's fold.
func TestCloseWaitsForAFold(t *testing.T) {
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := openFoldPoll(t, s, 40)
	for i := range 40 {
		f.cast(t, s, i)
	}
	closed := make(chan error, 1)
	defer store.SetFoldLocked(func() {
		go func() { closed <- s.ClosePoll(ctx, f.p.ID) }()
		// The close is under way once it waits on a lock the fold holds.
		for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			var waiting int
			if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
				t.Error(err)
				return
			}
			if waiting > 0 {
				return
			}
		}
		t.Error("the close never came to wait on the fold")
	})()
	if n, err := s.FoldOpenSums(ctx, f.p.ID, 32, 512); err != nil || n != 40 {
		t.Fatalf("the fold replaced %d rows (%v), want 40", n, err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if rows, n := rowsOf(t, s, f.p.ID); rows != 1 || n != 40 {
		t.Fatalf("after the close %d rows of %d ballots, want the close's one row of 40", rows, n)
	}
	if sums := countStreamed(t, s, f.k, f.p.ID, foldKey); sums.Checked != 0 || len(sums.Notes) != 0 {
		t.Fatalf("%d ballots checked one by one, notes %q: the close missed the fold's row", sums.Checked, sums.Notes)
	}
}
