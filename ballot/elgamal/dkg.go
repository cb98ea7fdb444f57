package elgamal

import (
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/math/polynomial"
	"github.com/cloudflare/circl/secretsharing"
)

// Dealing is one teller's part of the distributed key generation (Pedersen's joint Feldman,
// as in ElectionGuard 2.0 §3.2): a random polynomial f_i of degree k−1, its Feldman
// commitments C_{i,l} = a_{i,l}·G, and its values f_i(j) for the tellers j = 1…n.
// The joint secret s = Σ_i f_i(0) is never computed anywhere; teller j holds s_j = Σ_i f_i(j).
type Dealing struct {
	Commitments []group.Element // C_{i,0} … C_{i,k−1}
	Shares      []group.Scalar  // Shares[j−1] = f_i(j), to be sent to teller j encrypted for j
}

// Deal draws teller i's polynomial for a k-of-n key. Its shares are secret: the caller sends
// each one to its teller only, encrypted for that teller.
func Deal(k, n int, rnd io.Reader) Dealing {
	if k < 1 || n < k || n > 255 {
		panic(fmt.Sprintf("elgamal: %d-of-%d key", k, n))
	}
	coeffs := make([]group.Scalar, k)
	d := Dealing{Commitments: make([]group.Element, k), Shares: make([]group.Scalar, n)}
	for l := range coeffs {
		coeffs[l] = mustScalar(rnd)
		d.Commitments[l] = grp.NewElement().MulGen(coeffs[l])
	}
	f := polynomial.New(coeffs)
	for j := 1; j <= n; j++ {
		d.Shares[j-1] = f.Evaluate(grp.NewScalar().SetUint64(uint64(j)))
	}
	return d
}

// VerifyDealt is teller j's check of the share it received from a dealer against that
// dealer's published commitments: f_i(j)·G = Σ_l j^l·C_{i,l}. The caller also checks that
// every dealer published exactly k commitments.
func VerifyDealt(j int, share group.Scalar, commitments []group.Element) bool {
	if j < 1 || len(commitments) < 1 || share == nil {
		return false
	}
	s := secretsharing.Share{ID: grp.NewScalar().SetUint64(uint64(j)), Value: share}
	return secretsharing.Verify(uint(len(commitments)-1), s, commitments)
}

// JointKey is K = Σ_i C_{i,0}, from every dealer's commitments.
func JointKey(commitments [][]group.Element) *PublicKey {
	k := grp.Identity()
	for _, c := range commitments {
		k.Add(k, c[0])
	}
	return &PublicKey{K: k}
}

// PublicShare is P_j = s_j·G = Σ_i Σ_l j^l·C_{i,l}, computable by anyone from the published
// commitments; VerifyPartial checks teller j's partial decryptions against it.
func PublicShare(j int, commitments [][]group.Element) group.Element {
	x := grp.NewScalar().SetUint64(uint64(j))
	out := grp.Identity()
	for _, c := range commitments {
		acc := c[len(c)-1].Copy()
		for l := len(c) - 2; l >= 0; l-- {
			acc.Mul(acc, x)
			acc.Add(acc, c[l])
		}
		out.Add(out, acc)
	}
	return out
}

// CombineDealt is teller j's key share s_j = Σ_i f_i(j), once every received share verified.
func CombineDealt(received []group.Scalar) group.Scalar {
	s := grp.NewScalar()
	for _, r := range received {
		s.Add(s, r)
	}
	return s
}
