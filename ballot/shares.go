package ballot

import (
	"bytes"
	"crypto/sha256"
	"strings"
)

// A teller's share as printed: Crockford base32 of x ‖ y ‖ check, where check is two
// bytes of SHA-256 over the poll id, x and y. The check catches a mistyped code and a
// share of another poll before any count is tried.

const shareCheck = 2

func shareSum(pollID string, x byte, y []byte) []byte {
	h := sha256.New()
	h.Write([]byte("minyi share\x00" + pollID + "\x00"))
	h.Write([]byte{x})
	h.Write(y)
	return h.Sum(nil)[:shareCheck]
}

// EncodeShare is the printed code of a share, in groups of four.
func EncodeShare(pollID string, s Share) string {
	raw := append(append([]byte{s.X}, s.Y...), shareSum(pollID, s.X, s.Y)...)
	enc := base32Encode(raw)
	var parts []string
	for len(enc) > 4 {
		parts, enc = append(parts, enc[:4]), enc[4:]
	}
	return strings.Join(append(parts, enc), "-")
}

// DecodeShare reads a code typed or scanned by a teller.
func DecodeShare(pollID, code string, size int) (Share, error) {
	var clean strings.Builder
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
		case r == 'O':
			clean.WriteRune('0')
		case r == 'I' || r == 'L':
			clean.WriteRune('1')
		default:
			clean.WriteRune(r)
		}
	}
	raw, ok := base32Decode(clean.String())
	if !ok || len(raw) != 1+size+shareCheck {
		return Share{}, Errorf(EINVALID, "监票人密钥的长度或字符不对，请核对后重新输入")
	}
	s := Share{X: raw[0], Y: raw[1 : 1+size]}
	if !bytes.Equal(shareSum(pollID, s.X, s.Y), raw[1+size:]) {
		return Share{}, Errorf(EINVALID, "监票人密钥有误（输错或不是本次投票的密钥），请核对后重新输入")
	}
	return s, nil
}

func base32Encode(b []byte) string {
	var out strings.Builder
	var acc uint
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out.WriteByte(crockford[(acc>>uint(bits))&31])
		}
	}
	if bits > 0 {
		out.WriteByte(crockford[(acc<<uint(5-bits))&31])
	}
	return out.String()
}

func base32Decode(s string) ([]byte, bool) {
	var out []byte
	var acc uint
	bits := 0
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(crockford, s[i])
		if v < 0 {
			return nil, false
		}
		acc = acc<<5 | uint(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>uint(bits)))
		}
	}
	return out, true
}
