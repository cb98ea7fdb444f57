package elgamal

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"strings"

	"github.com/cloudflare/circl/group"
)

// A share code is what a teller prints or saves as the backup of s_j: the 37 bytes
// j (1 byte) ‖ s_j (32) ‖ check (4), check = SHA-256("minyi-v1-share-code" ‖ u16(len poll) ‖
// poll ‖ j ‖ s_j)[0:4], written in Crockford base32 (most significant bit first, 4 zero bits
// of padding) as 60 symbols in groups of four, like the ballot tokens.

const (
	shareCodeBytes   = 1 + ScalarSize + 4
	shareCodeSymbols = (shareCodeBytes*8 + 4) / 5
	crockford        = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
)

// Errors of a share code, in the words a teller reads.
var (
	ErrShareCode      = errors.New("份额码格式不对：应为 60 个字母数字，四个一组")
	ErrShareCodeCheck = errors.New("份额码校验不符：请核对是否抄错，或是否为本次投票的份额")
)

func shareCheck(pollID string, j byte, s []byte) []byte {
	h := sha256.New()
	h.Write([]byte(labelShareCode))
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(pollID))))
	h.Write([]byte(pollID))
	h.Write([]byte{j})
	h.Write(s)
	return h.Sum(nil)[:4]
}

// EncodeShare writes teller j's share of the poll's key as a share code.
func EncodeShare(pollID string, j int, s group.Scalar) string {
	if j < 1 || j > 255 {
		panic("elgamal: teller index out of range")
	}
	sb := ScalarBytes(s)
	raw := append([]byte{byte(j)}, sb...)
	raw = append(raw, shareCheck(pollID, byte(j), sb)...)
	var out strings.Builder
	var acc uint64
	bits, n := 0, 0
	emit := func(v uint64) {
		if n > 0 && n%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(crockford[v&31])
		n++
	}
	for _, c := range raw {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			emit(acc >> uint(bits))
		}
	}
	emit(acc << uint(5-bits)) // the last 1–4 bits, padded with zeros
	return out.String()
}

// DecodeShare reads a share code as a person types it (any case, hyphens or spaces,
// O for 0, I or L for 1) and checks it belongs to this poll.
func DecodeShare(pollID, code string) (int, group.Scalar, error) {
	syms := make([]byte, 0, shareCodeSymbols)
	for _, r := range strings.ToUpper(code) {
		switch {
		case r == '-' || r == ' ' || r == '\u3000' || r == '\t' || r == '\n' || r == '\r':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		i := strings.IndexRune(crockford, r)
		if i < 0 {
			return 0, nil, ErrShareCode
		}
		syms = append(syms, byte(i))
	}
	if len(syms) != shareCodeSymbols {
		return 0, nil, ErrShareCode
	}
	raw := make([]byte, 0, shareCodeBytes)
	var acc uint64
	bits := 0
	for _, v := range syms {
		acc = acc<<5 | uint64(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			raw = append(raw, byte(acc>>uint(bits)))
		}
	}
	if acc&(1<<uint(bits)-1) != 0 { // the padding bits must be zero: one code per share
		return 0, nil, ErrShareCodeCheck
	}
	sb := raw[1 : 1+ScalarSize]
	if string(shareCheck(pollID, raw[0], sb)) != string(raw[1+ScalarSize:]) || raw[0] == 0 {
		return 0, nil, ErrShareCodeCheck
	}
	s, err := ParseScalar(sb)
	if err != nil {
		return 0, nil, ErrShareCodeCheck
	}
	return int(raw[0]), s, nil
}

// ShareProofSize is the length of a ProveShare proof: c ‖ z.
const ShareProofSize = 2 * ScalarSize

// ProveShare is a Schnorr proof of knowledge of s_j for P_j = s_j·G over a challenge the
// server hands out: T = u·G, c = H(u16(len challenge) ‖ challenge ‖ P_j ‖ T) under
// "minyi-v1-share-proof", z = u + c·s_j. j is not hashed: P_j already names the teller.
func ProveShare(j int, s group.Scalar, challenge []byte, rnd io.Reader) []byte {
	_ = j
	u := mustScalar(rnd)
	pj := grp.NewElement().MulGen(s)
	t := grp.NewElement().MulGen(u)
	c := shareChallenge(pj, t, challenge)
	z := grp.NewScalar().Mul(c, s)
	z.Add(z, u)
	return append(ScalarBytes(c), ScalarBytes(z)...)
}

// VerifyShare checks a ProveShare proof: T = z·G − c·P_j must hash back to c.
func VerifyShare(pj group.Element, challenge, proof []byte) error {
	if len(proof) != ShareProofSize {
		return ErrEncoding
	}
	c, err := ParseScalar(proof[:ScalarSize])
	if err != nil {
		return err
	}
	z, err := ParseScalar(proof[ScalarSize:])
	if err != nil {
		return err
	}
	t := grp.NewElement().MulGen(z)
	t.Add(t, grp.NewElement().Neg(grp.NewElement().Mul(pj, c)))
	if !shareChallenge(pj, t, challenge).IsEqual(c) {
		return ErrProof
	}
	return nil
}

func shareChallenge(pj, t group.Element, challenge []byte) group.Scalar {
	msg := appendCtx(nil, challenge)
	msg = appendPoint(msg, pj)
	msg = appendPoint(msg, t)
	return grp.HashToScalar(msg, []byte(dstShareProof))
}
