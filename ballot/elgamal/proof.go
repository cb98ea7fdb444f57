package elgamal

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
)

// RangeProof proves that a ciphertext (A, B) encrypts some m with 0 ≤ m ≤ L, without saying
// which: the disjunctive Chaum–Pedersen proof of ElectionGuard 2.0 (§3.3.5–§3.3.8, ballot correctness and the selection limit),
// with L = 1 the proof that a mark is 0 or 1. Branch j claims "(A, B − j·G) = r·(G, K)".
// Every branch but the true one is simulated, and the branch challenges must add up to the
// Fiat–Shamir challenge, which is fixed only after every commitment: one branch at least has
// to be answered with the true r.
//
// Unlike ElectionGuard, the proof carries its commitments (a_j, b_j) and leaves out c_L
// (it is the challenge minus the others). That costs 96 bytes more for a 0/1 proof, and buys
// batch verification: the proof equations of thousands of ballots are checked at once as
// one random linear combination (see Batch).
type RangeProof struct {
	CommitA []group.Element // a_0 … a_L
	CommitB []group.Element // b_0 … b_L
	C       []group.Scalar  // c_0 … c_{L−1}; c_L = challenge − Σ c_j
	V       []group.Scalar  // v_0 … v_L
}

// RangeProofSize is the encoded length of a proof for bound L:
// a_0 ‖ b_0 ‖ … ‖ a_L ‖ b_L ‖ c_0 ‖ … ‖ c_{L−1} ‖ v_0 ‖ … ‖ v_L.
func RangeProofSize(L int) int { return 2*PointSize*(L+1) + ScalarSize*L + ScalarSize*(L+1) }

// rangeWitness is everything the prover needs before it knows the message: the randomness r
// of the ciphertext, and per branch j a secret w_j and a challenge c_j. Any branch can then be
// the true one (commitment w_j·G, w_j·K) or a simulated one (commitment w_j·G,
// w_j·K + (m−j)·c_j·G, response v_j = w_j − c_j·r). A PreparedLine keeps the same witnesses
// as encodings for every message instead.
type rangeWitness struct {
	r     group.Scalar
	a     group.Element // A = r·G
	aEnc  []byte
	w, c  []group.Scalar
	wG    []group.Element // a_j, whatever m is
	wGEnc [][]byte
	wK    []group.Element
	cG    []group.Element
}

func newRangeWitness(pk *PublicKey, r group.Scalar, a group.Element, L int, rnd io.Reader) *rangeWitness {
	rw := &rangeWitness{
		r: r, a: a, aEnc: pointBytes(a),
		w: make([]group.Scalar, L+1), c: make([]group.Scalar, L+1),
		wG: make([]group.Element, L+1), wGEnc: make([][]byte, L+1),
		wK: make([]group.Element, L+1), cG: make([]group.Element, L+1),
	}
	for j := 0; j <= L; j++ {
		rw.w[j] = mustScalar(rnd)
		rw.c[j] = mustScalar(rnd)
		rw.wG[j] = grp.NewElement().MulGen(rw.w[j])
		rw.wGEnc[j] = pointBytes(rw.wG[j])
		rw.wK[j] = pk.mulK(rw.w[j])
		rw.cG[j] = grp.NewElement().MulGen(rw.c[j])
	}
	return rw
}

// prove makes the proof for the ciphertext (A, B) of m.
func (rw *rangeWitness) prove(pkEnc []byte, b group.Element, bEnc []byte, m int, ctx []byte) RangeProof {
	L := len(rw.w) - 1
	p := RangeProof{
		CommitA: make([]group.Element, L+1), CommitB: make([]group.Element, L+1),
		C: make([]group.Scalar, L), V: make([]group.Scalar, L+1),
	}
	bjEnc := make([][]byte, L+1)
	// The witness's points go into the proof as they are: a witness proves once and is
	// dropped, and each point appears in one place of the proof.
	for j := 0; j <= L; j++ {
		p.CommitA[j] = rw.wG[j]
		p.CommitB[j] = commitB(rw.wK[j], rw.cG[j], j, m)
		bjEnc[j] = pointBytes(p.CommitB[j])
	}
	c := rangeChallenge(pkEnc, rw.aEnc, bEnc, rw.wGEnc, bjEnc, ctx)
	// The true branch takes c − Σ_{j≠m} c_j. When m is out of range (a dishonest caller), no
	// branch is true and the proof fails to verify.
	cs := make([]group.Scalar, L+1)
	cm := c.Copy()
	for j := 0; j <= L; j++ {
		if j != m {
			cs[j] = rw.c[j]
			cm.Sub(cm, rw.c[j])
		}
	}
	if m >= 0 && m <= L {
		cs[m] = cm
	} else {
		cs[0] = grp.NewScalar().Add(cs[0], cm)
	}
	for j := 0; j <= L; j++ {
		v := grp.NewScalar().Mul(cs[j], rw.r)
		p.V[j] = v.Sub(rw.w[j], v)
		if j < L {
			p.C[j] = cs[j].Copy()
		}
	}
	return p
}

// ProveRange proves that ct = Encrypt(pk, m, r) holds a value in [0, L]. A value outside that
// range yields a proof that does not verify.
func ProveRange(pk *PublicKey, ct Ciphertext, m int, r group.Scalar, L int, ctx []byte, rnd io.Reader) RangeProof {
	rw := newRangeWitness(pk, r, ct.A, L, rnd)
	return rw.prove(pk.Bytes(), ct.B, pointBytes(ct.B), m, ctx)
}

// challenges recomputes the Fiat–Shamir challenge and returns every branch challenge
// c_0 … c_L, or false when the proof is not shaped for bound L.
func (p RangeProof) challenges(pkEnc []byte, ct Ciphertext, L int, ctx []byte) ([]group.Scalar, bool) {
	if L < 1 || len(p.CommitA) != L+1 || len(p.CommitB) != L+1 || len(p.C) != L || len(p.V) != L+1 ||
		ct.A == nil || ct.B == nil {
		return nil, false
	}
	aEnc := make([][]byte, L+1)
	bEnc := make([][]byte, L+1)
	for j := 0; j <= L; j++ {
		if p.CommitA[j] == nil || p.CommitB[j] == nil || p.V[j] == nil || (j < L && p.C[j] == nil) {
			return nil, false
		}
		aEnc[j], bEnc[j] = pointBytes(p.CommitA[j]), pointBytes(p.CommitB[j])
	}
	return p.finishChallenges(rangeChallenge(pkEnc, pointBytes(ct.A), pointBytes(ct.B), aEnc, bEnc, ctx)), true
}

// challengesFrom is challenges for a proof decoded from enc, over a ciphertext decoded from
// aEnc ‖ bEnc: the hash takes the bytes as received.
func (p RangeProof) challengesFrom(pkEnc, aEnc, bEnc, enc []byte, L int, ctx []byte) []group.Scalar {
	as := make([][]byte, L+1)
	bs := make([][]byte, L+1)
	for j := 0; j <= L; j++ {
		as[j] = enc[2*PointSize*j : 2*PointSize*j+PointSize]
		bs[j] = enc[2*PointSize*j+PointSize : 2*PointSize*(j+1)]
	}
	return p.finishChallenges(rangeChallenge(pkEnc, aEnc, bEnc, as, bs, ctx))
}

// finishChallenges derives c_L = c − Σ_{j<L} c_j and returns c_0 … c_L.
func (p RangeProof) finishChallenges(cL group.Scalar) []group.Scalar {
	L := len(p.C)
	cs := make([]group.Scalar, L+1)
	for j := 0; j < L; j++ {
		cs[j] = p.C[j]
		cL.Sub(cL, p.C[j])
	}
	cs[L] = cL
	return cs
}

// VerifyRange checks p for ct and bound L on its own: with c_L = H(…) − Σ_{j<L} c_j, for every
// j, v_j·G + c_j·A = a_j and v_j·K + c_j·(B − j·G) = b_j. Batch checks many proofs faster.
func VerifyRange(pk *PublicKey, ct Ciphertext, L int, p RangeProof, ctx []byte) bool {
	cs, ok := p.challenges(pk.Bytes(), ct, L, ctx)
	if !ok {
		return false
	}
	negG := grp.NewElement().Neg(grp.Generator())
	bj := ct.B.Copy() // B − j·G
	for j := 0; j <= L; j++ {
		a := grp.NewElement().MulGen(p.V[j])
		a.Add(a, grp.NewElement().Mul(ct.A, cs[j]))
		if !a.IsEqual(p.CommitA[j]) {
			return false
		}
		b := pk.mulK(p.V[j])
		b.Add(b, grp.NewElement().Mul(bj, cs[j]))
		if !b.IsEqual(p.CommitB[j]) {
			return false
		}
		bj.Add(bj, negG)
	}
	return true
}

// rangeChallenge is the Fiat–Shamir challenge: HashToScalar (expand_message_xmd, SHA-512)
// under "minyi-v1-range" of u16(len ctx) ‖ ctx ‖ K ‖ A ‖ B ‖ u16(L) ‖ a_0 ‖ b_0 ‖ … ‖ a_L ‖ b_L.
func rangeChallenge(pk, a, b []byte, as, bs [][]byte, ctx []byte) group.Scalar {
	L := len(as) - 1
	msg := make([]byte, 0, 2+len(ctx)+3*PointSize+2+2*PointSize*(L+1))
	msg = appendCtx(msg, ctx)
	msg = append(msg, pk...)
	msg = append(msg, a...)
	msg = append(msg, b...)
	msg = binary.BigEndian.AppendUint16(msg, uint16(L))
	for j := range as {
		msg = append(msg, as[j]...)
		msg = append(msg, bs[j]...)
	}
	return rangeXMD.scalar(msg)
}

var rangeXMD = newXMDScalar(dstRange)

// AppendBinary appends a_0 ‖ b_0 ‖ … ‖ a_L ‖ b_L ‖ c_0 ‖ … ‖ c_{L−1} ‖ v_0 ‖ … ‖ v_L.
func (p RangeProof) AppendBinary(b []byte) []byte {
	for j := range p.CommitA {
		b = appendPoint(b, p.CommitA[j])
		b = appendPoint(b, p.CommitB[j])
	}
	for _, c := range p.C {
		b = appendScalar(b, c)
	}
	for _, v := range p.V {
		b = appendScalar(b, v)
	}
	return b
}

// ParseRangeProof decodes a proof for bound L, refusing non-canonical points and scalars.
func ParseRangeProof(b []byte, L int) (RangeProof, error) {
	if L < 1 || len(b) != RangeProofSize(L) {
		return RangeProof{}, fmt.Errorf("%w: range proof of %d bytes for L=%d", ErrEncoding, len(b), L)
	}
	p := RangeProof{
		CommitA: make([]group.Element, L+1), CommitB: make([]group.Element, L+1),
		C: make([]group.Scalar, L), V: make([]group.Scalar, L+1),
	}
	var err error
	off := 0
	next := func(n int) []byte { off += n; return b[off-n : off] }
	for j := 0; j <= L; j++ {
		if p.CommitA[j], err = parsePoint(next(PointSize)); err != nil {
			return RangeProof{}, err
		}
		if p.CommitB[j], err = parsePoint(next(PointSize)); err != nil {
			return RangeProof{}, err
		}
	}
	for j := 0; j < L; j++ {
		if p.C[j], err = ParseScalar(next(ScalarSize)); err != nil {
			return RangeProof{}, err
		}
	}
	for j := 0; j <= L; j++ {
		if p.V[j], err = ParseScalar(next(ScalarSize)); err != nil {
			return RangeProof{}, err
		}
	}
	return p, nil
}
