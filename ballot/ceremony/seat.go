package ceremony

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"strings"

	"minyi/ballot"
)

// SeatTokenBits is the entropy of a teller's link: more than a voter's, as it lasts the
// whole ceremony and a guess would let someone deal in a teller's place.
const SeatTokenBits = 160

const seatTokenLen = SeatTokenBits / 5

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// SeatToken is the capability in a teller's link /t/<token>: 32 Crockford base32 symbols.
// Only its keyed hash is stored.
type SeatToken string

// NewSeatToken draws a seat token from crypto/rand.
func NewSeatToken() SeatToken {
	b := make([]byte, seatTokenLen)
	rand.Read(b)
	for i := range b {
		b[i] = crockford[b[i]&31] // 256 is a multiple of 32: no bias
	}
	return SeatToken(b)
}

// ParseSeatToken accepts a seat token in any case; anything else is refused before the
// database is asked.
func ParseSeatToken(s string) (SeatToken, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != seatTokenLen {
		return "", ballot.Errorf(ballot.ENOTFOUND, "监票人链接无效，请向组织者索取新的链接")
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return "", ballot.Errorf(ballot.ENOTFOUND, "监票人链接无效，请向组织者索取新的链接")
		}
	}
	return SeatToken(s), nil
}

// Hash is the keyed hash stored for a seat token, under the server's token key with its
// own label, so it can never equal a voter token's hash.
func (t SeatToken) Hash(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("minyi teller seat v1\x00"))
	m.Write([]byte(t))
	return m.Sum(nil)
}
