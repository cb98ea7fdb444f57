package elgamal

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/cloudflare/circl/group"
)

// PollContext is the ctx every proof and sealed text of a poll is bound to:
// SHA-256("minyi-v1-context" ‖ u16(len poll id) ‖ poll id ‖ K). Binding the key as well as the
// poll means a proof made under one key ceremony never verifies under another.
func PollContext(pollID string, pk *PublicKey) []byte {
	h := sha256.New()
	h.Write([]byte("minyi-v1-context"))
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(pollID))))
	h.Write([]byte(pollID))
	h.Write(pk.Bytes())
	return h.Sum(nil)
}

// AppendPoints appends the 32-byte encodings of points (commitments, decryption shares).
func AppendPoints(b []byte, ps []group.Element) []byte {
	for _, p := range ps {
		b = appendPoint(b, p)
	}
	return b
}

// ParsePoints decodes exactly n points.
func ParsePoints(b []byte, n int) ([]group.Element, error) {
	if n < 0 || len(b) != n*PointSize {
		return nil, fmt.Errorf("%w: %d bytes for %d points", ErrEncoding, len(b), n)
	}
	out := make([]group.Element, n)
	for i := range out {
		var err error
		if out[i], err = parsePoint(b[i*PointSize : (i+1)*PointSize]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PartialSize is the encoded length of a Partial over n points.
func PartialSize(n int) int { return 1 + n*PointSize + PartialProofSize }

// AppendBinary appends a partial as teller j (1 byte) ‖ D_1 ‖ … ‖ D_n ‖ proof.
func (p Partial) AppendBinary(b []byte) ([]byte, error) {
	if p.Teller < 1 || p.Teller > 255 || len(p.Proof) != PartialProofSize {
		return nil, fmt.Errorf("%w: partial of teller %d", ErrEncoding, p.Teller)
	}
	b = append(b, byte(p.Teller))
	b = AppendPoints(b, p.D)
	return append(b, p.Proof...), nil
}

// ParsePartial decodes a partial over n points; its proof is checked by VerifyPartial.
func ParsePartial(b []byte, n int) (Partial, error) {
	if len(b) != PartialSize(n) || b[0] == 0 {
		return Partial{}, fmt.Errorf("%w: partial of %d bytes for %d points", ErrEncoding, len(b), n)
	}
	d, err := ParsePoints(b[1:1+n*PointSize], n)
	if err != nil {
		return Partial{}, err
	}
	return Partial{Teller: int(b[0]), D: d, Proof: append([]byte(nil), b[1+n*PointSize:]...)}, nil
}
