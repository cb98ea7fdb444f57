package elgamal

import (
	"crypto/subtle"

	"github.com/cloudflare/circl/group"
)

// fixedBase multiplies one fixed point by secret scalars with a table of
// d·16^i·P (i < 64, d < 16): 64 additions and constant-time selections instead of a
// variable-base multiplication. The poll's key K is multiplied by every encryption's
// randomness and every proof nonce, so its table pays for itself within one prepared line.
type fixedBase struct {
	t [64][16]group.Element
}

func newFixedBase(p group.Element) *fixedBase { return newFixedBaseRows(p, 64) }

// newFixedBaseRows fills the first rows of the table only: enough for scalars below
// 16^rows.
func newFixedBaseRows(p group.Element, rows int) *fixedBase {
	f := &fixedBase{}
	base := p.Copy()
	for i := range f.t[:rows] {
		f.t[i][0] = grp.Identity()
		for d := 1; d < 16; d++ {
			f.t[i][d] = grp.NewElement().Add(f.t[i][d-1], base)
		}
		base = grp.NewElement().Add(f.t[i][15], base) // 16^(i+1)·P
	}
	return f
}

// mul returns s·P. The selection reads every entry of a row, so neither timing nor memory
// access depends on s.
func (f *fixedBase) mul(s group.Scalar) group.Element {
	b := ScalarBytes(s)
	out := grp.Identity()
	sel := grp.NewElement()
	for i := range f.t {
		d := b[i/2] >> (4 * (i % 2)) & 15
		sel.Set(f.t[i][0])
		for k := 1; k < 16; k++ {
			sel.CMov(subtle.ConstantTimeByteEq(d, uint8(k)), f.t[i][k])
		}
		out.Add(out, sel)
	}
	return out
}
