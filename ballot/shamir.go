package ballot

import (
	"crypto/rand"
	"fmt"
)

// Shamir's secret sharing over GF(2^8) (the AES field, x^8+x^4+x^3+x+1), bytewise: the
// poll private key split k-of-n among the tellers (监票人). Any k shares give the key;
// fewer give nothing about it.

// Share is one teller's share: the x coordinate (1..255) and one y byte per secret byte.
type Share struct {
	X byte
	Y []byte
}

// gfMul multiplies in GF(2^8) without tables or branches on secret data.
func gfMul(a, b byte) byte {
	var p byte
	for i := 0; i < 8; i++ {
		mask := -(b & 1) // 0xff when the low bit of b is set
		p ^= a & mask
		carry := -(a >> 7) // 0xff when a overflows
		a = a<<1 ^ 0x1b&carry
		b >>= 1
	}
	return p
}

// gfInv is a^254 = a^-1 (for a ≠ 0).
func gfInv(a byte) byte {
	r := byte(1)
	for i := 0; i < 254; i++ {
		r = gfMul(r, a)
	}
	return r
}

// evalPoly evaluates coeffs[0] + coeffs[1]·x + … at x (Horner).
func evalPoly(coeffs []byte, x byte) byte {
	var y byte
	for i := len(coeffs) - 1; i >= 0; i-- {
		y = gfMul(y, x) ^ coeffs[i]
	}
	return y
}

// SplitSecret splits secret into n shares, any k of which recover it.
func SplitSecret(secret []byte, n, k int) ([]Share, error) {
	if k < 1 || k > n || n > 255 {
		return nil, fmt.Errorf("shamir: need 1 ≤ k ≤ n ≤ 255, got k=%d n=%d", k, n)
	}
	coeffs := make([][]byte, len(secret))
	for i, s := range secret {
		coeffs[i] = make([]byte, k)
		coeffs[i][0] = s
		if _, err := rand.Read(coeffs[i][1:]); err != nil {
			return nil, err
		}
	}
	return splitWith(coeffs, n), nil
}

// splitWith evaluates each byte's polynomial at x = 1..n.
func splitWith(coeffs [][]byte, n int) []Share {
	shares := make([]Share, n)
	for j := range shares {
		x := byte(j + 1)
		shares[j] = Share{X: x, Y: make([]byte, len(coeffs))}
		for i, c := range coeffs {
			shares[j].Y[i] = evalPoly(c, x)
		}
	}
	return shares
}

// CombineShares recovers the secret from k or more shares by Lagrange interpolation at 0.
// With fewer than k shares it returns a value unrelated to the secret, which the caller
// detects (for a poll key: the public key does not match).
func CombineShares(shares []Share) ([]byte, error) {
	if len(shares) == 0 {
		return nil, fmt.Errorf("shamir: no shares")
	}
	size := len(shares[0].Y)
	seen := map[byte]bool{}
	for _, s := range shares {
		if s.X == 0 || seen[s.X] || len(s.Y) != size {
			return nil, fmt.Errorf("shamir: shares repeated, malformed or of different lengths")
		}
		seen[s.X] = true
	}
	secret := make([]byte, size)
	for i, si := range shares {
		// l_i(0) = Π_{j≠i} x_j / (x_j - x_i); subtraction is xor in GF(2^8)
		num, den := byte(1), byte(1)
		for j, sj := range shares {
			if i != j {
				num = gfMul(num, sj.X)
				den = gfMul(den, sj.X^si.X)
			}
		}
		l := gfMul(num, gfInv(den))
		for b := range secret {
			secret[b] ^= gfMul(si.Y[b], l)
		}
	}
	return secret, nil
}
