package ballot

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"minyi/ballot/elgamal"
)

var testSumsKey = SumsKey("0123456789abcdef0123456789abcdef")

// keptBox seals the plain ballots as the server does, keeping each ballot's opening, and
// writes the rows a run of batches (sizes drawn by rng) would write; with fold, the rows of
// each group are then folded as at close.
func keptBox(t testing.TB, rng *mrand.Rand, k *BoxKey, p *Poll, plain []PlainBallot, fold bool) ([]SealedBallot, []PlainBallot, []SumsRow) {
	t.Helper()
	var box []SealedBallot
	var kept []PlainBallot
	var batch []*Opening
	var rows []SumsRow
	flush := func() {
		byGroup := map[string][]*Opening{}
		var order []string
		for _, o := range batch {
			if byGroup[o.Group()] == nil {
				order = append(order, o.Group())
			}
			byGroup[o.Group()] = append(byGroup[o.Group()], o)
		}
		for _, g := range order {
			r, err := testSumsKey.BatchRow(byGroup[g])
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, r)
		}
		batch = nil
	}
	for _, pb := range plain {
		cells, texts, err := p.Marks(pb.Group, &pb.Ballot)
		if pb.Broken || err != nil {
			continue
		}
		sealed, o, err := k.EncryptOpening(k.Prepare(pb.Group, rand.Reader), cells, texts)
		if err != nil {
			t.Fatal(err)
		}
		box = append(box, SealedBallot{Group: pb.Group, Sealed: sealed})
		kept = append(kept, pb)
		if batch = append(batch, o); rng.IntN(4) == 0 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	if !fold {
		return box, kept, rows
	}
	return box, kept, foldRows(t, k, p, rows)
}

// foldRows folds the batch rows of each group into one, as at close.
func foldRows(t testing.TB, k *BoxKey, p *Poll, rows []SumsRow) []SumsRow {
	t.Helper()
	var folded []SumsRow
	for _, g := range p.Groups {
		f, replaced, ok, err := testSumsKey.Fold(p.ID, k.public, g.ID, rows, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			folded = append(folded, f)
		}
		for _, r := range rows {
			if r.Group == g.ID && !slices.Contains(replaced, r.ID) {
				folded = append(folded, r)
			}
		}
	}
	return folded
}

// decryptSums finishes a count from its sums with tellers 1 and 3.
func decryptSums(t *testing.T, k *BoxKey, dk dealt, turnout []Turnout, s *BoxSums) *Tally {
	t.Helper()
	points, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	var partials []elgamal.Partial
	for _, j := range []int{1, 3} {
		partials = append(partials, elgamal.PartialDecrypt(j, dk.d.Shares[j-1], points, k.CountContext(), rand.Reader))
	}
	combined, err := elgamal.CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, opened, err := k.Decrypt(s, combined)
	if err != nil {
		t.Fatal(err)
	}
	return k.CountBox(turnout, s, rows, k.Texts(s, opened))
}

// keptPoll is a random box of the box poll sealed as the server seals it, with its batch
// rows or, with fold, its rows as folded at close. The box is sealed once a process: the
// tests of the count and of the kept sums each change it their own way, and get their own
// copy of the ballots, the plain ballots and the rows.
func keptPoll(t *testing.T, fold bool) (*Poll, dealt, *BoxKey, []SealedBallot, []PlainBallot, []SumsRow) {
	t.Helper()
	x := sharedKeptBox(t)
	rows := x.rows
	if fold {
		rows = x.folded
	}
	return x.p, x.dk, x.k, cloneBox(x.box), clonePlain(x.kept), cloneRows(rows)
}

// keptSealed is a box sealed with its batch rows and the same rows folded.
type keptSealed struct {
	sealedBox
	rows, folded []SumsRow
}

var sharedKeptBox = shared(func(t testing.TB) *keptSealed {
	p := boxPoll(t)
	dk := deal(t)
	k, err := NewBoxKey(p, dk.public)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(21, 5))
	box, kept, rows := keptBox(t, rng, k, p, randomBox(rng, p), false)
	return &keptSealed{sealedBox: sealedBox{p: p, dk: dk, k: k, box: box, kept: kept}, rows: rows, folded: foldRows(t, k, p, rows)}
})

// The kept sums count what checking every ballot counts, and the count takes them: no
// ballot's proofs are checked once the rows are folded at close. Rows left unfolded
// after close (put back, or a close that did not fold) send their groups to the full
// check, which counts the same.
func TestSumKeptCountsWhatTheFullCheckCounts(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	for _, fold := range []bool{false, true} {
		t.Run(fmt.Sprint("fold=", fold), func(t *testing.T) {
			p, dk, k, box, kept, rows := keptPoll(t, fold)
			turnout := turnoutOf(kept)
			k.SortBox(box)
			s := k.SumKept(box, turnout, testSumsKey, rows, 1)
			if !fold {
				if s.Checked != len(box) || !strings.Contains(strings.Join(s.Notes, ""), "不是本次结束投票时合并的记录") {
					t.Fatalf("batch rows after close: %d of %d ballots checked in full, notes %q", s.Checked, len(box), s.Notes)
				}
			} else if s.Checked != 0 || len(s.Notes) != 0 {
				t.Fatalf("%d of %d ballots checked in full, notes %q: the kept sums were not taken", s.Checked, len(box), s.Notes)
			}
			got := decryptSums(t, k, dk, turnout, s)
			got.BoxChecks = nil // said above; the plain count has none to say
			want := Count(p, turnout, kept)
			if a, b := comparable(t, want), comparable(t, got); !reflect.DeepEqual(a, b) {
				pa, _ := json.MarshalIndent(a, "", " ")
				pb, _ := json.MarshalIndent(b, "", " ")
				t.Fatalf("the count from kept sums differs from the plain count\n%s", firstDiff(string(pa), string(pb)))
			}
		})
	}
}

// leadBiggestGroup puts first in the box a ballot of its biggest voter group, whichever
// the sort by receipt put first, so that the tests that change box[0] change a group with
// other ballots in it.
func leadBiggestGroup(box []SealedBallot) {
	best := ""
	for _, b := range box {
		if groupOf(box, b.Group) > groupOf(box, best) {
			best = b.Group
		}
	}
	for i, b := range box {
		if b.Group == best {
			box[0], box[i] = box[i], box[0]
			return
		}
	}
}

// groupOf counts the ballots of a group in a box.
func groupOf(box []SealedBallot, g string) int {
	n := 0
	for _, b := range box {
		if b.Group == g {
			n++
		}
	}
	return n
}

// What the full check catches still is caught: a changed ballot makes its group fall back
// to the full check, where it is rejected; a dropped ballot, a repeated or moved one, an
// altered row, each makes its group checked in full and is said in the tally.
func TestSumKeptFallsBackWhereTheBoxDiffers(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept, rows := keptPoll(t, true)
	turnout := turnoutOf(kept)
	k.SortBox(box)
	leadBiggestGroup(box)
	pk, _ := elgamal.ParsePublicKey(dk.public)
	g := box[0].Group
	name := func(id string) string {
		gr, _ := p.Group(id)
		return gr.Name
	}
	cases := []struct {
		name   string
		change func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow)
		reject int    // ballots the full check rejects
		note   string // what the tally says
	}{
		{"a cell of 2 in place of a 0/1", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			two, _ := elgamal.Encrypt(pk, 2, mustScalar(t)).MarshalBinary()
			forged := append([]byte(nil), box[0].Sealed...)
			copy(forged[1:], two)
			box[0].Sealed = forged
			return box, rows
		}, 1, "与投票时的记录不符"},
		{"a ballot dropped", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			return box[1:], rows
		}, 0, "少 1 张"},
		{"a ballot repeated", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			return append(box, box[0]), rows
		}, 1, "多 1 张"},
		{"a ballot repeated in place of another", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			for i := 1; i < len(box); i++ {
				if box[i].Group == g {
					box[i] = box[0]
					return box, rows
				}
			}
			t.Fatal("one ballot in the group")
			return nil, nil
		}, 1, "与投票时的记录不符"},
		{"a ballot moved to another group", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			box[0].Group = otherGroup(p, g)
			return box, rows
		}, 1, "少 1 张"},
		{"a row's sums altered", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			for i := range rows {
				if rows[i].Group == g {
					one, _ := elgamal.Encrypt(pk, 1, mustScalar(t)).MarshalBinary()
					rows[i].Sums = append(append([]byte(nil), one...), rows[i].Sums[len(one):]...)
				}
			}
			return box, rows
		}, 0, "投票记录被改动"},
		{"a row's count altered", func(box []SealedBallot, rows []SumsRow) ([]SealedBallot, []SumsRow) {
			for i := range rows {
				if rows[i].Group == g {
					rows[i].N--
				}
			}
			return box[1:], rows
		}, 0, "投票记录被改动"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := slices.Clone(box)
			rs := slices.Clone(rows)
			b, rs = c.change(b, rs)
			s := k.SumKept(b, turnout, testSumsKey, rs, 1)
			// A repeat is rejected before any check, the rest of the group is checked.
			if s.Checked+c.reject < groupOf(b, g) {
				t.Errorf("%d ballots checked in full, the changed group holds %d", s.Checked, groupOf(b, g))
			}
			if len(s.Rejected) != c.reject {
				t.Errorf("%d ballots rejected, want %d", len(s.Rejected), c.reject)
			}
			got := decryptSums(t, k, dk, turnout, s)
			notes := strings.Join(got.BoxChecks, "\n")
			if !strings.Contains(notes, c.note) || !strings.Contains(notes, name(g)) {
				t.Errorf("the tally says %q, want a note on %s with %q", got.BoxChecks, name(g), c.note)
			}
		})
	}
}

// The rows of a batch are what the ballots add up to: a row forged by someone without the
// key fails, a row moved to another poll or another poll key fails, and a batch row does
// not pass for a folded one, nor a folded row for one of another close.
func TestSumsRowHoldsOnlyForItsPoll(t *testing.T) {
	t.Parallel()
	// A few ballots make the rows: what is tested is the row's MAC, not the box.
	p := boxPoll(t)
	k, err := NewBoxKey(p, deal(t).public)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(3, 5))
	_, _, rows := keptBox(t, rng, k, p, randomBox(rng, p)[:underRace(8, 3)], false)
	if len(rows) == 0 {
		t.Fatal("the ballots left no batch row")
	}
	r := rows[0]
	if !testSumsKey.Holds(p.ID, k.public, 0, &r) {
		t.Fatal("a batch's own row does not hold")
	}
	if testSumsKey.Holds("another poll", k.public, 0, &r) {
		t.Fatal("a row holds for another poll")
	}
	if testSumsKey.Holds(p.ID, deal(t).public, 0, &r) {
		t.Fatal("a row holds for another key of its poll")
	}
	if SumsKey("another key, thirty-two bytes!!").Holds(p.ID, k.public, 0, &r) {
		t.Fatal("a row holds under another key")
	}
	if testSumsKey.Holds(p.ID, k.public, 1, &r) {
		t.Fatal("a batch row holds as a folded one")
	}
	f, _, ok, err := testSumsKey.Fold(p.ID, k.public, r.Group, rows, 0, 1)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if !testSumsKey.Holds(p.ID, k.public, 1, &f) || testSumsKey.Holds(p.ID, k.public, 2, &f) || testSumsKey.Holds(p.ID, k.public, 0, &f) {
		t.Fatal("a row folded at the first close holds for another close, or as a batch row, or not for its own")
	}
}

// The count of the server for a 2,000-ballot thirty-subject box with its rows folded, as
// after close (next to SumBox2000x30, the same box checked in full):
// go test -run '^$' -bench 'SumKept2000x30$' -benchtime 1x ./ballot/
func BenchmarkSumKept2000x6(b *testing.B)  { benchSumKept(b, 6, 2000) }
func BenchmarkSumKept2000x30(b *testing.B) { benchSumKept(b, 30, 2000) }

func benchSumKept(b *testing.B, subjects, n int) {
	k, box, rows := benchKeptBox(b, subjects, n)
	turnout := []Turnout{{Group: "g", Issued: n, Used: n}}
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		k.SortBox(box)
		if s := k.SumKept(box, turnout, testSumsKey, rows, 1); len(s.Rejected) != 0 || s.Checked != 0 {
			b.Fatalf("%d ballots rejected, %d checked", len(s.Rejected), s.Checked)
		}
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// benchKeptBox is benchBox sealed with openings, in batches of 100, and its rows folded.
func benchKeptBox(b *testing.B, subjects, n int) (*BoxKey, []SealedBallot, []SumsRow) {
	k, ops, box := benchOpenings(b, subjects, n)
	var rows []SumsRow
	for i := 0; i < n; i += 100 {
		r, err := testSumsKey.BatchRow(ops[i:min(n, i+100)])
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, r)
	}
	f, _, _, err := testSumsKey.Fold(k.poll.ID, k.public, "g", rows, 0, 1)
	if err != nil {
		b.Fatal(err)
	}
	return k, box, []SumsRow{f}
}

// benchOpenings seals n ballots of the thirty- or six-subject poll of benchBox, keeping
// their openings.
func benchOpenings(b *testing.B, subjects, n int) (*BoxKey, []*Opening, []SealedBallot) {
	b.Helper()
	k, _, _ := benchBoxDealt(b, subjects, 1)
	p := k.poll
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	var ops []*Opening
	var box []SealedBallot
	for v := range n {
		lines := map[string][]string{}
		for i, s := range p.Forms[0].Evaluation.Subjects {
			lines[s.ID] = []string{grades[(v+i)%4]}
		}
		cells, texts, err := p.Marks("g", &Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}})
		if err != nil {
			b.Fatal(err)
		}
		sealed, o, err := k.EncryptOpening(k.Prepare("g", rand.Reader), cells, texts)
		if err != nil {
			b.Fatal(err)
		}
		ops = append(ops, o)
		box = append(box, SealedBallot{Group: "g", Sealed: sealed})
	}
	return k, ops, box
}

// What sealing adds to the vote path: the row of a batch of 100 ballots.
// go test -run '^$' -bench 'BatchRow' ./ballot/
func BenchmarkBatchRow100x6(b *testing.B)  { benchBatchRow(b, 6) }
func BenchmarkBatchRow100x30(b *testing.B) { benchBatchRow(b, 30) }

func benchBatchRow(b *testing.B, subjects int) {
	_, ops, _ := benchOpenings(b, subjects, 100)
	b.ResetTimer()
	for b.Loop() {
		if _, err := testSumsKey.BatchRow(ops); err != nil {
			b.Fatal(err)
		}
	}
}

// The fold at close in a quiet hall, where every batch held one ballot: 200 rows of one
// thirty-subject ballot each (a box of 2,000 such rows costs ten times as much).
// go test -run '^$' -bench 'FoldSingles' -benchtime 1x ./ballot/
func BenchmarkFoldSingles200x30(b *testing.B) {
	k, ops, _ := benchOpenings(b, 30, 200)
	rows := make([]SumsRow, len(ops))
	for i, o := range ops {
		r, err := testSumsKey.BatchRow([]*Opening{o})
		if err != nil {
			b.Fatal(err)
		}
		rows[i] = r
	}
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		if f, _, ok, err := testSumsKey.Fold(k.poll.ID, k.public, "g", rows, 0, 1); err != nil || !ok || f.N != len(rows) {
			b.Fatalf("fold: %v %v %d", err, ok, f.N)
		}
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// A rehearsal reset keeps the poll's and groups' ids under a new key. Five ballots sealed
// to the old key, with their row folded as at close, put in the box in place of a
// group's: the row does not hold for the poll's key, so the group is checked one by one,
// the five are rejected, and the count finishes.
func TestSumKeptRefusesBallotsOfAnotherKeyOfThePoll(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept, rows := keptPoll(t, true)
	k.SortBox(box)
	leadBiggestGroup(box)
	g := box[0].Group
	old, err := NewBoxKey(p, deal(t).public)
	if err != nil {
		t.Fatal(err)
	}
	var five []PlainBallot
	for _, pb := range kept {
		if pb.Group == g && len(five) < 5 {
			five = append(five, pb)
		}
	}
	if len(five) != 5 {
		t.Fatalf("%d ballots for the group, want 5", len(five))
	}
	oldBox, _, oldRows := keptBox(t, mrand.New(mrand.NewPCG(7, 5)), old, p, five, true)
	var b []SealedBallot
	var rs []SumsRow
	var others []PlainBallot
	for _, x := range box {
		if x.Group != g {
			b = append(b, x)
		}
	}
	for _, r := range rows {
		if r.Group != g {
			rs = append(rs, r)
		}
	}
	for _, pb := range kept {
		if pb.Group != g {
			others = append(others, pb)
		}
	}
	b, rs = append(b, oldBox...), append(rs, oldRows...)
	k.SortBox(b)
	turnout := turnoutOf(append(others, five...))
	s := k.SumKept(b, turnout, testSumsKey, rs, 1)
	if len(s.Rejected) != 5 || s.Checked != 5 {
		t.Fatalf("%d rejected of %d checked one by one, want the 5 sealed to the old key checked and rejected", len(s.Rejected), s.Checked)
	}
	got := decryptSums(t, k, dk, turnout, s)
	if notes := strings.Join(got.BoxChecks, ""); !strings.Contains(notes, "被改动") {
		t.Fatalf("the tally says %q, want the group's record found altered", got.BoxChecks)
	}
}

// Wipe leaves nothing of what opens a ballot's cells: every byte of each cell's
// randomness and value is zero, and the opening no longer makes the ballot's row.
func TestWipeZeroesAnOpening(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	// One ballot is sealed here: the test needs a key, not a box.
	k, err := NewBoxKey(boxPoll(t), deal(t).public)
	if err != nil {
		t.Fatal(err)
	}
	p := k.poll
	g := p.Groups[0].ID
	var o *Opening
	for _, pb := range randomBox(mrand.New(mrand.NewPCG(4, 4)), p) {
		cells, texts, err := p.Marks(pb.Group, &pb.Ballot)
		if pb.Broken || err != nil || pb.Group != g {
			continue
		}
		if _, o, err = k.EncryptOpening(k.Prepare(g, rand.Reader), cells, texts); err != nil {
			t.Fatal(err)
		}
		break
	}
	if o == nil {
		t.Fatal("no ballot to seal")
	}
	if !slices.ContainsFunc(o.r, func(b byte) bool { return b != 0 }) {
		t.Fatal("the opening holds no randomness before it is wiped")
	}
	before, err := testSumsKey.BatchRow([]*Opening{o})
	if err != nil {
		t.Fatal(err)
	}
	o.Wipe()
	for i, b := range o.r {
		if b != 0 {
			t.Fatalf("byte %d of the randomness is %#x after Wipe", i, b)
		}
	}
	for c, m := range o.m {
		if m != 0 {
			t.Fatalf("cell %d still holds %d after Wipe", c, m)
		}
	}
	if after, err := testSumsKey.BatchRow([]*Opening{o}); err == nil && string(after.Sums) == string(before.Sums) {
		t.Fatal("a wiped opening still makes its ballot's sums")
	}
	var none *Opening
	none.Wipe() // a ballot sealed without keeping sums has none
}

// A ballot of the wrong length, of another format, or repeated byte for byte sends its
// group to the full check, where it is rejected. A ballot cut short just after its marks,
// or with a byte more, keeps its receipt and so its tag: only the shape check catches it,
// and taking such a group from its rows would cut its texts out of a ballot too short to
// hold them. Another format byte changes the receipt, and a repeat the sum of the tags, so
// those two are caught by the tags as well as by the shape check: the test holds the
// count to its answer, not to which of the two checks gives it.
func TestSumKeptChecksAGroupWithABallotOfAnotherShape(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept, rows := keptPoll(t, true)
	if len(k.slots) == 0 {
		t.Fatal("the poll has no text slots")
	}
	turnout := turnoutOf(kept)
	k.SortBox(box)
	leadBiggestGroup(box)
	g := box[0].Group
	gr, _ := p.Group(g)
	cases := []struct {
		name   string
		change func(box []SealedBallot) []SealedBallot
	}{
		{"cut short just after its marks", func(box []SealedBallot) []SealedBallot {
			box[0].Sealed = slices.Clone(box[0].Sealed[:k.marks])
			return box
		}},
		{"a byte longer", func(box []SealedBallot) []SealedBallot {
			box[0].Sealed = append(slices.Clone(box[0].Sealed), 0)
			return box
		}},
		{"another format byte", func(box []SealedBallot) []SealedBallot {
			b := slices.Clone(box[0].Sealed)
			b[0] = formatV3 + 1
			box[0].Sealed = b
			return box
		}},
		{"repeated byte for byte in place of another", func(box []SealedBallot) []SealedBallot {
			for i := 1; i < len(box); i++ {
				if box[i].Group == g {
					box[i] = box[0]
					return box
				}
			}
			t.Fatal("one ballot in the group")
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.change(slices.Clone(box))
			s := k.SumKept(b, turnout, testSumsKey, rows, 1)
			if len(s.Rejected) != 1 || s.Checked+1 < groupOf(b, g) {
				t.Fatalf("%d rejected, %d checked one by one of the group's %d: want the group checked and the one ballot rejected", len(s.Rejected), s.Checked, groupOf(b, g))
			}
			got := decryptSums(t, k, dk, turnout, s)
			if notes := strings.Join(got.BoxChecks, ""); !strings.Contains(notes, gr.Name) || !strings.Contains(notes, "不符") {
				t.Fatalf("the tally says %q, want a note on %s", got.BoxChecks, gr.Name)
			}
		})
	}
}
