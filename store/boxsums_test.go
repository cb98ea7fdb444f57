package store_test

import (
	"crypto/rand"
	"iter"
	"strings"
	"testing"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
	"minyi/store/dbtest"
)

// A row of kept sums holds, like a ballot row, nothing that names an instance, a run or a
// moment: a random id, the poll, the group, and what its ballots add up to.
func TestBoxSumsTableHasNoLinkColumns(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	cols, err := s.Columns(ctx, "box_sums")
	if err != nil {
		t.Fatal(err)
	}
	want := "group_id:uuid id:uuid mac:bytea n:integer poll_id:uuid sums:bytea tags:bytea"
	if got := strings.Join(cols, " "); got != want {
		t.Fatalf("box_sums columns = %q, want exactly %q", got, want)
	}
}

// A batch writes the row of the ballots it put in the box, not of those it refused (a
// token used twice in the batch, an unknown token); a close folds the rows into one per
// group, and the count's sums from it are the box's.
func TestBatchSumsCoverWhatTheBatchKept(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	key := ballot.SumsKey("kept sums key, thirty-two bytes!")
	s.SetSumsKey(key)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	d := elgamal.Deal(1, 1, rand.Reader)
	public := elgamal.JointKey([][]group.Element{d.Commitments}).Bytes()
	k, err := ballot.NewBoxKey(p, public)
	if err != nil {
		t.Fatal(err)
	}
	hs := hashes(5)
	if _, err := s.IssueTokens(ctx, p.ID, g, hs, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.OpenPoll(ctx, p.ID, store.BoxHomomorphic, public, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSlots(ctx, p.ID, k.Size()); err != nil {
		t.Fatal(err)
	}
	seal := func(h []byte, grade string) store.CastItem {
		b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: p.Forms[0].ID, Lines: map[string][]string{p.Forms[0].Evaluation.Subjects[0].ID: {grade}}}}}
		cells, texts, err := p.Marks(g, &b)
		if err != nil {
			t.Fatal(err)
		}
		sealed, o, err := k.EncryptOpening(k.Prepare(g, rand.Reader), cells, texts)
		if err != nil {
			t.Fatal(err)
		}
		it := item(h, p.ID, g, sealed)
		it.PollKey, it.Opening = public, o
		return it
	}
	batches := [][]store.CastItem{
		{seal(hs[0], "优秀"), seal(hs[1], "称职"), seal(hs[0], "不称职"), seal(hashes(1)[0], "不称职")},
		{seal(hs[2], "优秀")},
		{seal(hs[3], "基本称职"), seal(hs[1], "不称职")},
	}
	for i, b := range batches {
		if _, err := s.CastBatch(ctx, b); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	rows, err := s.SumsRows(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ns []int
	for _, r := range rows {
		ns = append(ns, r.N)
	}
	if len(rows) != 3 || rows[0].N+rows[1].N+rows[2].N != 4 {
		t.Fatalf("rows of %v ballots, want three rows of the 4 ballots put in the box", ns)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if rows, err = s.SumsRows(ctx, p.ID); err != nil || len(rows) != 1 || rows[0].N != 4 {
		t.Fatalf("after close %d rows (%v), want one of 4 ballots", len(rows), err)
	}
	box, err := s.Box(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tu, err := s.Turnout(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	k.SortBox(box)
	sums := k.SumKept(box, tu, key, rows, 1)
	if sums.Checked != 0 || len(sums.Notes) != 0 || len(box) != 4 {
		t.Fatalf("%d of %d ballots checked one by one, notes %q: the kept sums do not match the box", sums.Checked, len(box), sums.Notes)
	}
	full := k.Sum(box, tu)
	for c := range full.Sums[0] {
		a, _ := full.Sums[0][c].MarshalBinary()
		b, _ := sums.Sums[0][c].MarshalBinary()
		if string(a) != string(b) {
			t.Fatalf("cell %d: the kept sum differs from the box's", c)
		}
	}
}

// Paper ballots go into the box after close while the count reads it: every read sees
// the box, the turnout and the rows of one moment, so no read finds the rows counting a
// ballot the box does not hold yet, and none makes the count say a ballot may have been
// deleted.
func TestCountInputReadsOneMoment(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	s.SetCountChunks(2, 2) // the box's 15 ballots read in chunks, the paper ones going in between
	key := ballot.SumsKey("kept sums key, thirty-two bytes!")
	s.SetSumsKey(key)
	p := newPoll(t, s)
	g := p.Groups[0].ID
	d := elgamal.Deal(1, 1, rand.Reader)
	public := elgamal.JointKey([][]group.Element{d.Commitments}).Bytes()
	k, err := ballot.NewBoxKey(p, public)
	if err != nil {
		t.Fatal(err)
	}
	const online, paper = 3, 12
	hs := hashes(online + paper)
	if _, err := s.IssueTokens(ctx, p.ID, g, hs, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.OpenPoll(ctx, p.ID, store.BoxHomomorphic, public, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSlots(ctx, p.ID, k.Size()); err != nil {
		t.Fatal(err)
	}
	seal := func() ([]byte, *ballot.Opening) {
		b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: p.Forms[0].ID, Lines: map[string][]string{p.Forms[0].Evaluation.Subjects[0].ID: {"称职"}}}}}
		cells, texts, err := p.Marks(g, &b)
		if err != nil {
			t.Fatal(err)
		}
		sealed, o, err := k.EncryptOpening(k.Prepare(g, rand.Reader), cells, texts)
		if err != nil {
			t.Fatal(err)
		}
		return sealed, o
	}
	var batch []store.CastItem
	for _, h := range hs[:online] {
		sealed, o := seal()
		it := item(h, p.ID, g, sealed)
		it.PollKey, it.Opening = public, o
		batch = append(batch, it)
	}
	if _, err := s.CastBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, h := range hs[online:] {
		if err := s.MarkPaper(ctx, p.ID, h, nul(h)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	var staff []string
	for _, name := range []string{"paper-a", "paper-b"} {
		st := store.Staff{Username: name, Name: name, Role: store.RoleAdmin, PasswordHash: "x"}
		if err := s.CreateStaff(ctx, &st); err != nil {
			t.Fatal(err)
		}
		staff = append(staff, st.ID)
	}
	entered := make(chan error, 1)
	go func() {
		for range paper {
			sealed, o := seal()
			digest := hashes(1)[0]
			for _, by := range staff {
				e := store.PaperEntry{PollID: p.ID, GroupID: g, Digest: digest, Sealed: sealed, EnteredBy: by, Opening: o}
				if _, err := s.EnterPaper(ctx, e); err != nil {
					entered <- err
					return
				}
			}
		}
		entered <- nil
	}()
	sizes := map[int]bool{}
	for done := false; !done; {
		select {
		case err := <-entered:
			if err != nil {
				t.Fatal(err)
			}
			done = true
		default:
		}
		err := s.CountBox(ctx, p.ID, k, func(in *store.CountInput, plan *ballot.BoxPlan, box iter.Seq2[ballot.SealedBallot, error]) error {
			n := 0
			for _, r := range in.Sums {
				n += r.N
			}
			sizes[plan.Len()] = true
			if n != plan.Len() {
				t.Fatalf("one read found %d ballots in the box and rows of %d", plan.Len(), n)
			}
			sums, _, err := plan.Sum(box, in.Turnout, key, in.Sums, in.Closes)
			if err != nil {
				return err
			}
			if len(sums.Notes) != 0 || sums.Ballots != plan.Len() {
				t.Fatalf("a box of %d ballots read while paper ballots went in: the count took %d and says %q", plan.Len(), sums.Ballots, sums.Notes)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !sizes[online+paper] || len(sizes) < 3 {
		t.Fatalf("the reads saw boxes of %v ballots: too few while the paper ballots went in to test anything", sizes)
	}
}
