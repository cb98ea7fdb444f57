package ballot

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// The sums kept between the start and the finish of a count read back as the same sums:
// the same points for the tellers (the texts in the same shuffled order), the same rows;
// a kept point altered is refused, and the box's digest changes with any ballot.
func TestKeptSumsReadBack(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	_, _, k, box, kept := smallGroupBox(t)
	k.SortBox(box)
	s := k.Sum(box, turnoutOf(kept))
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := k.UnmarshalSums(b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Points()
	got, _ := back.Points()
	if len(want) == 0 || len(got) != len(want) || len(s.Texts) == 0 {
		t.Fatalf("%d points kept, %d read back (%d texts)", len(want), len(got), len(s.Texts))
	}
	for i := range want {
		if !want[i].IsEqual(got[i]) {
			t.Fatalf("point %d differs once kept", i)
		}
	}
	for r := range s.Sums {
		for c := range s.Sums[r] {
			if !s.Sums[r][c].B.IsEqual(back.Sums[r][c].B) {
				t.Fatalf("sum %d/%d differs once kept", r, c)
			}
		}
	}
	if back.Ballots != s.Ballots || !slices.Equal(back.Pool, s.Pool) || len(back.Rows.Groups) != len(s.Rows.Groups) || back.Rows.Merged != s.Rows.Merged {
		t.Fatal("the rows differ once kept")
	}
	var r sumsRecord
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	r.Sums[0][0][0] = bytes.Repeat([]byte{0xff}, 32) // not a point's encoding
	bad, _ := json.Marshal(r)
	if _, err := k.UnmarshalSums(bad); err == nil {
		t.Fatal("altered kept sums read back")
	}
	d := BoxDigest(box)
	box[len(box)-1].Sealed = append([]byte{}, box[len(box)-1].Sealed...)
	box[len(box)-1].Sealed[10] ^= 1
	if bytes.Equal(BoxDigest(box), d) || bytes.Equal(BoxDigest(box[1:]), d) {
		t.Fatal("the box's digest does not change with the box")
	}
}
