package elgamal

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

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
	if len(text) > size {
		return nil, fmt.Errorf("%w: %d bytes for %d", ErrTextTooLong, len(text), size)
	}
	e, err := NewScalar(rnd)
	if err != nil {
		return nil, err
	}
	r := grp.NewElement().MulGen(e)
	z := pk.mulK(e)
	aead, nonce := textKey(ctx, r, z)
	plain := make([]byte, 4+size)
	binary.BigEndian.PutUint32(plain, uint32(len(text)))
	copy(plain[4:], text)
	out := make([]byte, 0, SealedTextSize(size))
	out = appendPoint(out, r)
	return aead.Seal(out, nonce, plain, ctx), nil
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
	msg := append([]byte(labelText), appendCtx(nil, ctx)...)
	msg = appendPoint(msg, r)
	msg = appendPoint(msg, z)
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
