// Package elgamal is the cryptography of the homomorphic ballot: exponential ElGamal over
// ristretto255, the range proofs that keep every mark 0 or 1 and every line within its limit,
// the tellers' distributed key, their proven partial decryptions of the sums, the sealed texts
// and the teller's share backup. docs/CRYPTO.md specifies every byte; this package is its
// reference implementation. It imports no SQL or HTTP package.
//
// Notation is additive (ristretto255 is an elliptic group): G the generator, K = s·G the
// joint public key. Every group operation goes through cloudflare/circl's group package,
// but for the kept sums' encryption (sums.go), which uses go-ristretto, the implementation
// under circl's Ristretto255, directly.
package elgamal

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cloudflare/circl/group"
)

// grp is the one group of the scheme.
var grp = group.Ristretto255

const (
	// PointSize is the length of an encoded ristretto255 element.
	PointSize = 32
	// ScalarSize is the length of an encoded scalar (little-endian, reduced mod ℓ).
	ScalarSize = 32
	// CiphertextSize is the length of an encoded ciphertext: A then B.
	CiphertextSize = 2 * PointSize
)

// Domain-separation tags. Each hash of the scheme has its own, so no value computed for one
// purpose can be replayed as another.
const (
	dstNonce        = "minyi-v1-nonce"
	dstRange        = "minyi-v1-range"
	dstPartial      = "minyi-v1-partial"
	dstPartialCtx   = "minyi-v1-partial-context"
	dstShareProof   = "minyi-v1-share-proof"
	labelText       = "minyi-v1-text"
	labelShareCode  = "minyi-v1-share-code"
	labelFingerprnt = "minyi-v1-key"
)

// Errors a caller may want to tell apart.
var (
	ErrEncoding = errors.New("elgamal: malformed or non-canonical encoding")
	ErrProof    = errors.New("elgamal: proof does not verify")
)

// PublicKey is the poll's joint key K = s·G. The secret s exists nowhere whole.
// Use it by pointer: it keeps a table for multiplying K, built on first use.
type PublicKey struct {
	K group.Element

	tableOnce sync.Once
	table     *fixedBase
	sums      sumsTable // go-ristretto's table of K, for the kept sums (sums.go)
}

// mulK is r·K through the key's table.
func (pk *PublicKey) mulK(r group.Scalar) group.Element {
	pk.tableOnce.Do(func() { pk.table = newFixedBase(pk.K) })
	return pk.table.mul(r)
}

// ParsePublicKey reads a 32-byte key; the identity is refused (it would encrypt in clear).
func ParsePublicKey(b []byte) (*PublicKey, error) {
	k, err := parsePoint(b)
	if err != nil {
		return nil, err
	}
	if k.IsIdentity() {
		return nil, fmt.Errorf("%w: public key is the identity", ErrEncoding)
	}
	return &PublicKey{K: k}, nil
}

// Bytes is the 32-byte encoding of K.
func (pk *PublicKey) Bytes() []byte { return pointBytes(pk.K) }

// Fingerprint is what a printed report shows so that people can compare keys by eye:
// the first 8 bytes of SHA-256("minyi-v1-key" ‖ K), in hex, in groups of four.
func (pk *PublicKey) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(labelFingerprnt))
	h.Write(pk.Bytes())
	x := hex.EncodeToString(h.Sum(nil)[:8])
	return x[0:4] + "-" + x[4:8] + "-" + x[8:12] + "-" + x[12:16]
}

// Ciphertext is an exponential ElGamal encryption of m under K: A = r·G, B = r·K + m·G.
type Ciphertext struct {
	A, B group.Element
}

// Encrypt encrypts m with the randomness r. r must be secret, uniform and used once.
func Encrypt(pk *PublicKey, m uint64, r group.Scalar) Ciphertext {
	a := grp.NewElement().MulGen(r)
	b := pk.mulK(r)
	if m != 0 {
		b.Add(b, mulGenSmall(m))
	}
	return Ciphertext{A: a, B: b}
}

// smallG is the table of G for messages: its first 16 rows cover every uint64.
var smallG = sync.OnceValue(func() *fixedBase { return newFixedBaseRows(grp.Generator(), 16) })

// mulGenSmall is m·G for a message m: 16 additions and selections from smallG, a
// quarter of a multiplication by a full scalar. The kept sums of every batch multiply G
// by each cell's count of marks; the count is secret, so the selection stays constant
// time, the same 16 rows for every m.
func mulGenSmall(m uint64) group.Element {
	t := smallG()
	out := grp.Identity()
	sel := grp.NewElement()
	for i := range 16 {
		d := uint8(m>>(4*i)) & 15
		sel.Set(t.t[i][0])
		for k := 1; k < 16; k++ {
			sel.CMov(subtle.ConstantTimeByteEq(d, uint8(k)), t.t[i][k])
		}
		out.Add(out, sel)
	}
	return out
}

// Add sets c to x + y, an encryption of the sum of their messages. The zero value
// Ciphertext{} counts as an encryption of 0, so `var sum Ciphertext; sum.Add(sum, x)` starts a
// sum. c's elements are written in place (a running sum allocates once); a Ciphertext copied
// by assignment shares its elements with the original, so never start a sum from a copy.
func (c *Ciphertext) Add(x, y Ciphertext) {
	if x.A == nil {
		x = Zero()
	}
	if y.A == nil {
		y = Zero()
	}
	if c.A == nil {
		c.A, c.B = grp.NewElement(), grp.NewElement()
	}
	c.A.Add(x.A, y.A)
	c.B.Add(x.B, y.B)
}

// Zero is the trivial encryption of 0 (both points the identity), the start of a sum.
func Zero() Ciphertext { return Ciphertext{A: grp.Identity(), B: grp.Identity()} }

// AddBytes adds an encoded ciphertext to c without keeping the decoded points: the count sums
// millions of ciphertexts read from the box. c must not share its elements with another value.
func (c *Ciphertext) AddBytes(b []byte, scratch *Ciphertext) error {
	if len(b) != CiphertextSize {
		return ErrEncoding
	}
	if scratch.A == nil {
		scratch.A, scratch.B = grp.NewElement(), grp.NewElement()
	}
	if scratch.A.UnmarshalBinary(b[:PointSize]) != nil || scratch.B.UnmarshalBinary(b[PointSize:]) != nil {
		return ErrEncoding
	}
	if c.A == nil {
		c.A, c.B = grp.Identity(), grp.Identity()
	}
	c.A.Add(c.A, scratch.A)
	c.B.Add(c.B, scratch.B)
	return nil
}

// Rerandomize returns c plus an encryption of zero: the same message under fresh randomness.
// The server keeps a pool of precomputed encryptions of zero so this costs one addition.
func Rerandomize(c Ciphertext, zero Ciphertext) Ciphertext {
	var out Ciphertext
	out.Add(c, zero)
	return out
}

// MarshalBinary encodes A ‖ B (64 bytes).
func (c Ciphertext) MarshalBinary() ([]byte, error) {
	return c.AppendBinary(make([]byte, 0, CiphertextSize))
}

// AppendBinary appends A ‖ B to b.
func (c Ciphertext) AppendBinary(b []byte) ([]byte, error) {
	if c.A == nil || c.B == nil {
		return nil, errors.New("elgamal: empty ciphertext")
	}
	b = appendPoint(b, c.A)
	return appendPoint(b, c.B), nil
}

// ParseCiphertext decodes A ‖ B, refusing anything but two canonical points.
func ParseCiphertext(b []byte) (Ciphertext, error) {
	if len(b) != CiphertextSize {
		return Ciphertext{}, fmt.Errorf("%w: ciphertext of %d bytes", ErrEncoding, len(b))
	}
	a, err := parsePoint(b[:PointSize])
	if err != nil {
		return Ciphertext{}, err
	}
	bb, err := parsePoint(b[PointSize:])
	if err != nil {
		return Ciphertext{}, err
	}
	return Ciphertext{A: a, B: bb}, nil
}

// NewScalar draws a secret scalar from rnd: 64 bytes, hashed to a scalar under
// "minyi-v1-nonce" (so a fixed rnd gives fixed vectors, and a JS port can replay them).
// circl's own RandomScalar ignores its reader, which would make known answers impossible.
func NewScalar(rnd io.Reader) (group.Scalar, error) {
	var b [64]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return nil, fmt.Errorf("elgamal: reading randomness: %w", err)
	}
	return nonceXMD.scalar(b[:]), nil
}

var nonceXMD = newXMDScalar(dstNonce)

// mustScalar is NewScalar for the functions whose shape has no error: a failing random
// source is not something a vote can go on without.
func mustScalar(rnd io.Reader) group.Scalar {
	s, err := NewScalar(rnd)
	if err != nil {
		panic(err)
	}
	return s
}

// ParseScalar decodes a canonical 32-byte little-endian scalar.
func ParseScalar(b []byte) (group.Scalar, error) {
	if len(b) != ScalarSize {
		return nil, ErrEncoding
	}
	s := grp.NewScalar()
	if s.UnmarshalBinary(b) != nil {
		return nil, fmt.Errorf("%w: scalar", ErrEncoding)
	}
	return s, nil
}

// ScalarBytes is the 32-byte encoding of s.
func ScalarBytes(s group.Scalar) []byte {
	b, err := s.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

// ParsePoint decodes a canonical 32-byte ristretto255 element.
func ParsePoint(b []byte) (group.Element, error) { return parsePoint(b) }

// PointBytes is the 32-byte encoding of p.
func PointBytes(p group.Element) []byte { return pointBytes(p) }

func parsePoint(b []byte) (group.Element, error) {
	if len(b) != PointSize {
		return nil, fmt.Errorf("%w: point of %d bytes", ErrEncoding, len(b))
	}
	e := grp.NewElement()
	if e.UnmarshalBinary(b) != nil {
		return nil, fmt.Errorf("%w: point", ErrEncoding)
	}
	return e, nil
}

func pointBytes(p group.Element) []byte {
	b, err := p.MarshalBinary()
	if err != nil {
		panic(err)
	}
	return b
}

func appendPoint(b []byte, p group.Element) []byte { return append(b, pointBytes(p)...) }

func appendScalar(b []byte, s group.Scalar) []byte { return append(b, ScalarBytes(s)...) }

// appendCtx writes a caller's context with its length first, so no two (ctx, rest) pairs
// hash alike.
func appendCtx(b, ctx []byte) []byte {
	if len(ctx) > 0xffff {
		panic("elgamal: context longer than 65535 bytes")
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(ctx)))
	return append(b, ctx...)
}

// smallMul returns k·P for a small non-negative k by doubling and adding: a handful of
// additions where a scalar multiplication would cost 55 µs.
func smallMul(p group.Element, k int) group.Element {
	out := grp.Identity()
	acc := p.Copy()
	for k > 0 {
		if k&1 == 1 {
			out.Add(out, acc)
		}
		k >>= 1
		if k > 0 {
			acc.Dbl(acc)
		}
	}
	return out
}
