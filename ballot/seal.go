package ballot

import (
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

// Sealing (DESIGN: secrecy model). Each poll has an X25519 key pair fixed at opening; its
// private key is needed to count and is held as teller shares. Each server instance seals
// the ballots of a poll with one ephemeral X25519 key: DH(ephemeral, poll public) gives an
// XChaCha20-Poly1305 key, each ballot gets a random nonce. Opening costs one DH per
// ephemeral key, not per ballot. The poll and voter group are bound as associated data, so
// a sealed ballot cannot be moved to another poll or group unnoticed.

const sealInfo = "minyi ballot seal v1"

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

func sealAEAD(shared, ephemeralPub, pollPub []byte) (cipher.AEAD, error) {
	salt := append(append([]byte{}, ephemeralPub...), pollPub...)
	key, err := hkdf.Key(sha256.New, shared, salt, sealInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return chacha20poly1305.NewX(key)
}

func sealAD(pollID, groupID string) []byte {
	return []byte(pollID + "\x00" + groupID)
}

// Sealer seals ballots for one poll on one server instance.
type Sealer struct {
	pollID    string
	Ephemeral []byte // the ephemeral public key, stored once beside the poll
	aead      cipher.AEAD
}

// NewSealer makes a sealer with a fresh ephemeral key for the poll's public key.
func NewSealer(pollID string, pollPublic []byte) (*Sealer, error) {
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
	aead, err := sealAEAD(shared, eph.PublicKey().Bytes(), pollPublic)
	if err != nil {
		return nil, err
	}
	return &Sealer{pollID: pollID, Ephemeral: eph.PublicKey().Bytes(), aead: aead}, nil
}

// Seal encrypts a plain ballot of the given voter group: nonce ‖ ciphertext.
func (s *Sealer) Seal(groupID string, plain []byte) ([]byte, error) {
	out := make([]byte, chacha20poly1305.NonceSizeX, chacha20poly1305.NonceSizeX+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out, plain, sealAD(s.pollID, groupID)), nil
}

// Opener opens the sealed ballots of one poll with its private key. It keeps one AEAD per
// ephemeral key, so a box sealed by a few instances costs a few DH operations.
type Opener struct {
	pollID string
	priv   *ecdh.PrivateKey
	mu     sync.Mutex
	aeads  map[string]cipher.AEAD
}

// NewOpener makes an opener from the poll's private key.
func NewOpener(pollID string, private []byte) (*Opener, error) {
	k, err := ecdh.X25519().NewPrivateKey(private)
	if err != nil {
		return nil, fmt.Errorf("poll private key: %w", err)
	}
	return &Opener{pollID: pollID, priv: k, aeads: map[string]cipher.AEAD{}}, nil
}

func (o *Opener) aead(ephemeral []byte) (cipher.AEAD, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if a, ok := o.aeads[string(ephemeral)]; ok {
		return a, nil
	}
	pub, err := ecdh.X25519().NewPublicKey(ephemeral)
	if err != nil {
		return nil, err
	}
	shared, err := o.priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	a, err := sealAEAD(shared, ephemeral, o.priv.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	o.aeads[string(ephemeral)] = a
	return a, nil
}

// Open decrypts one sealed ballot; any change to the bytes, the group or the poll fails.
func (o *Opener) Open(ephemeral []byte, groupID string, sealed []byte) ([]byte, error) {
	a, err := o.aead(ephemeral)
	if err != nil {
		return nil, err
	}
	if len(sealed) < chacha20poly1305.NonceSizeX+a.Overhead() {
		return nil, fmt.Errorf("sealed ballot too short")
	}
	n := chacha20poly1305.NonceSizeX
	return a.Open(nil, sealed[:n], sealed[n:], sealAD(o.pollID, groupID))
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
