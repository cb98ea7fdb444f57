package elgamal

import (
	"crypto/rand"
	"runtime"
	"sync"
	"testing"

	"github.com/cloudflare/circl/group"
)

// The bucket sum must equal the plain sum of products, for short and full scalars alike.
// Each point is r_i·G, so the sum of s_i·P_i is (Σ r_i·s_i)·G: the expected sum is one
// multiplication of the generator, not one of each point.
func TestMSMMatchesPlainSum(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("msm")
	sizes := []int{1, 2, 17, 300, 5000}
	if raceDetector {
		// What the race detector watches is the sum split between cores, which takes
		// 1,024 points a core.
		sizes = []int{17, 2100}
	}
	for _, n := range sizes {
		points := make([]group.Element, n)
		scalars := make([][ScalarSize]byte, n)
		exponent := grp.NewScalar()
		exponent.SetUint64(0)
		for i := range points {
			r := mustScalar(rnd)
			points[i] = grp.NewElement().MulGen(r)
			s := mustScalar(rnd)
			if i%3 == 0 {
				var short [ScalarSize]byte
				rnd.Read(short[:16])
				s, _ = ParseScalar(short[:])
			}
			copy(scalars[i][:], ScalarBytes(s))
			rs := grp.NewScalar()
			rs.Mul(r, s)
			exponent.Add(exponent, rs)
		}
		want := grp.NewElement().MulGen(exponent)
		if got := msmParallel(points, scalars); !got.IsEqual(want) {
			t.Fatalf("n=%d: bucket sum differs from the plain sum", n)
		}
	}
}

func TestBatchFindsOneFalseProof(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("batch")
	key := dealKey(t, 1, 1, rnd)
	var lines []Line
	for i := 0; i < 12; i++ {
		limit := 1 + i%3
		marks := make([]uint8, 5)
		marks[i%5] = 1
		l, err := PrepareLine(key.pk, testCtx, 5, limit, rnd).Fill(marks)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	// Both ways in must agree: from decoded lines and from their bytes.
	// The second batch sums every few proofs, as a long recount does every 32,768 terms.
	check := func(ls []Line, ctx []byte) bool {
		b := NewBatch(key.pk, ctx)
		fromBytes := NewBatch(key.pk, ctx)
		fromBytes.flushAt = 40
		for i, l := range ls {
			b.AddLine(l, 1+i%3)
			enc, err := l.AppendBinary(nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fromBytes.AddLineBytes(enc, 5, 1+i%3); err != nil {
				t.Fatal(err)
			}
		}
		ok, okBytes := b.Verify(), fromBytes.Verify()
		if ok != okBytes {
			t.Fatalf("batch of lines says %v, batch of their bytes says %v", ok, okBytes)
		}
		return ok
	}
	if !check(lines, testCtx) {
		t.Fatal("a batch of honest lines is refused")
	}
	if check(lines, []byte("another poll")) {
		t.Fatal("a batch verifies under another context")
	}
	// One cell of one line swapped for an encryption of 2 with a proof claiming 1.
	r := mustScalar(rnd)
	two := Encrypt(key.pk, 2, r)
	forged := append([]Line{}, lines...)
	l := forged[7]
	l.Cells = append([]Ciphertext{}, l.Cells...)
	l.CellProofs = append([]RangeProof{}, l.CellProofs...)
	l.Cells[2], l.CellProofs[2] = two, ProveRange(key.pk, two, 1, r, 1, testCtx, rnd)
	forged[7] = l
	if check(forged, testCtx) {
		t.Fatal("a batch with a cell of 2 verifies")
	}
	// One response changed by one.
	forged = append([]Line{}, lines...)
	l = forged[3]
	l.LineProof.V = append([]group.Scalar{}, l.LineProof.V...)
	l.LineProof.V[0] = grp.NewScalar().Add(l.LineProof.V[0], grp.NewScalar().SetUint64(1))
	forged[3] = l
	if check(forged, testCtx) {
		t.Fatal("a batch with a response off by one verifies")
	}
	// Two responses moved in opposite directions: the errors cancel in any sum of the
	// equations with equal weights, so only weights the prover cannot guess catch them.
	forged = append([]Line{}, lines...)
	l = forged[9]
	l.CellProofs = append([]RangeProof{}, l.CellProofs...)
	cp0 := l.CellProofs[1]
	one := grp.NewScalar().SetUint64(1)
	cp0.V = []group.Scalar{grp.NewScalar().Add(cp0.V[0], one), grp.NewScalar().Sub(cp0.V[1], one)}
	l.CellProofs[1] = cp0
	forged[9] = l
	if check(forged, testCtx) {
		t.Fatal("a batch with two cancelling errors verifies")
	}
	// One commitment replaced, with the challenge recomputed: the equations no longer hold.
	forged = append([]Line{}, lines...)
	l = forged[5]
	l.CellProofs = append([]RangeProof{}, l.CellProofs...)
	cp := l.CellProofs[0]
	cp.CommitB = []group.Element{cp.CommitB[0], grp.NewElement().Add(cp.CommitB[1], grp.Generator())}
	l.CellProofs[0] = cp
	forged[5] = l
	if check(forged, testCtx) {
		t.Fatal("a batch with an altered commitment verifies")
	}
}

// A line whose cells are each an honest 0/1 but which breaks its limit, with a line proof
// made with the true randomness of its sum, fails in a batch of honest lines, whatever the
// proof claims and whichever contexts the batch holds: the batch adds the line proof's
// terms onto the cells' own, and the "invalid" cell counts limit times.
func TestBatchRefusesALineOverItsLimit(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	rnd := newSeeded("batch-limit")
	key := dealKey(t, 1, 1, rnd)
	otherCtx := []byte("another group")
	honest := func(limit int, ctx []byte) []byte {
		l, err := PrepareLine(key.pk, ctx, 4, limit, rnd).Fill([]uint8{0, 1, 0, 0})
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := l.AppendBinary(nil)
		return enc
	}
	forge := func(limit int, marks []int, claim int) []byte {
		var line Line
		sumR := grp.NewScalar()
		for i, m := range marks {
			r := mustScalar(rnd)
			ct := Encrypt(key.pk, uint64(m), r)
			line.Cells = append(line.Cells, ct)
			line.CellProofs = append(line.CellProofs, ProveRange(key.pk, ct, m, r, 1, testCtx, rnd))
			if i == len(marks)-1 {
				r = grp.NewScalar().Mul(r, grp.NewScalar().SetUint64(uint64(limit)))
			}
			sumR.Add(sumR, r)
		}
		line.LineProof = ProveRange(key.pk, LineSum(line.Cells, limit), claim, sumR, limit, testCtx, rnd)
		enc, _ := line.AppendBinary(nil)
		return enc
	}
	check := func(limit int, forged []byte) bool {
		b := NewBatch(key.pk, testCtx).OnOneCore()
		for i := range 6 {
			ctx := testCtx
			if i%2 == 1 {
				ctx = otherCtx
			}
			if _, err := b.Within(ctx).AddLineBytes(honest(limit, ctx), 4, limit); err != nil {
				t.Fatal(err)
			}
		}
		if forged != nil {
			if _, err := b.Within(testCtx).AddLineBytes(forged, 4, limit); err != nil {
				t.Fatal(err)
			}
		}
		return b.Verify()
	}
	for _, limit := range []int{1, 2} {
		if !check(limit, nil) {
			t.Fatalf("limit %d: a batch of honest lines of two contexts is refused", limit)
		}
		if !check(limit, forge(limit, []int{1, 0, 0, 0}, 1)) {
			t.Fatalf("limit %d: an honest line made by hand is refused", limit)
		}
	}
	for _, c := range []struct {
		limit int
		marks []int
	}{
		{1, []int{1, 1, 0, 0}},
		{2, []int{1, 1, 1, 0}},
		{2, []int{1, 0, 0, 1}}, // a mark and "invalid": 1 + 2 > 2
		{1, []int{0, 0, 0, 1}}, // "invalid" alone is fine under limit 1 …
	} {
		for claim := 0; claim <= c.limit; claim++ {
			ok := check(c.limit, forge(c.limit, c.marks, claim))
			sum := 0
			for i, m := range c.marks {
				if i == len(c.marks)-1 {
					m *= c.limit
				}
				sum += m
			}
			// … when the proof claims what the line holds.
			if want := sum <= c.limit && claim == sum; ok != want {
				t.Fatalf("limit %d, marks %v, proof claiming %d: the batch says %v, want %v", c.limit, c.marks, claim, ok, want)
			}
		}
	}
}

// BenchmarkBatchVerifyLines is the recount's check: 500 encoded lines of 5 cells (limit 1),
// decoded and verified in one batch; ns/op ÷ 3,000 is the cost of one proof.
func BenchmarkBatchVerifyLines(b *testing.B) {
	key := benchKey(b)
	encs := make([][]byte, 500)
	for i := range encs {
		marks := make([]uint8, 5)
		marks[i%5] = 1
		line, err := PrepareLine(key.pk, testCtx, 5, 1, rand.Reader).Fill(marks)
		if err != nil {
			b.Fatal(err)
		}
		encs[i], _ = line.AppendBinary(nil)
	}
	start, n := processCPU(), 0
	defer func() { cpuPerOp(b, start, n) }()
	for b.Loop() {
		n++
		batch := NewBatch(key.pk, testCtx)
		for _, e := range encs {
			if _, err := batch.AddLineBytes(e, 5, 1); err != nil {
				b.Fatal(err)
			}
		}
		if !batch.Verify() {
			b.Fatal("refused")
		}
	}
}

// BenchmarkRecountLines is the recount as `minyi verify` would run it: 1,000 encoded lines
// (6,000 proofs) split over the cores, one Batch each, every decoded cell added to its sum.
// ns/op × 60 is 2,000 ballots of 30 such lines (360,000 proofs).
func BenchmarkRecountLines(b *testing.B) {
	key := benchKey(b)
	encs := make([][]byte, 1000)
	for i := range encs {
		marks := make([]uint8, 5)
		marks[i%5] = 1
		line, err := PrepareLine(key.pk, testCtx, 5, 1, rand.Reader).Fill(marks)
		if err != nil {
			b.Fatal(err)
		}
		encs[i], _ = line.AppendBinary(nil)
	}
	workers := runtime.GOMAXPROCS(0)
	start, n := processCPU(), 0
	defer func() { cpuPerOp(b, start, n) }()
	for b.Loop() {
		n++
		var wg sync.WaitGroup
		ok := make([]bool, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := NewBatch(key.pk, testCtx)
				sums := make([]Ciphertext, 5)
				for i := w; i < len(encs); i += workers {
					line, err := batch.AddLineBytes(encs[i], 5, 1)
					if err != nil {
						panic(err)
					}
					for c := range sums {
						sums[c].Add(sums[c], line.Cells[c])
					}
				}
				ok[w] = batch.Verify()
			}()
		}
		wg.Wait()
		for _, v := range ok {
			if !v {
				b.Fatal("refused")
			}
		}
	}
}
