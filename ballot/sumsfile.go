package ballot

import (
	"encoding/json"
	"fmt"

	"minyi/ballot/elgamal"
)

// A count by the tellers' devices runs in two steps: the sums are formed when the count
// starts and decrypted when the quorum's partial decryptions are in. The sums are kept in
// between, so the finish combines exactly the points the tellers decrypted: Sum shuffles
// the texts afresh on every call.

// sumsRecord is BoxSums as kept between the two steps; points are their 32-byte encodings.
type sumsRecord struct {
	Rows     ResultGroups  `json:"rows"`
	Sizes    []int         `json:"sizes"`
	Pool     []int         `json:"pool"`
	Sums     [][][2][]byte `json:"sums"`
	Ballots  int           `json:"ballots"`
	Rejected []int         `json:"rejected"`
	Texts    []SealedText  `json:"texts"`
	Over     []string      `json:"over"`
	Notes    []string      `json:"notes,omitempty"`
}

// MarshalBinary keeps the sums of a box for the finish of its count.
func (s *BoxSums) MarshalBinary() ([]byte, error) {
	r := sumsRecord{Rows: s.Rows, Sizes: s.Sizes, Pool: s.Pool, Ballots: s.Ballots, Rejected: s.Rejected, Texts: s.Texts, Over: s.Over, Notes: s.Notes}
	r.Sums = make([][][2][]byte, len(s.Sums))
	for i, row := range s.Sums {
		r.Sums[i] = make([][2][]byte, len(row))
		for c, ct := range row {
			r.Sums[i][c] = [2][]byte{elgamal.PointBytes(ct.A), elgamal.PointBytes(ct.B)}
		}
	}
	return json.Marshal(r)
}

// UnmarshalSums reads sums kept by MarshalBinary; every point must be a valid encoding
// and the rows must have the poll's cells.
func (k *BoxKey) UnmarshalSums(b []byte) (*BoxSums, error) {
	var r sumsRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("kept sums: %w", err)
	}
	s := &BoxSums{Rows: r.Rows, Sizes: r.Sizes, Pool: r.Pool, Ballots: r.Ballots, Rejected: r.Rejected, Texts: r.Texts, Over: r.Over, Notes: r.Notes}
	s.Sums = make([][]elgamal.Ciphertext, len(r.Sums))
	for i, row := range r.Sums {
		if len(row) != k.layout.Cells {
			return nil, fmt.Errorf("kept sums: row %d has %d cells, the poll %d", i, len(row), k.layout.Cells)
		}
		s.Sums[i] = make([]elgamal.Ciphertext, len(row))
		for c, ab := range row {
			a, err := elgamal.ParsePoint(ab[0])
			if err != nil {
				return nil, fmt.Errorf("kept sums: %w", err)
			}
			bb, err := elgamal.ParsePoint(ab[1])
			if err != nil {
				return nil, fmt.Errorf("kept sums: %w", err)
			}
			s.Sums[i][c] = elgamal.Ciphertext{A: a, B: bb}
		}
	}
	for _, t := range s.Texts {
		if t.Slot < 0 || t.Slot >= len(k.slots) {
			return nil, fmt.Errorf("kept sums: text slot %d", t.Slot)
		}
	}
	return s, nil
}

// BoxDigest is a hash of a box in SortBox order, every ballot whole with its group: the
// finish of a count refuses a box that changed since its start.
func BoxDigest(box []SealedBallot) []byte {
	d := newBoxDigest()
	for _, b := range box {
		d.add(b)
	}
	return d.sum()
}
