package elgamal

import (
	"crypto/sha512"
	"encoding"
	"hash"
	"sync"

	r255 "github.com/bwesterb/go-ristretto"
	"github.com/cloudflare/circl/group"
)

// A ballot's proofs hash once per cell and once per line (a thirty-subject ballot about 180
// times), so hashing to a scalar is a large part of sealing a ballot and of checking one.
// xmdScalar computes exactly what circl's Ristretto255 HashToScalar does (RFC 9380's
// expand_message_xmd with SHA-512 to 64 bytes, reduced mod ℓ), without building the
// message in a new buffer and without hashing the leading block of zeros every time: the
// hash's state after that block is the same for every message, so it is kept.
type xmdScalar struct {
	dstPrime []byte // DST ‖ len(DST)
	afterZ   []byte // SHA-512's state after Z_pad, one block of zeros
	hashes   sync.Pool
}

func newXMDScalar(dst string) *xmdScalar {
	if len(dst) > 255 {
		panic("elgamal: a domain tag longer than 255 bytes is hashed first, which xmdScalar does not do")
	}
	h := sha512.New()
	h.Write(make([]byte, sha512.BlockSize))
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err)
	}
	x := &xmdScalar{dstPrime: append([]byte(dst), byte(len(dst))), afterZ: state}
	x.hashes.New = func() any { return sha512.New() }
	return x
}

// start is SHA-512 after Z_pad.
func (x *xmdScalar) start() hash.Hash {
	h := x.hashes.Get().(hash.Hash)
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(x.afterZ); err != nil {
		panic(err)
	}
	return h
}

var (
	xmdLength = []byte{0, 64, 0} // I2OSP(64, 2) ‖ I2OSP(0, 1)
	xmdOne    = []byte{1}
)

// sum finishes the hash of the message written to h (after start) into a scalar.
func (x *xmdScalar) sum(h hash.Hash) group.Scalar {
	s := x.sumR255(h)
	var enc [32]byte
	s.BytesInto(&enc)
	out := grp.NewScalar()
	if err := out.UnmarshalBinary(enc[:]); err != nil {
		panic(err) // a reduced scalar is canonical
	}
	return out
}

// sumR255 is sum as go-ristretto's scalar.
func (x *xmdScalar) sumR255(h hash.Hash) r255.Scalar {
	// b_0 = H(Z_pad ‖ msg ‖ I2OSP(64, 2) ‖ 0 ‖ DST′), b_1 = H(b_0 ‖ 1 ‖ DST′): 64 bytes
	// are one SHA-512 output, so b_1 is the whole of the uniform bytes.
	h.Write(xmdLength)
	h.Write(x.dstPrime)
	var b [64]byte
	b0 := h.Sum(b[:0])
	h.Reset()
	h.Write(b0)
	h.Write(xmdOne)
	h.Write(x.dstPrime)
	h.Sum(b[:0])
	x.hashes.Put(h)
	var s r255.Scalar
	s.SetReduced(&b)
	return s
}

// scalar is HashToScalar(msg, DST).
func (x *xmdScalar) scalar(msg []byte) group.Scalar {
	h := x.start()
	h.Write(msg)
	return x.sum(h)
}
