package elgamal

import (
	"fmt"
	"io"

	"github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/math/polynomial"
	"github.com/cloudflare/circl/secretsharing"
	"golang.org/x/crypto/chacha20poly1305"
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

// A dealt share travels from dealer i to teller j through the server, so it is sealed for j:
// each teller first publishes a transport key T_j = x_j·G (a key of its own, not part of the
// poll's key), and dealer i seals f_i(j) to it as a 32-byte sealed text whose context names the
// poll, the dealer and the teller (so the server cannot hand one teller's share to another).

// DealtShareSize is the length of a sealed dealt share.
const DealtShareSize = PointSize + 4 + ScalarSize + chacha20poly1305.Overhead

// NewTransportKey draws a teller's transport key pair for one key ceremony.
func NewTransportKey(rnd io.Reader) (group.Scalar, *PublicKey, error) {
	x, err := NewScalar(rnd)
	if err != nil {
		return nil, nil, err
	}
	return x, &PublicKey{K: grp.NewElement().MulGen(x)}, nil
}

func dealtContext(pollID string, i, j int) []byte {
	return fmt.Appendf(nil, "minyi-v1-dealt\x00%s\x00%d\x00%d", pollID, i, j)
}

// SealDealt seals dealer i's share for teller j under j's transport key.
func SealDealt(transport *PublicKey, pollID string, i, j int, share group.Scalar, rnd io.Reader) ([]byte, error) {
	return SealText(transport, dealtContext(pollID, i, j), ScalarBytes(share), ScalarSize, rnd)
}

// OpenDealt is teller j's opening of dealer i's sealed share with its transport secret x_j.
// The caller then checks it with VerifyDealt.
func OpenDealt(x group.Scalar, pollID string, i, j int, sealed []byte) (group.Scalar, error) {
	if len(sealed) != DealtShareSize {
		return nil, fmt.Errorf("%w: sealed share of %d bytes", ErrEncoding, len(sealed))
	}
	r, err := TextPoint(sealed)
	if err != nil {
		return nil, err
	}
	plain, err := OpenText(sealed, grp.NewElement().Mul(r, x), dealtContext(pollID, i, j))
	if err != nil {
		return nil, err
	}
	return ParseScalar(plain)
}
