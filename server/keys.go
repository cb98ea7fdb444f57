package server

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"minyi/ballot"
)

// Keys are derived from the server secret, which lives outside the database (a file in
// ./var or the MINYI_SECRET environment variable).
type Keys struct {
	Token ballot.TokenKey
	Share ballot.ShareKey
	Paper []byte // digests of pending paper entries
	// Nullifier marks a ballot as its token's while the poll is open; it is not the
	// token's lookup key, so a reader of the database cannot join a token row to a
	// ballot row.
	Nullifier ballot.NullifierKey
	// Round seals a device count's round in the database (roundSeal).
	Round []byte
	// BoxSums keys the box's sums kept as ballots are sealed (ballot.SumsKey): every
	// instance derives the same, so a row names no instance.
	BoxSums ballot.SumsKey
	Sign    ed25519.PrivateKey
}

// DeriveKeys derives each purpose's key from the server secret.
func DeriveKeys(secret []byte) (Keys, error) {
	if len(secret) < 32 {
		return Keys{}, fmt.Errorf("the server secret must be at least 32 bytes")
	}
	tk, err := hkdf.Key(sha256.New, secret, nil, "minyi token hmac v1", 32)
	if err != nil {
		return Keys{}, err
	}
	sk, err := hkdf.Key(sha256.New, secret, nil, "minyi share wrap v1", 32)
	if err != nil {
		return Keys{}, err
	}
	pk, err := hkdf.Key(sha256.New, secret, nil, "minyi paper digest v1", 32)
	if err != nil {
		return Keys{}, err
	}
	nk, err := hkdf.Key(sha256.New, secret, nil, "minyi nullifier v1", 32)
	if err != nil {
		return Keys{}, err
	}
	rk, err := hkdf.Key(sha256.New, secret, nil, "minyi count round v1", 32)
	if err != nil {
		return Keys{}, err
	}
	bk, err := hkdf.Key(sha256.New, secret, nil, "minyi box sums v1", 32)
	if err != nil {
		return Keys{}, err
	}
	seed, err := hkdf.Key(sha256.New, secret, nil, "minyi signing v1", ed25519.SeedSize)
	if err != nil {
		return Keys{}, err
	}
	return Keys{Token: tk, Share: sk, Paper: pk, Nullifier: nk, Round: rk, BoxSums: bk, Sign: ed25519.NewKeyFromSeed(seed)}, nil
}
