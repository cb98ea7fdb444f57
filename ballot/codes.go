package ballot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
)

// MaxCodes is the most codes one bulk issue makes: a province-wide 满意度 survey of many
// units and regions, its codes sent by SMS, letter or posters at service counters.
const MaxCodes = 1_000_000

// SlipsPerPart is the most slips in one PDF of a bulk issue's printable parts, as many
// as the poll page's slips of one batch, so that a part prints and cuts like a batch.
const SlipsPerPart = 2000

// CodeShare is one group's share of a bulk issue.
type CodeShare struct {
	Group string // the group's id
	Count int
}

// CheckCodeShares refuses a bulk issue of no codes or of more than MaxCodes, or one
// that names a group twice.
func CheckCodeShares(shares []CodeShare) error {
	total := 0
	seen := map[string]bool{}
	for _, s := range shares {
		if s.Count < 1 || s.Count > MaxCodes {
			return Errorf(EINVALID, "每个参评类别的凭证数量应在1到%d之间", MaxCodes)
		}
		if seen[s.Group] {
			return Errorf(EINVALID, "同一参评类别只能填写一次")
		}
		seen[s.Group] = true
		total += s.Count
	}
	if total < 1 {
		return Errorf(EINVALID, "请至少为一个参评类别填写凭证数量")
	}
	if total > MaxCodes {
		return Errorf(EINVALID, "共 %d 个凭证码，一次最多生成 %d 个，请分几次生成", total, MaxCodes)
	}
	return nil
}

// CodePart is one printable part of a bulk issue: Count codes of one group, the From-th
// to the (From+Count-1)-th of that group's codes (from 0).
type CodePart struct {
	Group       string
	From, Count int
}

// CodeParts cuts the shares into parts of at most SlipsPerPart codes, each of one group,
// in the order of the shares: the order in which a CodeStream draws the codes.
func CodeParts(shares []CodeShare) []CodePart {
	var out []CodePart
	for _, s := range shares {
		for from := 0; from < s.Count; from += SlipsPerPart {
			out = append(out, CodePart{Group: s.Group, From: from, Count: min(SlipsPerPart, s.Count-from)})
		}
	}
	return out
}

// CodeSeed is the secret a bulk issue draws its codes from. It lives in memory while its
// one download is written and is never stored: with it, the download can draw the same
// codes a second time (for the printed slips after the list) without holding a million
// codes, and without it nobody can draw them again.
type CodeSeed [32]byte

// NewCodeSeed draws a seed from crypto/rand.
func NewCodeSeed() (CodeSeed, error) {
	var s CodeSeed
	_, err := rand.Read(s[:])
	return s, err
}

// CodeStream draws tokens from a seed: AES-256 in counter mode, the seed its key, which is
// as unpredictable as crypto/rand to anyone without the seed.
type CodeStream struct {
	s   cipher.Stream
	buf [TokenBits / 8]byte
}

// Stream starts drawing the seed's codes from the first.
func (seed CodeSeed) Stream() *CodeStream {
	b, err := aes.NewCipher(seed[:])
	if err != nil {
		panic(err) // a 32-byte key is always accepted
	}
	return &CodeStream{s: cipher.NewCTR(b, make([]byte, aes.BlockSize))}
}

// Next draws the next code.
func (c *CodeStream) Next() Token {
	clear(c.buf[:])
	c.s.XORKeyStream(c.buf[:], c.buf[:])
	return tokenOf(c.buf)
}
