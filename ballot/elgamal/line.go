package elgamal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	r255 "github.com/bwesterb/go-ristretto"
	"github.com/cloudflare/circl/group"
)

// Line is one line of a form as it sits in the box: one 0/1 ciphertext per option and, last,
// the line's "invalid" cell, each with its 0/1 proof; and one proof that
// Σ options + limit·invalid lies in [0, limit]. Weighting the invalid cell by the limit is
// what makes "invalid" exclude every other mark of the line.
type Line struct {
	Cells      []Ciphertext
	CellProofs []RangeProof
	LineProof  RangeProof
}

// ErrMarks is returned by Fill for marks a ballot cannot hold.
var ErrMarks = errors.New("elgamal: marks break the line's rule")

// ErrUsed is returned by a second Fill: its randomness is spent, and a second use would
// reveal the marks of the first.
var ErrUsed = errors.New("elgamal: prepared line already used")

// MaxLimit bounds a line's limit: a prepared line holds (limit+1)² points, and no form marks
// more than a few dozen options in one line (a recommendation form has at most 50 seats).
const MaxLimit = 255

// LineSize is the exact encoded length of a Line, so every ballot of a poll has one size:
// cells·(64 + RangeProofSize(1)) + RangeProofSize(limit).
func LineSize(cells, limit int) int {
	return cells*(CiphertextSize+RangeProofSize(1)) + RangeProofSize(limit)
}

// LineSum is the ciphertext the line proof speaks of: Σ cells[0…n−2] + limit·cells[n−1].
func LineSum(cells []Ciphertext, limit int) Ciphertext {
	sum := Zero()
	last := len(cells) - 1
	for _, c := range cells[:last] {
		sum.Add(sum, c)
	}
	sum.A.Add(sum.A, smallMul(cells[last].A, limit))
	sum.B.Add(sum.B, smallMul(cells[last].B, limit))
	return sum
}

// PreparedLine holds the randomness of one future Line and every point encoding its proofs
// may need, for each message it may hold, made in the background while a poll is open, so
// that the voter's submit only hashes and computes scalars and writes bytes. It keeps no
// point, only their 32-byte encodings and the secret scalars, in one buffer without
// pointers: a pool of thousands of prepared ballots costs the collector nothing to scan.
// For a limit L the line proof's table holds (L+1)² encodings, fine for the limits of a
// ballot (a few dozen at most). It is secret (it opens the marks it will hold) and is used
// once; filling it wipes its scalars.
type PreparedLine struct {
	pkEnc []byte
	ctx   []byte
	limit int
	n     int    // cells
	buf   []byte // the cells' witnesses (bound 1), then the line sum's (bound limit)
	used  atomic.Bool
}

// preparedRangeSize is the length of a prepared range witness of bound L in a PreparedLine's
// buffer: the scalars r, w_0…w_L, c_0…c_L, then the encodings A, a_0…a_L, then per message
// m ∈ [0, L] the encoding of B_m and of b_0…b_L.
func preparedRangeSize(L int) int {
	n := L + 1
	return ScalarSize*(1+2*n) + PointSize*(1+n+n*(1+n))
}

// PreparedLineSize is the length of a prepared line's buffer: about the memory it takes.
func PreparedLineSize(cells, limit int) int {
	return cells*preparedRangeSize(1) + preparedRangeSize(limit)
}

// PrepareLine draws the randomness of a line with the given number of cells (the last being
// "invalid") and limit, and precomputes everything that multiplies a point.
func PrepareLine(pk *PublicKey, ctx []byte, cells, limit int, rnd io.Reader) *PreparedLine {
	if cells < 1 || limit < 1 || limit > MaxLimit {
		panic(fmt.Sprintf("elgamal: line of %d cells, limit %d", cells, limit))
	}
	p := &PreparedLine{pkEnc: pk.Bytes(), ctx: append([]byte(nil), ctx...), limit: limit, n: cells,
		buf: make([]byte, 0, PreparedLineSize(cells, limit))}
	sumR := grp.NewScalar()
	sumA, sumB := grp.Identity(), grp.Identity()
	lim := grp.NewScalar().SetUint64(uint64(limit))
	for i := range cells {
		r := mustScalar(rnd)
		a := grp.NewElement().MulGen(r)
		b := pk.mulK(r)
		p.buf = appendPrepared(p.buf, pk, r, a, b, 1, rnd)
		if i < cells-1 {
			sumR.Add(sumR, r)
			sumA.Add(sumA, a)
			sumB.Add(sumB, b)
		} else {
			sumR.Add(sumR, grp.NewScalar().Mul(lim, r))
			sumA.Add(sumA, smallMul(a, limit))
			sumB.Add(sumB, smallMul(b, limit))
		}
	}
	p.buf = appendPrepared(p.buf, pk, sumR, sumA, sumB, limit, rnd)
	return p
}

// appendPrepared appends a prepared range witness (preparedRangeSize) for the ciphertext
// (a, bZero + m·G) of randomness r: a branch j is the true one (commitment w_j·G, w_j·K) or
// a simulated one (commitment w_j·G, w_j·K + (m−j)·c_j·G), so every commitment any message
// in [0, L] needs is known ahead.
func appendPrepared(buf []byte, pk *PublicKey, r group.Scalar, a, bZero group.Element, L int, rnd io.Reader) []byte {
	n := L + 1
	w, c := make([]group.Scalar, n), make([]group.Scalar, n)
	wK, cG := make([]group.Element, n), make([]group.Element, n)
	for j := range n {
		w[j] = mustScalar(rnd)
		c[j] = mustScalar(rnd)
	}
	buf = appendScalar(buf, r)
	for _, s := range w {
		buf = appendScalar(buf, s)
	}
	for _, s := range c {
		buf = appendScalar(buf, s)
	}
	buf = appendPoint(buf, a)
	for j := range n {
		buf = appendPoint(buf, grp.NewElement().MulGen(w[j]))
		wK[j] = pk.mulK(w[j])
		cG[j] = grp.NewElement().MulGen(c[j])
	}
	bm := bZero.Copy()
	for m := range n {
		buf = appendPoint(buf, bm)
		for j := range n {
			buf = appendPoint(buf, commitB(wK[j], cG[j], j, m))
		}
		bm.Add(bm, grp.Generator())
	}
	return buf
}

// commitB is b_j when the message is m: w_j·K, plus (m − j)·c_j·G for a simulated branch.
func commitB(wK, cG group.Element, j, m int) group.Element {
	switch {
	case j == m:
		return wK.Copy()
	case m > j:
		return grp.NewElement().Add(wK, smallMul(cG, m-j))
	default:
		neg := grp.NewElement().Neg(cG)
		return grp.NewElement().Add(wK, smallMul(neg, j-m))
	}
}

// Fill encrypts the marks (one per cell, 0 or 1; the last is "invalid") with the prepared
// randomness and proves them. It refuses marks over the limit, or an "invalid" mark together
// with any other, without spending the preparation; once it has returned a Line, the
// preparation is spent and a second Fill fails.
func (p *PreparedLine) Fill(marks []uint8) (Line, error) {
	enc, err := p.AppendFill(nil, marks)
	if err != nil {
		return Line{}, err
	}
	return ParseLine(enc, p.n, p.limit)
}

// AppendFill is Fill appending the Line's encoding (Line.AppendBinary) to out: the encodings
// were made ahead, so it hashes, computes scalars and copies bytes, and decodes no point.
func (p *PreparedLine) AppendFill(out []byte, marks []uint8) ([]byte, error) {
	out, _, err := p.AppendFillOpening(out, marks, nil)
	return out, err
}

// AppendFillOpening is AppendFill that also appends to opening each cell's randomness r
// (ScalarSize bytes a cell, in cell order): with the marks it opens the cells, so the
// instance that seals a batch can add its ciphertexts as (Σr)·G, (Σr)·K + (Σm)·G without
// decoding a point. It is as secret as the marks and must never leave memory.
func (p *PreparedLine) AppendFillOpening(out []byte, marks []uint8, opening []byte) ([]byte, []byte, error) {
	if p.used.Load() {
		return out, opening, ErrUsed
	}
	n := p.n
	if len(marks) != n {
		return out, opening, fmt.Errorf("%w: %d marks for %d cells", ErrMarks, len(marks), n)
	}
	total := 0
	for i, m := range marks {
		if m > 1 {
			return out, opening, fmt.Errorf("%w: mark %d in cell %d", ErrMarks, m, i)
		}
		if i == n-1 {
			total += p.limit * int(m)
		} else {
			total += int(m)
		}
	}
	if total > p.limit {
		return out, opening, fmt.Errorf("%w: %d marks for a limit of %d", ErrMarks, total, p.limit)
	}
	if !p.used.CompareAndSwap(false, true) {
		return out, opening, ErrUsed
	}
	size := preparedRangeSize(1)
	var err error
	for i := range n {
		if out, err = p.appendProof(out, p.buf[i*size:(i+1)*size], 1, int(marks[i]), true); err != nil {
			return out, opening, err
		}
	}
	if out, err = p.appendProof(out, p.buf[n*size:], p.limit, total, false); err != nil {
		return out, opening, err
	}
	if opening != nil {
		for i := range n {
			opening = append(opening, p.buf[i*size:i*size+ScalarSize]...)
		}
	}
	clear(p.buf) // the randomness would open the marks
	p.buf = nil
	return out, opening, nil
}

// appendProof writes, from a prepared witness of bound L and the message m, the ciphertext
// A ‖ B_m when withCiphertext, then the range proof (RangeProof.AppendBinary): the true
// branch m takes the challenge less the others' c_j, and every branch answers
// v_j = w_j − c_j·r. It runs once a cell and once a line of every ballot cast, so its
// arithmetic is go-ristretto's scalars on the stack (the same field as circl's, which
// allocates every scalar), and the challenge's message is read from the prepared
// encodings in place.
func (p *PreparedLine) appendProof(out, pw []byte, L, m int, withCiphertext bool) ([]byte, error) {
	n := L + 1
	scalar := func(k int, s *r255.Scalar) error {
		var b [ScalarSize]byte
		copy(b[:], pw[k*ScalarSize:(k+1)*ScalarSize])
		if !s.SetBytesStrict(&b) {
			return fmt.Errorf("%w: scalar", ErrEncoding)
		}
		return nil
	}
	enc := pw[ScalarSize*(1+2*n):]
	point := func(k int) []byte { return enc[k*PointSize : (k+1)*PointSize] }
	// A is point 0, a_j point 1+j; B_m point 1+n+m(1+n), its b_j the n after it.
	bAt := 1 + n + m*(1+n)
	if withCiphertext {
		out = append(append(out, point(0)...), point(bAt)...)
	}
	commits := len(out)
	for j := range n {
		out = append(append(out, point(1+j)...), point(bAt+1+j)...)
	}
	// The challenge's message: u16(len ctx) ‖ ctx ‖ K ‖ A ‖ B ‖ u16(L) ‖ a_0 ‖ b_0 ‖ … ‖
	// a_L ‖ b_L (rangeChallenge), the commitments being what was just written.
	h := rangeXMD.start()
	var u16 [2]byte
	binary.BigEndian.PutUint16(u16[:], uint16(len(p.ctx)))
	h.Write(u16[:])
	h.Write(p.ctx)
	h.Write(p.pkEnc)
	h.Write(point(0))
	h.Write(point(bAt))
	binary.BigEndian.PutUint16(u16[:], uint16(L))
	h.Write(u16[:])
	h.Write(out[commits:])
	ch := rangeXMD.sumR255(h)
	var r, w, c, v r255.Scalar
	if err := scalar(0, &r); err != nil {
		return out, err
	}
	cs := make([]r255.Scalar, n)
	for j := range n {
		if j == m {
			continue
		}
		if err := scalar(1+n+j, &cs[j]); err != nil {
			return out, err
		}
		ch.Sub(&ch, &cs[j])
	}
	cs[m] = ch
	var b [ScalarSize]byte
	for j := range L {
		cs[j].BytesInto(&b)
		out = append(out, b[:]...)
	}
	for j := range n {
		if err := scalar(1+j, &w); err != nil {
			return out, err
		}
		c.Neg(&cs[j])
		v.MulAdd(&c, &r, &w) // w − c·r
		v.BytesInto(&b)
		out = append(out, b[:]...)
	}
	r.SetZero()
	w.SetZero()
	clear(cs)
	return out, nil
}

// VerifyLine checks every cell's 0/1 proof and the line's range proof over LineSum.
func VerifyLine(pk *PublicKey, line Line, limit int, ctx []byte) bool {
	if len(line.Cells) < 1 || len(line.CellProofs) != len(line.Cells) || limit < 1 || limit > MaxLimit {
		return false
	}
	for i, c := range line.Cells {
		if !VerifyRange(pk, c, 1, line.CellProofs[i], ctx) {
			return false
		}
	}
	return VerifyRange(pk, LineSum(line.Cells, limit), limit, line.LineProof, ctx)
}

// AppendBinary appends, per cell, A ‖ B ‖ its 0/1 proof, then the line proof.
func (l Line) AppendBinary(b []byte) ([]byte, error) {
	for i, c := range l.Cells {
		var err error
		if b, err = c.AppendBinary(b); err != nil {
			return nil, err
		}
		b = l.CellProofs[i].AppendBinary(b)
	}
	return l.LineProof.AppendBinary(b), nil
}

// ParseLine decodes a line of the given shape; the length must be exactly LineSize.
func ParseLine(b []byte, cells, limit int) (Line, error) {
	if cells < 1 || limit < 1 || limit > MaxLimit || len(b) != LineSize(cells, limit) {
		return Line{}, fmt.Errorf("%w: line of %d bytes for %d cells, limit %d", ErrEncoding, len(b), cells, limit)
	}
	l := Line{Cells: make([]Ciphertext, cells), CellProofs: make([]RangeProof, cells)}
	step := CiphertextSize + RangeProofSize(1)
	for i := 0; i < cells; i++ {
		off := i * step
		var err error
		if l.Cells[i], err = ParseCiphertext(b[off : off+CiphertextSize]); err != nil {
			return Line{}, err
		}
		if l.CellProofs[i], err = ParseRangeProof(b[off+CiphertextSize:off+step], 1); err != nil {
			return Line{}, err
		}
	}
	var err error
	if l.LineProof, err = ParseRangeProof(b[cells*step:], limit); err != nil {
		return Line{}, err
	}
	return l, nil
}
