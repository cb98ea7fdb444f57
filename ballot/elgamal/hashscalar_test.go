package elgamal

import (
	"crypto/rand"
	"testing"
)

// The proofs' challenges and the nonces are hashed by xmdScalar instead of circl's
// HashToScalar: every ballot and bundle ever made depends on the two agreeing to the bit.
func TestXMDScalarIsCirclsHashToScalar(t *testing.T) {
	for _, dst := range []string{dstRange, dstNonce, dstShareProof, "x"} {
		x := newXMDScalar(dst)
		for n := range 700 { // messages across SHA-512's block boundaries
			msg := make([]byte, n)
			rand.Read(msg)
			got, want := x.scalar(msg), grp.HashToScalar(msg, []byte(dst))
			if !got.IsEqual(want) {
				t.Fatalf("dst %q, a message of %d bytes: %v, circl %v", dst, n, got, want)
			}
		}
	}
}

func BenchmarkRangeChallengeHash(b *testing.B) {
	msg := make([]byte, 2+16+3*PointSize+2+4*PointSize)
	rand.Read(msg)
	b.Run("circl", func(b *testing.B) {
		for b.Loop() {
			grp.HashToScalar(msg, []byte(dstRange))
		}
	})
	b.Run("xmd", func(b *testing.B) {
		for b.Loop() {
			rangeXMD.scalar(msg)
		}
	})
}
