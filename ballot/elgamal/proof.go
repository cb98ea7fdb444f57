package elgamal

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
)

// RangeProof proves that a ciphertext encrypts some m with 0 ≤ m ≤ L, without saying which:
// the disjunctive Chaum–Pedersen proof of ElectionGuard 2.x (§3.3.5, "range proofs"), with
// L = 1 the proof that a mark is 0 or 1. Branch j claims "(A, B − j·G) is r·(G, K)"; every
// branch but the true one is simulated, and the challenges of all branches must add up to the
// Fiat–Shamir challenge, which is fixed only after every commitment: one branch at least has
// to be answered with the true r.
type RangeProof struct {
	C []group.Scalar // c_0 … c_L, the branch challenges
	V []group.Scalar // v_0 … v_L, the branch responses
}

// RangeProofSize is the encoded length of a proof for bound L: (c_j ‖ v_j) for j = 0…L.
func RangeProofSize(L int) int { return 2 * ScalarSize * (L + 1) }

// rangeWitness is everything the prover needs before it knows the message: the randomness r
// of the ciphertext, and per branch j a secret w_j with w_j·G, w_j·K and a challenge c_j with
// c_j·G. Any branch can then be the true one (commitment w_j·G, w_j·K) or a simulated one
// (commitment w_j·G, w_j·K + (m−j)·c_j·G, response v_j = w_j − c_j·r), so filling in the
// message costs no scalar multiplication of a point beyond a few additions.
type rangeWitness struct {
	r      group.Scalar
	a      group.Element // r·G
	bZero  group.Element // r·K, the ciphertext's B for m = 0
	w, c   []group.Scalar
	wG, wK []group.Element
	cG     []group.Element
}

func newRangeWitness(pk *PublicKey, r group.Scalar, a, bZero group.Element, L int, rnd io.Reader) *rangeWitness {
	rw := &rangeWitness{
		r: r, a: a, bZero: bZero,
		w: make([]group.Scalar, L+1), c: make([]group.Scalar, L+1),
		wG: make([]group.Element, L+1), wK: make([]group.Element, L+1), cG: make([]group.Element, L+1),
	}
	for j := 0; j <= L; j++ {
		rw.w[j] = mustScalar(rnd)
		rw.c[j] = mustScalar(rnd)
		rw.wG[j] = grp.NewElement().MulGen(rw.w[j])
		rw.wK[j] = grp.NewElement().Mul(pk.K, rw.w[j])
		rw.cG[j] = grp.NewElement().MulGen(rw.c[j])
	}
	return rw
}

// prove makes the proof for the ciphertext (a, b) of m, where b = bZero + m·G.
func (rw *rangeWitness) prove(pk *PublicKey, b group.Element, m int, ctx []byte) RangeProof {
	L := len(rw.w) - 1
	as := make([]group.Element, L+1)
	bs := make([]group.Element, L+1)
	for j := 0; j <= L; j++ {
		as[j] = rw.wG[j]
		switch {
		case j == m:
			bs[j] = rw.wK[j]
		case m > j:
			bs[j] = grp.NewElement().Add(rw.wK[j], smallMul(rw.cG[j], m-j))
		default:
			neg := grp.NewElement().Neg(rw.cG[j])
			bs[j] = grp.NewElement().Add(rw.wK[j], smallMul(neg, j-m))
		}
	}
	c := rangeChallenge(pk, rw.a, b, as, bs, ctx)
	p := RangeProof{C: make([]group.Scalar, L+1), V: make([]group.Scalar, L+1)}
	// c_m = c − Σ_{j≠m} c_j. When m is out of range (a dishonest caller), no branch is
	// true and the proof simply fails to verify.
	cm := c.Copy()
	for j := 0; j <= L; j++ {
		if j != m {
			p.C[j] = rw.c[j].Copy()
			cm.Sub(cm, rw.c[j])
		}
	}
	if m >= 0 && m <= L {
		p.C[m] = cm
	} else {
		p.C[0].Add(p.C[0], cm)
	}
	for j := 0; j <= L; j++ {
		v := grp.NewScalar().Mul(p.C[j], rw.r)
		p.V[j] = v.Sub(rw.w[j], v)
	}
	return p
}

// ProveRange proves that ct = Encrypt(pk, m, r) holds a value in [0, L]. A value outside that
// range yields a proof that does not verify.
func ProveRange(pk *PublicKey, ct Ciphertext, m int, r group.Scalar, L int, ctx []byte, rnd io.Reader) RangeProof {
	bZero := grp.NewElement().Mul(pk.K, r)
	rw := newRangeWitness(pk, r, ct.A, bZero, L, rnd)
	return rw.prove(pk, ct.B, m, ctx)
}

// VerifyRange checks p for ct and bound L: for each j it recomputes
// a_j = v_j·G + c_j·A and b_j = v_j·K + c_j·(B − j·G), and requires
// Σ c_j = H(ctx, K, A, B, L, a_0, b_0, …, a_L, b_L).
func VerifyRange(pk *PublicKey, ct Ciphertext, L int, p RangeProof, ctx []byte) bool {
	if L < 1 || len(p.C) != L+1 || len(p.V) != L+1 || ct.A == nil || ct.B == nil {
		return false
	}
	as := make([]group.Element, L+1)
	bs := make([]group.Element, L+1)
	negG := grp.NewElement().Neg(grp.Generator())
	bj := ct.B.Copy() // B − j·G
	sum := grp.NewScalar()
	for j := 0; j <= L; j++ {
		a := grp.NewElement().MulGen(p.V[j])
		a.Add(a, grp.NewElement().Mul(ct.A, p.C[j]))
		b := grp.NewElement().Mul(pk.K, p.V[j])
		b.Add(b, grp.NewElement().Mul(bj, p.C[j]))
		as[j], bs[j] = a, b
		bj.Add(bj, negG)
		sum.Add(sum, p.C[j])
	}
	return sum.IsEqual(rangeChallenge(pk, ct.A, ct.B, as, bs, ctx))
}

// rangeChallenge is the Fiat–Shamir challenge: HashToScalar (expand_message_xmd, SHA-512)
// under "minyi-v1-range" of u16(len ctx) ‖ ctx ‖ K ‖ A ‖ B ‖ u16(L) ‖ a_0 ‖ b_0 ‖ … ‖ a_L ‖ b_L.
func rangeChallenge(pk *PublicKey, a, b group.Element, as, bs []group.Element, ctx []byte) group.Scalar {
	L := len(as) - 1
	msg := make([]byte, 0, 2+len(ctx)+3*PointSize+2+2*PointSize*(L+1))
	msg = appendCtx(msg, ctx)
	msg = appendPoint(msg, pk.K)
	msg = appendPoint(msg, a)
	msg = appendPoint(msg, b)
	msg = binary.BigEndian.AppendUint16(msg, uint16(L))
	for j := range as {
		msg = appendPoint(msg, as[j])
		msg = appendPoint(msg, bs[j])
	}
	return grp.HashToScalar(msg, []byte(dstRange))
}

// AppendBinary appends c_0 ‖ v_0 ‖ c_1 ‖ v_1 ‖ … ‖ c_L ‖ v_L.
func (p RangeProof) AppendBinary(b []byte) []byte {
	for j := range p.C {
		b = appendScalar(b, p.C[j])
		b = appendScalar(b, p.V[j])
	}
	return b
}

// ParseRangeProof decodes a proof for bound L, refusing non-canonical scalars.
func ParseRangeProof(b []byte, L int) (RangeProof, error) {
	if L < 1 || len(b) != RangeProofSize(L) {
		return RangeProof{}, fmt.Errorf("%w: range proof of %d bytes for L=%d", ErrEncoding, len(b), L)
	}
	p := RangeProof{C: make([]group.Scalar, L+1), V: make([]group.Scalar, L+1)}
	for j := 0; j <= L; j++ {
		off := 2 * ScalarSize * j
		var err error
		if p.C[j], err = ParseScalar(b[off : off+ScalarSize]); err != nil {
			return RangeProof{}, err
		}
		if p.V[j], err = ParseScalar(b[off+ScalarSize : off+2*ScalarSize]); err != nil {
			return RangeProof{}, err
		}
	}
	return p, nil
}
