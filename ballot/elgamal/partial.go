package elgamal

import (
	"crypto"
	_ "crypto/sha512" // the hash of the partial-decryption proofs
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/math/polynomial"
	"github.com/cloudflare/circl/zk/dleq"
)

// Partial is teller j's share of the decryption of a list of points (the A of every sum, or
// the R of sealed texts): D_x = s_j·A_x, with one batch Chaum–Pedersen proof that
// log_G(P_j) = log_{A_x}(D_x) for every x.
type Partial struct {
	Teller int
	D      []group.Element
	Proof  []byte // PartialProofSize bytes: s_j·H ‖ c ‖ s (see partialParams)
}

// PartialProofSize is the length of Partial.Proof: the context point s_j·H, then circl's
// DLEQ proof (challenge, response).
const PartialProofSize = PointSize + 2*ScalarSize

// Errors of the tellers' quorum.
var (
	ErrQuorum   = errors.New("elgamal: not enough distinct tellers to decrypt")
	ErrNoResult = errors.New("elgamal: a sum decrypts to no count in range")
)

// partialParams follows ElectionGuard 2.0 §3.6 (verifiable decryption), batched
// over all points with circl's DLEQ (RFC 9497 style composites) instead of one proof per sum.
var partialParams = dleq.Params{G: grp, H: crypto.SHA512, DST: []byte(dstPartial)}

// contextPoint is H = HashToElement(u16(len ctx) ‖ ctx ‖ u32(n) ‖ A_1 ‖ … ‖ A_n) under
// "minyi-v1-partial-context". Adding (H, s_j·H) to the batch binds the proof to the poll and
// to the exact list of points, since circl's DLEQ transcript has no room for a context.
func contextPoint(points []group.Element, ctx []byte) group.Element {
	msg := make([]byte, 0, 6+len(ctx)+PointSize*len(points))
	msg = appendCtx(msg, ctx)
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(points)))
	for _, p := range points {
		msg = appendPoint(msg, p)
	}
	return grp.HashToElement(msg, []byte(dstPartialCtx))
}

// MaxPartialPoints is the most points one Partial covers: circl's DLEQ numbers the batch's
// pairs with 16 bits, and the context pair takes one. Split longer lists (texts) into batches.
const MaxPartialPoints = 1<<16 - 2

// PartialDecrypt is teller j's work at the count: D_x = s·A_x for every point, and the proof.
// It panics on more than MaxPartialPoints points.
func PartialDecrypt(j int, s group.Scalar, points []group.Element, ctx []byte, rnd io.Reader) Partial {
	if len(points) > MaxPartialPoints {
		panic("elgamal: too many points for one partial decryption")
	}
	h := contextPoint(points, ctx)
	sh := grp.NewElement().Mul(h, s)
	p := Partial{Teller: j, D: make([]group.Element, len(points))}
	for x, a := range points {
		p.D[x] = grp.NewElement().Mul(a, s)
	}
	pj := grp.NewElement().MulGen(s)
	bi := append(append([]group.Element{}, points...), h)
	kbi := append(append([]group.Element{}, p.D...), sh)
	proof, err := dleq.Prover{Params: partialParams}.ProveBatchWithRandomness(s, grp.Generator(), pj, bi, kbi, mustScalar(rnd))
	if err != nil {
		panic(err)
	}
	pb, err := proof.MarshalBinary()
	if err != nil {
		panic(err)
	}
	p.Proof = append(pointBytes(sh), pb...)
	return p
}

// VerifyPartial checks a teller's partial decryption against the teller's public share P_j.
func VerifyPartial(pj group.Element, points []group.Element, p Partial, ctx []byte) error {
	if len(points) == 0 || len(points) > MaxPartialPoints || len(p.D) != len(points) {
		return fmt.Errorf("%w: %d partials for %d points", ErrProof, len(p.D), len(points))
	}
	if len(p.Proof) != PartialProofSize {
		return fmt.Errorf("%w: partial proof of %d bytes", ErrEncoding, len(p.Proof))
	}
	sh, err := parsePoint(p.Proof[:PointSize])
	if err != nil {
		return err
	}
	var proof dleq.Proof
	if err := proof.UnmarshalBinary(grp, p.Proof[PointSize:]); err != nil {
		return fmt.Errorf("%w: %v", ErrEncoding, err)
	}
	for _, d := range p.D {
		if d == nil {
			return ErrEncoding
		}
	}
	h := contextPoint(points, ctx)
	bi := append(append([]group.Element{}, points...), h)
	kbi := append(append([]group.Element{}, p.D...), sh)
	if !(dleq.Verifier{Params: partialParams}).VerifyBatch(grp.Generator(), pj, bi, kbi, &proof) {
		return fmt.Errorf("%w: partial decryption of teller %d", ErrProof, p.Teller)
	}
	return nil
}

// CombinePartials interpolates s·A_x = Σ_j λ_j·D_{j,x} at 0 from k partials of distinct tellers
// (Lagrange coefficients over their indices, as in ElectionGuard 2.0 §3.6). It takes the k lowest
// teller indices given; every set of k gives the same points. Verify each partial first.
func CombinePartials(partials []Partial, k int) ([]group.Element, error) {
	if k < 1 {
		return nil, fmt.Errorf("%w: quorum %d", ErrQuorum, k)
	}
	byTeller := map[int]Partial{}
	for _, p := range partials {
		if p.Teller < 1 {
			return nil, fmt.Errorf("%w: teller %d", ErrQuorum, p.Teller)
		}
		// A teller counted twice is still one teller toward the quorum.
		if _, dup := byTeller[p.Teller]; !dup {
			byTeller[p.Teller] = p
		}
	}
	if len(byTeller) < k {
		return nil, fmt.Errorf("%w: %d of %d", ErrQuorum, len(byTeller), k)
	}
	tellers := make([]int, 0, len(byTeller))
	for j := range byTeller {
		tellers = append(tellers, j)
	}
	sort.Ints(tellers)
	tellers = tellers[:k]
	n := len(byTeller[tellers[0]].D)
	xs := make([]group.Scalar, k)
	for i, j := range tellers {
		if len(byTeller[j].D) != n {
			return nil, fmt.Errorf("%w: teller %d decrypted %d points, not %d", ErrProof, j, len(byTeller[j].D), n)
		}
		xs[i] = grp.NewScalar().SetUint64(uint64(j))
	}
	zero := grp.NewScalar()
	out := make([]group.Element, n)
	for x := range out {
		out[x] = grp.Identity()
	}
	for i, j := range tellers {
		lambda := polynomial.LagrangeBase(uint(i), xs, zero)
		for x, d := range byTeller[j].D {
			out[x].Add(out[x], grp.NewElement().Mul(d, lambda))
		}
	}
	return out, nil
}

// DecryptSums finds m in m·G = B − s·A for every sum, by baby-step giant-step with m ≤ max.
// A sum that is not an encryption of a count in [0, max] (tampered, or garbage) is an error:
// the count stops rather than report a wrong number.
func DecryptSums(sums []Ciphertext, combined []group.Element, max int) ([]int, error) {
	if len(sums) != len(combined) {
		return nil, fmt.Errorf("elgamal: %d sums, %d decryption shares", len(sums), len(combined))
	}
	if max < 0 {
		return nil, fmt.Errorf("elgamal: max %d", max)
	}
	t := newBabySteps(max)
	out := make([]int, len(sums))
	for i, c := range sums {
		mG := grp.NewElement().Neg(combined[i])
		mG.Add(mG, c.B)
		m, ok := t.log(mG, max)
		if !ok {
			return nil, fmt.Errorf("%w: sum %d", ErrNoResult, i)
		}
		out[i] = m
	}
	return out, nil
}

// babySteps maps the encodings of j·G, j < size, to j. Its size is capped so that a bound of
// millions costs a table of 2^16 points and a few dozen giant steps per sum; small counts
// (the usual case) are found at the first giant step.
type babySteps struct {
	size  int
	table map[[PointSize]byte]int
	giant group.Element // −size·G
}

func newBabySteps(max int) *babySteps {
	size := max + 1
	if size > 1<<16 {
		size = 1 << 16
	}
	t := &babySteps{size: size, table: make(map[[PointSize]byte]int, size)}
	p := grp.Identity()
	for j := 0; j < size; j++ {
		t.table[[PointSize]byte(pointBytes(p))] = j
		p.Add(p, grp.Generator())
	}
	t.giant = grp.NewElement().Neg(p) // p = size·G here
	return t
}

func (t *babySteps) log(q group.Element, max int) (int, bool) {
	q = q.Copy()
	for base := 0; base <= max; base += t.size {
		if j, ok := t.table[[PointSize]byte(pointBytes(q))]; ok && base+j <= max {
			return base + j, true
		}
		q.Add(q, t.giant)
	}
	return 0, false
}
