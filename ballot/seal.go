package ballot

import (
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealing (DESIGN: secrecy model). Each poll has an X25519 key pair fixed at opening; its
// private key is needed to count and is held as teller shares. Every ballot is sealed
// with a fresh X25519 key of its own: DH(ephemeral, poll public) gives an
// XChaCha20-Poly1305 key used once. Nothing in a sealed ballot says which server run or
// instance sealed it, and every ballot of a poll seals to one length: the plain ballot is
// padded to the poll's PlainSize, so the length says nothing of the marks. The poll and
// voter group are bound as associated data, so a sealed ballot cannot be moved to another
// poll or group unnoticed.
//
// A sealed ballot starts with its format:
//
//	2 ‖ ephemeral public key (32) ‖ AEAD(length (4) ‖ plain ‖ zeros up to PlainSize)
//	1 ‖ ephemeral public key (32) ‖ nonce (24) ‖ AEAD(plain)
//
// Format 1 is how ballots were sealed before padding: one ephemeral key per instance and
// poll, kept beside the poll; the upgrade moved that key into each ballot. It is still
// opened, never written.

const (
	sealInfo   = "minyi ballot seal v1"
	sealInfoV2 = "minyi ballot seal v2"

	formatV1 = 1
	formatV2 = 2

	sealHeader = 1 + 32 // format and ephemeral public key
	lengthSize = 4
)

// PollKey is a poll's X25519 key pair.
type PollKey struct {
	Public  []byte
	Private []byte
}

// PublicKeyOf is the public key of a private key: how a key put together from the
// tellers' shares is checked against the poll before anything is opened.
func PublicKeyOf(private []byte) ([]byte, error) {
	k, err := ecdh.X25519().NewPrivateKey(private)
	if err != nil {
		return nil, err
	}
	return k.PublicKey().Bytes(), nil
}

// NewPollKey draws a fresh poll key pair.
func NewPollKey() (PollKey, error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return PollKey{}, err
	}
	return PollKey{Public: k.PublicKey().Bytes(), Private: k.Bytes()}, nil
}

func sealAEAD(shared, ephemeralPub, pollPub []byte, info string) (cipher.AEAD, error) {
	salt := append(append([]byte{}, ephemeralPub...), pollPub...)
	key, err := hkdf.Key(sha256.New, shared, salt, info, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

func sealAD(pollID, groupID string) []byte {
	return []byte(pollID + "\x00" + groupID)
}

// SealedSize is the length of every sealed ballot of a poll whose plain ballots pad to
// plainSize.
func SealedSize(plainSize int) int {
	return sealHeader + lengthSize + plainSize + chacha20poly1305.Overhead
}

// zeroNonce is the nonce of a key used for one message only.
var zeroNonce = make([]byte, chacha20poly1305.NonceSizeX)

// Seal encrypts a plain ballot of the given voter group to the poll's public key, padded
// to plainSize (the poll's PlainSize). A plain ballot longer than that is refused: no
// ballot may stand out by its length.
func Seal(pollID string, pollPublic []byte, groupID string, plain []byte, plainSize int) ([]byte, error) {
	if len(plain) > plainSize {
		return nil, Errorf(EINVALID, "选票内容超出本次投票允许的长度，请删减填写的文字后重新提交")
	}
	pub, err := ecdh.X25519().NewPublicKey(pollPublic)
	if err != nil {
		return nil, fmt.Errorf("poll public key: %w", err)
	}
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	shared, err := eph.ECDH(pub)
	if err != nil {
		return nil, err
	}
	aead, err := sealAEAD(shared, eph.PublicKey().Bytes(), pollPublic, sealInfoV2)
	if err != nil {
		return nil, err
	}
	padded := make([]byte, lengthSize+plainSize)
	binary.BigEndian.PutUint32(padded, uint32(len(plain)))
	copy(padded[lengthSize:], plain)
	out := make([]byte, 0, SealedSize(plainSize))
	out = append(out, formatV2)
	out = append(out, eph.PublicKey().Bytes()...)
	return aead.Seal(out, zeroNonce, padded, sealAD(pollID, groupID)), nil
}

// Opener opens the sealed ballots of one poll with its private key.
type Opener struct {
	pollID string
	priv   *ecdh.PrivateKey
	mu     sync.Mutex
	v1     map[string]cipher.AEAD // format 1: one AEAD per instance key, so a few DH in all
}

// NewOpener makes an opener from the poll's private key.
func NewOpener(pollID string, private []byte) (*Opener, error) {
	k, err := ecdh.X25519().NewPrivateKey(private)
	if err != nil {
		return nil, fmt.Errorf("poll private key: %w", err)
	}
	return &Opener{pollID: pollID, priv: k, v1: map[string]cipher.AEAD{}}, nil
}

func (o *Opener) aead(ephemeral []byte, info string) (cipher.AEAD, error) {
	pub, err := ecdh.X25519().NewPublicKey(ephemeral)
	if err != nil {
		return nil, err
	}
	shared, err := o.priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	return sealAEAD(shared, ephemeral, o.priv.PublicKey().Bytes(), info)
}

func (o *Opener) aeadV1(ephemeral []byte) (cipher.AEAD, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a, ok := o.v1[string(ephemeral)]; ok {
		return a, nil
	}
	a, err := o.aead(ephemeral, sealInfo)
	if err != nil {
		return nil, err
	}
	o.v1[string(ephemeral)] = a
	return a, nil
}

// Open decrypts one sealed ballot and returns the plain ballot without its padding; any
// change to the bytes, the group or the poll fails.
func (o *Opener) Open(groupID string, sealed []byte) ([]byte, error) {
	if len(sealed) < sealHeader+chacha20poly1305.Overhead {
		return nil, fmt.Errorf("sealed ballot too short")
	}
	ephemeral, body := sealed[1:sealHeader], sealed[sealHeader:]
	ad := sealAD(o.pollID, groupID)
	switch sealed[0] {
	case formatV1:
		a, err := o.aeadV1(ephemeral)
		if err != nil {
			return nil, err
		}
		n := chacha20poly1305.NonceSizeX
		if len(body) < n+a.Overhead() {
			return nil, fmt.Errorf("sealed ballot too short")
		}
		return a.Open(nil, body[:n], body[n:], ad)
	case formatV2:
		a, err := o.aead(ephemeral, sealInfoV2)
		if err != nil {
			return nil, err
		}
		padded, err := a.Open(nil, zeroNonce, body, ad)
		if err != nil {
			return nil, err
		}
		if len(padded) < lengthSize {
			return nil, fmt.Errorf("sealed ballot too short")
		}
		n := binary.BigEndian.Uint32(padded)
		if uint64(n) > uint64(len(padded)-lengthSize) {
			return nil, fmt.Errorf("sealed ballot: length %d beyond its padding", n)
		}
		return padded[lengthSize : lengthSize+int(n)], nil
	}
	return nil, fmt.Errorf("sealed ballot: unknown format %d", sealed[0])
}

// ShareKey wraps the poll private key while a share is held server-side (the default 1-of-1
// share). The key derives from the server secret, which is not in the database, so a
// database dump cannot open a box.
type ShareKey []byte

// Wrap encrypts a poll private key for storage, bound to the poll.
func (k ShareKey) Wrap(pollID string, private []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, err
	}
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(private)+a.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return a.Seal(out, out, private, []byte("share\x00"+pollID)), nil
}

// Unwrap reverses Wrap.
func (k ShareKey) Unwrap(pollID string, wrapped []byte) ([]byte, error) {
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil, err
	}
	n := chacha20poly1305.NonceSizeX
	if len(wrapped) < n+a.Overhead() {
		return nil, fmt.Errorf("wrapped share too short")
	}
	return a.Open(nil, wrapped[:n], wrapped[n:], []byte("share\x00"+pollID))
}
