package elgamal

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/cloudflare/circl/group"
	"golang.org/x/crypto/chacha20poly1305"
)

// A sealed text is R ‖ AEAD(u32 length ‖ text ‖ zero padding), R = e·G for a fresh e. Its key
// comes from e·K, which the tellers rebuild as s·R with the same partial decryptions as the
// sums (ElGamal KEM + XChaCha20-Poly1305); so a text is opened only by a quorum, one by one.

// SealedTextSize is the length of a text sealed for a given size: R, the length, the padded
// text, the AEAD tag. Every text of one field has this length whatever it says.
func SealedTextSize(size int) int { return PointSize + 4 + size + chacha20poly1305.Overhead }

// ErrTextTooLong is returned when a text does not fit its field's size.
var ErrTextTooLong = errors.New("elgamal: text longer than its field")

// SealText encrypts text for the tellers, padded to size bytes.
func SealText(pk *PublicKey, ctx []byte, text []byte, size int, rnd io.Reader) ([]byte, error) {
	pt, err := PrepareText(pk, rnd)
	if err != nil {
		return nil, err
	}
	return pt.Seal(nil, ctx, text, size)
}

// PreparedText is the KEM of one future sealed text worked out ahead: the encodings of
// R = e·G and e·K for a fresh e, so sealing costs no point multiplication. It is secret
// (e·K opens the text) and is used once.
type PreparedText struct {
	enc  []byte // R ‖ e·K
	used atomic.Bool
}

// PrepareText draws the KEM randomness of a text.
func PrepareText(pk *PublicKey, rnd io.Reader) (*PreparedText, error) {
	e, err := NewScalar(rnd)
	if err != nil {
		return nil, err
	}
	enc := appendPoint(make([]byte, 0, 2*PointSize), grp.NewElement().MulGen(e))
	return &PreparedText{enc: appendPoint(enc, pk.mulK(e))}, nil
}

// Seal appends the text sealed with the prepared KEM, padded to size bytes, to out (as
// SealText gives it). A second Seal fails with ErrUsed.
func (pt *PreparedText) Seal(out, ctx []byte, text []byte, size int) ([]byte, error) {
	if len(text) > size {
		return out, fmt.Errorf("%w: %d bytes for %d", ErrTextTooLong, len(text), size)
	}
	if !pt.used.CompareAndSwap(false, true) {
		return out, ErrUsed
	}
	r, z := pt.enc[:PointSize], pt.enc[PointSize:]
	aead, nonce := textKeyFrom(ctx, r, z)
	plain := make([]byte, 4+size)
	binary.BigEndian.PutUint32(plain, uint32(len(text)))
	copy(plain[4:], text)
	out = append(out, r...)
	out = aead.Seal(out, nonce, plain, ctx)
	clear(pt.enc)
	return out, nil
}

// TextPoint is the R of a sealed text: what the tellers partially decrypt.
func TextPoint(sealed []byte) (group.Element, error) {
	if len(sealed) < SealedTextSize(0) {
		return nil, fmt.Errorf("%w: sealed text of %d bytes", ErrEncoding, len(sealed))
	}
	return parsePoint(sealed[:PointSize])
}

// OpenText decrypts a sealed text with combined = s·R (CombinePartials over its TextPoint).
func OpenText(sealed []byte, combined group.Element, ctx []byte) ([]byte, error) {
	r, err := TextPoint(sealed)
	if err != nil {
		return nil, err
	}
	aead, nonce := textKey(ctx, r, combined)
	plain, err := aead.Open(nil, nonce, sealed[PointSize:], ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: sealed text does not open", ErrProof)
	}
	n := binary.BigEndian.Uint32(plain)
	if uint64(n) > uint64(len(plain)-4) {
		return nil, fmt.Errorf("%w: text length %d", ErrEncoding, n)
	}
	return plain[4 : 4+n], nil
}

// textKey is SHA-512("minyi-v1-text" ‖ u16(len ctx) ‖ ctx ‖ R ‖ Z): key = bytes 0–31,
// nonce = bytes 32–55.
func textKey(ctx []byte, r, z group.Element) (aeadCipher, []byte) {
	return textKeyFrom(ctx, pointBytes(r), pointBytes(z))
}

// textKeyFrom is textKey from the encodings of R and Z.
func textKeyFrom(ctx, r, z []byte) (aeadCipher, []byte) {
	msg := append([]byte(labelText), appendCtx(nil, ctx)...)
	msg = append(msg, r...)
	msg = append(msg, z...)
	sum := sha512.Sum512(msg)
	aead, err := chacha20poly1305.NewX(sum[:32])
	if err != nil {
		panic(err)
	}
	return aead, sum[32 : 32+chacha20poly1305.NonceSizeX]
}

type aeadCipher interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
}
