// Package ceremony is the tellers' key ceremony: the steps by which n tellers make a poll's
// k-of-n key on their own devices, through a server that only relays public data (Pedersen's
// joint Feldman distributed key generation, with the dealing itself in ballot/elgamal).
//
// The rounds, as the teller page (frontend/static/teller) and `minyi teller` run them:
//
//  1. Each seat j draws a communication key x_j and posts X_j = x_j·G.
//  2. When all n are posted, each seat i deals (elgamal.Deal): it posts its k Feldman
//     commitments and, for every other seat j, f_i(j) sealed to X_j (Seal).
//  3. When all n dealings are in, seat j opens what it was dealt (Open), checks each share
//     against its dealer's commitments (elgamal.VerifyDealt), and complains against a dealer
//     whose share fails: the ceremony is then blocked until the organizer restarts it.
//     Otherwise s_j = Σ_i f_i(j), checked against elgamal.PublicShare(j).
//  4. Every device shows the 核对码 (Code of the Transcript): the tellers read it aloud to each
//     other, so a server that showed one teller other keys than another is caught.
//  5. The teller saves the backup (elgamal.EncodeShare), loads it again, and proves it
//     holds s_j over the server's challenge (elgamal.ProveShare); the seat is then ready.
//
// Byte layouts, which the JavaScript of the teller page follows exactly:
//
//   - communication key: docs/CRYPTO.md's transport key T_j = x_j·G; sealed share: f_i(j) sealed
//     to T_j as docs/CRYPTO.md §2 says (elgamal.SealDealt, 84 bytes). Seat i posts its sealed
//     shares for j = 1…n, j ≠ i, in order.
//   - transcript: SHA-256("minyi-v1-ceremony" ‖ ceremony(16) ‖ poll(16) ‖ k(1) ‖ n(1) ‖ X_1…X_n ‖
//     commitments of 1…n (k×32 each) ‖ sealed shares of 1…n ((n−1)×84 each)); the 核对码 is
//     its first 60 bits in Crockford base32, grouped 4-4-4.
//
// The package imports no SQL or HTTP package.
package ceremony

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
)

var grp = group.Ristretto255

const (
	// PointSize and ScalarSize are ristretto255's encodings.
	PointSize  = 32
	ScalarSize = 32
	// SealedSize is one sealed share.
	SealedSize = elgamal.DealtShareSize
	// IDSize is a ceremony's or a poll's id (a UUID's 16 bytes).
	IDSize = 16

	labelTranscript = "minyi-v1-ceremony"
)

// ErrSeal is a sealed share that does not open: not sealed to this seat, or altered.
var ErrSeal = errors.New("ceremony: sealed share does not open")

// ParseID reads a UUID in its usual text form into its 16 bytes.
func ParseID(s string) ([IDSize]byte, error) {
	var out [IDSize]byte
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 2*IDSize {
		return out, fmt.Errorf("ceremony: id %q", s)
	}
	for i := range out {
		var b byte
		if _, err := fmt.Sscanf(h[2*i:2*i+2], "%02x", &b); err != nil {
			return out, fmt.Errorf("ceremony: id %q", s)
		}
		out[i] = b
	}
	return out, nil
}

// CommKey is a seat's communication key pair (its transport key), drawn fresh for each
// ceremony.
type CommKey struct {
	Secret group.Scalar
	Public []byte
}

// NewCommKey draws a communication key.
func NewCommKey(rnd io.Reader) (CommKey, error) {
	x, pk, err := elgamal.NewTransportKey(rnd)
	if err != nil {
		return CommKey{}, err
	}
	return CommKey{Secret: x, Public: pk.Bytes()}, nil
}

// ParsePoint decodes a canonical ristretto255 element; the identity is refused.
func ParsePoint(b []byte) (group.Element, error) {
	e, err := elgamal.ParsePoint(b)
	if err != nil {
		return nil, err
	}
	if e.IsIdentity() {
		return nil, fmt.Errorf("ceremony: identity point")
	}
	return e, nil
}

// Seal is dealer i's share f_i(j) sealed to seat j's communication key.
func Seal(pollID string, i, j int, theirs []byte, share group.Scalar, rnd io.Reader) ([]byte, error) {
	pk, err := elgamal.ParsePublicKey(theirs)
	if err != nil {
		return nil, err
	}
	return elgamal.SealDealt(pk, pollID, i, j, share, rnd)
}

// Open is seat j's reading of the share dealer i sealed to it.
func Open(pollID string, i, j int, mine CommKey, sealed []byte) (group.Scalar, error) {
	s, err := elgamal.OpenDealt(mine.Secret, pollID, i, j, sealed)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSeal, err)
	}
	return s, nil
}

// SealedFor picks, from dealer i's sealed shares (one per other seat, in seat order), the
// one sealed to seat j.
func SealedFor(sealed []byte, i, j int) []byte {
	at := j - 1
	if j > i {
		at--
	}
	if i == j || at < 0 || (at+1)*SealedSize > len(sealed) {
		return nil
	}
	return sealed[at*SealedSize : (at+1)*SealedSize]
}

// Public is the ceremony's public record, as the server keeps it and every device reads it.
type Public struct {
	Ceremony, Poll [IDSize]byte
	K, N           int
	CommKeys       [][]byte // per seat, 32 bytes
	Commitments    [][]byte // per seat, k×32 bytes
	Sealed         [][]byte // per seat, (n−1)×72 bytes
}

// Transcript hashes the whole public record; see the package comment for the layout.
func (p *Public) Transcript() [32]byte {
	h := sha256.New()
	h.Write([]byte(labelTranscript))
	h.Write(p.Ceremony[:])
	h.Write(p.Poll[:])
	h.Write([]byte{byte(p.K), byte(p.N)})
	for _, part := range [][][]byte{p.CommKeys, p.Commitments, p.Sealed} {
		for _, b := range part {
			h.Write(b)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Code is the 核对码 the tellers read aloud: the transcript's first 60 bits, 12 Crockford
// base32 symbols in groups of four. Sixty bits leave a server no time at a meeting to find
// two different records with one code.
func Code(transcript [32]byte) string {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var v uint64
	for _, b := range transcript[:8] {
		v = v<<8 | uint64(b)
	}
	v >>= 4 // 64 → 60 bits
	var out []byte
	for i := 11; i >= 0; i-- {
		out = append(out, crockford[(v>>(5*uint(i)))&31])
		if i%4 == 0 && i > 0 {
			out = append(out, '-')
		}
	}
	return string(out)
}

// KeysComplete reports whether every seat has posted a communication key (round 1 done).
func (p *Public) KeysComplete() bool { return countFull(p.CommKeys) == p.N }

// DealingsComplete reports whether every seat has dealt (round 2 done).
func (p *Public) DealingsComplete() bool { return countFull(p.Commitments) == p.N }

func countFull(parts [][]byte) int {
	n := 0
	for _, b := range parts {
		if len(b) > 0 {
			n++
		}
	}
	return n
}

// CheckDealing is the server's check of a posted dealing's shape: k points that decode, and
// one sealed share of the right size for each other seat. (Whether a share matches its
// commitments only its receiver can tell.)
func CheckDealing(k, n int, commitments, sealed []byte) error {
	if len(commitments) != k*PointSize {
		return fmt.Errorf("ceremony: %d bytes of commitments, want %d", len(commitments), k*PointSize)
	}
	for l := range k {
		if _, err := ParsePoint(commitments[l*PointSize : (l+1)*PointSize]); err != nil {
			return err
		}
	}
	if len(sealed) != (n-1)*SealedSize {
		return fmt.Errorf("ceremony: %d bytes of sealed shares, want %d", len(sealed), (n-1)*SealedSize)
	}
	return nil
}

// Points splits every seat's commitments into group elements, as elgamal.JointKey and
// elgamal.PublicShare take them.
func (p *Public) Points() ([][]group.Element, error) {
	out := make([][]group.Element, p.N)
	for i, c := range p.Commitments {
		if len(c) != p.K*PointSize {
			return nil, fmt.Errorf("ceremony: seat %d has not dealt", i+1)
		}
		for l := range p.K {
			e, err := ParsePoint(c[l*PointSize : (l+1)*PointSize])
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], e)
		}
	}
	return out, nil
}
