package elgamal

import (
	"errors"
	"fmt"
	"io"
	"sync/atomic"
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

// PreparedLine holds the randomness, every point and every point encoding of one future Line
// for each message it may hold, made in the background while a poll is open, so that the
// voter's submit only hashes and computes scalars. For a limit L the line proof's table holds
// (L+1)² points, fine for the limits of a ballot (a few dozen at most). It is secret (it
// opens the marks it will hold) and is used once.
type PreparedLine struct {
	pkEnc []byte
	ctx   []byte
	limit int
	n     int // cells, kept apart from the witnesses that Fill drops
	cells []*rangeWitness
	sum   *rangeWitness
	used  atomic.Bool
}

// PrepareLine draws the randomness of a line with the given number of cells (the last being
// "invalid") and limit, and precomputes everything that multiplies a point.
func PrepareLine(pk *PublicKey, ctx []byte, cells, limit int, rnd io.Reader) *PreparedLine {
	if cells < 1 || limit < 1 || limit > MaxLimit {
		panic(fmt.Sprintf("elgamal: line of %d cells, limit %d", cells, limit))
	}
	p := &PreparedLine{pkEnc: pk.Bytes(), ctx: append([]byte(nil), ctx...), limit: limit, n: cells, cells: make([]*rangeWitness, cells)}
	sumR := grp.NewScalar()
	sumA, sumB := grp.Identity(), grp.Identity()
	lim := grp.NewScalar().SetUint64(uint64(limit))
	for i := range p.cells {
		r := mustScalar(rnd)
		a := grp.NewElement().MulGen(r)
		b := pk.mulK(r)
		p.cells[i] = newRangeWitness(pk, r, a, b, 1, rnd, true)
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
	p.sum = newRangeWitness(pk, sumR, sumA, sumB, limit, rnd, true)
	return p
}

// Fill encrypts the marks (one per cell, 0 or 1; the last is "invalid") with the prepared
// randomness and proves them. It refuses marks over the limit, or an "invalid" mark together
// with any other, without spending the preparation; once it has returned a Line, the
// preparation is spent and a second Fill fails.
func (p *PreparedLine) Fill(marks []uint8) (Line, error) {
	if p.used.Load() {
		return Line{}, ErrUsed
	}
	n := p.n
	if len(marks) != n {
		return Line{}, fmt.Errorf("%w: %d marks for %d cells", ErrMarks, len(marks), n)
	}
	total := 0
	for i, m := range marks {
		if m > 1 {
			return Line{}, fmt.Errorf("%w: mark %d in cell %d", ErrMarks, m, i)
		}
		if i == n-1 {
			total += p.limit * int(m)
		} else {
			total += int(m)
		}
	}
	if total > p.limit {
		return Line{}, fmt.Errorf("%w: %d marks for a limit of %d", ErrMarks, total, p.limit)
	}
	if !p.used.CompareAndSwap(false, true) {
		return Line{}, ErrUsed
	}
	line := Line{Cells: make([]Ciphertext, n), CellProofs: make([]RangeProof, n)}
	for i, rw := range p.cells {
		m := int(marks[i])
		line.Cells[i] = Ciphertext{A: rw.a, B: rw.b[m]}
		line.CellProofs[i] = rw.prove(p.pkEnc, rw.b[m], rw.bEnc[m], m, p.ctx)
	}
	line.LineProof = p.sum.prove(p.pkEnc, p.sum.b[total], p.sum.bEnc[total], total, p.ctx)
	p.cells, p.sum = nil, nil
	return line, nil
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
