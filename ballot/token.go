package ballot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"
)

// TokenBits is the entropy of a voting token (DESIGN: ≥ 80 bits).
const TokenBits = 80

// tokenLen is the number of Crockford base32 symbols in a token: 80 bits / 5.
const tokenLen = TokenBits / 5

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Token is a one-time voting credential in canonical form: 16 upper-case Crockford base32
// symbols. It is never stored; only its keyed hash is.
type Token string

// NewToken draws a token from crypto/rand.
func NewToken() (Token, error) {
	var b [TokenBits / 8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return tokenOf(b), nil
}

// tokenOf spells 80 random bits as a token.
func tokenOf(b [TokenBits / 8]byte) Token {
	var out [tokenLen]byte
	// 80 bits → 16 symbols of 5 bits, most significant first.
	var acc uint64
	bits, n := 0, 0
	for _, c := range b {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[n] = crockford[(acc>>uint(bits))&31]
			n++
		}
	}
	return Token(out[:])
}

// ParseToken accepts what a person types or a QR code carries: any case, with hyphens or
// spaces, and Crockford's look-alikes (O→0, I/L→1). It returns the canonical token.
func ParseToken(s string) (Token, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\u3000' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r >= 'Ａ' && r <= 'Ｚ': // full-width letters from a Chinese input method
			r = r - 'Ａ' + 'A'
			if r == 'O' {
				r = '0'
			} else if r == 'I' || r == 'L' {
				r = '1'
			}
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		}
		if r > 127 || strings.IndexByte(crockford, byte(r)) < 0 {
			return "", Errorf(ETOKENUNKNOWN, "投票凭证码含有无效字符，请核对后重新输入")
		}
		b.WriteRune(r)
	}
	if b.Len() != tokenLen {
		return "", Errorf(ETOKENUNKNOWN, "投票凭证码应为%d位字母和数字，请核对后重新输入", tokenLen)
	}
	return Token(b.String()), nil
}

// Grouped renders the token for print: ABCD-EFGH-JKMN-PQRS.
func (t Token) Grouped() string {
	s := string(t)
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), "-")
}

// TokenKey is the server secret's key for hashing tokens. The database holds only
// HMAC-SHA256(key, token), so a dump of it cannot vote (DESIGN: tokens).
type TokenKey []byte

// Hash returns the keyed hash stored for a token.
func (k TokenKey) Hash(t Token) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(t))
	return m.Sum(nil)
}

// NullifierKey is the server secret's key for a token's nullifier: the mark its ballot
// carries in the box while the poll is open, so that a second submission finds it. It is
// another key than TokenKey, so the nullifier cannot be joined to the token's row by
// anyone without the server secret. Close erases the nullifiers. A token belongs to one
// poll, so its nullifier needs no poll to be unique.
type NullifierKey []byte

// Nullifier returns the token's nullifier.
func (k NullifierKey) Nullifier(t Token) []byte {
	m := hmac.New(sha256.New, k)
	m.Write([]byte(t))
	return m.Sum(nil)
}
