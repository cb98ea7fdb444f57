package elgamal

import (
	crand "crypto/rand"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/cloudflare/circl/group"
)

// Batch verifies many range proofs at once. Each proof's equations
//
//	v_j·G + c_j·A − a_j = 0   and   v_j·K + c_j·(B − j·G) − b_j = 0
//
// are multiplied by fresh random 128-bit weights known only to the verifier and added up; the
// sum is one multi-scalar multiplication (Pippenger's buckets, built from point additions),
// where G and K appear once for the whole batch. A false proof makes the sum non-zero except
// with probability 2^-128. A failed batch says only that some proof is false: check the lines
// one by one (VerifyLine) to find which. A Batch is used by one goroutine; a recount on several
// cores runs one Batch per core over its share of the box (the sums inside are already
// spread over the cores, the decoding is not).
type Batch struct {
	pk      *PublicKey
	pkEnc   []byte
	ctx     []byte
	rng     *rand.ChaCha8
	gCoef   group.Scalar
	kCoef   group.Scalar
	points  []group.Element
	scalars [][ScalarSize]byte
	flushAt int
	bad     bool
	serial  bool // sum on the calling goroutine only
}

// batchFlush bounds the terms held before they are summed, so memory stays flat however many
// ballots are checked.
const batchFlush = 1 << 15

// NewBatch starts a batch for proofs under pk and ctx.
func NewBatch(pk *PublicKey, ctx []byte) *Batch {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic(err)
	}
	return &Batch{
		pk: pk, pkEnc: pk.Bytes(), ctx: append([]byte(nil), ctx...), rng: rand.NewChaCha8(seed),
		gCoef: grp.NewScalar(), kCoef: grp.NewScalar(), flushAt: batchFlush,
	}
}

// Within binds the proofs added next to ctx instead. The context enters their challenges
// only, not the equations summed, so proofs bound to several contexts (the voter groups of
// a box) can share one batch: one larger multi-scalar multiplication, cheaper per point.
// ctx is kept, not copied: the caller leaves it unchanged.
func (b *Batch) Within(ctx []byte) *Batch {
	b.ctx = ctx
	return b
}

// OnOneCore makes the batch sum its terms on the calling goroutine: for callers that
// already run one batch per core, where splitting each sum again only shrinks it (a
// bucket sum's cost per point falls as it grows).
func (b *Batch) OnOneCore() *Batch {
	b.serial = true
	return b
}

// weight draws a random 128-bit scalar: short weights halve the additions of their terms.
func (b *Batch) weight() group.Scalar {
	var buf [ScalarSize]byte
	b.rng.Read(buf[:16])
	s := grp.NewScalar()
	if err := s.UnmarshalBinary(buf[:]); err != nil {
		panic(err)
	}
	return s
}

func (b *Batch) term(p group.Element, s group.Scalar) {
	var enc [ScalarSize]byte
	copy(enc[:], ScalarBytes(s))
	b.points = append(b.points, p)
	b.scalars = append(b.scalars, enc)
}

// AddRange adds one range proof of bound L over ct.
func (b *Batch) AddRange(ct Ciphertext, L int, p RangeProof) {
	if b.bad {
		return
	}
	cs, ok := p.challenges(b.pkEnc, ct, L, b.ctx)
	if !ok {
		b.bad = true
		return
	}
	b.addTerms(ct, L, p, cs)
}

// AddLineBytes decodes an encoded line and adds its proofs, hashing the bytes as they came
// rather than encoding the points again. It returns the decoded line, so that a recount adds
// its cells to the sums without decoding them a second time (decoding is most of the cost).
func (b *Batch) AddLineBytes(enc []byte, cells, limit int) (Line, error) {
	line, err := ParseLine(enc, cells, limit)
	if err != nil {
		b.bad = true
		return Line{}, err
	}
	if b.bad {
		return line, nil
	}
	defer b.maybeFlush()
	step := CiphertextSize + RangeProofSize(1)
	coefA := make([]group.Scalar, len(line.Cells))
	coefB := make([]group.Scalar, len(line.Cells))
	for i := range line.Cells {
		off := i * step
		ctEnc := enc[off : off+CiphertextSize]
		pEnc := enc[off+CiphertextSize : off+step]
		cs := line.CellProofs[i].challengesFrom(b.pkEnc, ctEnc[:PointSize], ctEnc[PointSize:], pEnc, 1, b.ctx)
		coefA[i], coefB[i] = b.proofTerms(1, line.CellProofs[i], cs)
	}
	// The line proof speaks of Σ cells[0…n−2] + limit·cells[n−1]: its sum is worked out for
	// the challenge's sake, but its terms go onto the cells' own, so the sum's two points
	// never enter the multi-scalar multiplication.
	sum := LineSum(line.Cells, limit)
	cs := line.LineProof.challengesFrom(b.pkEnc, pointBytes(sum.A), pointBytes(sum.B), enc[len(line.Cells)*step:], limit, b.ctx)
	sa, sb := b.proofTerms(limit, line.LineProof, cs)
	last := len(line.Cells) - 1
	for i := range last {
		coefA[i].Add(coefA[i], sa)
		coefB[i].Add(coefB[i], sb)
	}
	lim := grp.NewScalar().SetUint64(uint64(limit))
	coefA[last].Add(coefA[last], sa.Mul(sa, lim))
	coefB[last].Add(coefB[last], sb.Mul(sb, lim))
	// Copies: the caller may go on to add into its ciphertexts before the batch is summed.
	for i, c := range line.Cells {
		b.term(c.A.Copy(), coefA[i])
		b.term(c.B.Copy(), coefB[i])
	}
	return line, nil
}

func (b *Batch) addTerms(ct Ciphertext, L int, p RangeProof, cs []group.Scalar) {
	defer b.maybeFlush()
	aCoef, bCoef := b.proofTerms(L, p, cs)
	// Copies: the caller may go on to add into its ciphertexts before the batch is summed.
	b.term(ct.A.Copy(), aCoef)
	b.term(ct.B.Copy(), bCoef)
}

// proofTerms adds a proof's terms but those of its ciphertext (A, B), whose coefficients
// it returns: the caller adds them, after adding more to them if A and B are sums of
// points it has already. Until then the batch is not whole, and must not be summed.
func (b *Batch) proofTerms(L int, p RangeProof, cs []group.Scalar) (group.Scalar, group.Scalar) {
	aCoef, bCoef := grp.NewScalar(), grp.NewScalar()
	t := grp.NewScalar()
	for j := 0; j <= L; j++ {
		za, zb := b.weight(), b.weight()
		// G: za·v_j − zb·c_j·j ; K: zb·v_j ; A: za·c_j ; B: zb·c_j ; a_j: −za ; b_j: −zb.
		b.gCoef.Add(b.gCoef, t.Mul(za, p.V[j]))
		if j > 0 {
			t.Mul(zb, cs[j])
			b.gCoef.Sub(b.gCoef, t.Mul(t, grp.NewScalar().SetUint64(uint64(j))))
		}
		b.kCoef.Add(b.kCoef, t.Mul(zb, p.V[j]))
		aCoef.Add(aCoef, t.Mul(za, cs[j]))
		bCoef.Add(bCoef, t.Mul(zb, cs[j]))
		b.term(grp.NewElement().Neg(p.CommitA[j]), za)
		b.term(grp.NewElement().Neg(p.CommitB[j]), zb)
	}
	return aCoef, bCoef
}

func (b *Batch) maybeFlush() {
	if len(b.points) >= b.flushAt {
		b.flush()
	}
}

// AddLine adds every proof of a line: its cells' 0/1 proofs and its line proof.
func (b *Batch) AddLine(line Line, limit int) {
	if len(line.Cells) < 1 || len(line.CellProofs) != len(line.Cells) || limit < 1 || limit > MaxLimit {
		b.bad = true
		return
	}
	for i, c := range line.Cells {
		b.AddRange(c, 1, line.CellProofs[i])
	}
	b.AddRange(LineSum(line.Cells, limit), limit, line.LineProof)
}

// Verify reports whether every proof added holds.
func (b *Batch) Verify() bool {
	b.flush()
	return !b.bad
}

func (b *Batch) flush() {
	if b.bad || len(b.points) == 0 {
		b.points, b.scalars = b.points[:0], b.scalars[:0]
		return
	}
	var sum group.Element
	if b.serial {
		sum = msm(b.points, b.scalars)
	} else {
		sum = msmParallel(b.points, b.scalars)
	}
	sum.Add(sum, grp.NewElement().MulGen(b.gCoef))
	sum.Add(sum, grp.NewElement().Mul(b.pk.K, b.kCoef))
	if !sum.IsIdentity() {
		b.bad = true
	}
	b.gCoef, b.kCoef = grp.NewScalar(), grp.NewScalar()
	clear(b.points)
	b.points, b.scalars = b.points[:0], b.scalars[:0]
}

// msmParallel splits Σ s_i·P_i over the available cores.
func msmParallel(points []group.Element, scalars [][ScalarSize]byte) group.Element {
	parts := runtime.GOMAXPROCS(0)
	if parts > len(points)/1024 {
		parts = max(1, len(points)/1024)
	}
	results := make([]group.Element, parts)
	var wg sync.WaitGroup
	for k := 0; k < parts; k++ {
		lo, hi := k*len(points)/parts, (k+1)*len(points)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[k] = msm(points[lo:hi], scalars[lo:hi])
		}()
	}
	wg.Wait()
	sum := grp.Identity()
	for _, r := range results {
		sum.Add(sum, r)
	}
	return sum
}

// msm computes Σ s_i·P_i by Pippenger's bucket method: per window of c bits, each point is
// added once to the bucket of its digit, and the buckets are summed by a running sum.
// It is variable-time: only public values (proofs, and weights drawn for this check) go in.
func msm(points []group.Element, scalars [][ScalarSize]byte) group.Element {
	// Each window costs one addition per point and two per bucket: c ≈ log2(n) − 3 balances them.
	c := bits.Len(uint(len(points))) - 4
	c = min(max(c, 4), 16)
	nb := 1<<c - 1
	buckets := make([]group.Element, nb+1)
	used := make([]bool, nb+1)
	for d := range buckets {
		buckets[d] = grp.NewElement()
	}
	acc := grp.Identity()
	sum, tot := grp.NewElement(), grp.NewElement()
	windows := (253 + c - 1) / c // scalars are below ℓ < 2^253
	for w := windows - 1; w >= 0; w-- {
		for i := 0; i < c; i++ {
			acc.Dbl(acc)
		}
		clear(used)
		for i, s := range scalars {
			d := digit(&s, w*c, c)
			if d == 0 {
				continue
			}
			if used[d] {
				buckets[d].Add(buckets[d], points[i])
			} else {
				buckets[d].Set(points[i])
				used[d] = true
			}
		}
		started := false
		for d := nb; d >= 1; d-- {
			if used[d] {
				if started {
					sum.Add(sum, buckets[d])
				} else {
					sum.Set(buckets[d])
					tot.Set(grp.Identity())
					started = true
				}
			}
			if started {
				tot.Add(tot, sum)
			}
		}
		if started {
			acc.Add(acc, tot)
		}
	}
	return acc
}

// digit reads c bits of the little-endian scalar s from bit position at.
func digit(s *[ScalarSize]byte, at, c int) int {
	i := at / 8
	var v uint32
	for k := 0; k < 3 && i+k < ScalarSize; k++ {
		v |= uint32(s[i+k]) << (8 * k)
	}
	return int(v>>(at%8)) & (1<<c - 1)
}
