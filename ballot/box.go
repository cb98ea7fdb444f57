package ballot

import (
	"encoding/json"
	"slices"
)

// SealedBallot is a ballot as the box holds it: its voter group, the ephemeral key of the
// sealer that sealed it, and the sealed bytes.
type SealedBallot struct {
	Group     string `db:"group_id"`
	Ephemeral []byte `db:"public_key"`
	Sealed    []byte `db:"sealed"`
}

// Encode is the plain form of a ballot that gets sealed: JSON with sorted keys.
func (b *Ballot) Encode() ([]byte, error) { return json.Marshal(b) }

// Canonical returns the ballot with the marks of each line in sorted order, so two
// entries of the same paper ballot compare equal whatever order the marks were ticked in.
func (b *Ballot) Canonical() Ballot {
	out := Ballot{Forms: make([]FilledForm, len(b.Forms))}
	for i, ff := range b.Forms {
		lines := make(map[string][]string, len(ff.Lines))
		for k, v := range ff.Lines {
			lines[k] = slices.Sorted(slices.Values(v))
		}
		out.Forms[i] = FilledForm{Form: ff.Form, Lines: lines}
	}
	return out
}

// OpenBox opens every sealed ballot. One that fails to open or to decode is kept as
// Broken, so the count reports it instead of losing it.
func (o *Opener) OpenBox(box []SealedBallot) []PlainBallot {
	out := make([]PlainBallot, len(box))
	for i, sb := range box {
		out[i].Group = sb.Group
		plain, err := o.Open(sb.Ephemeral, sb.Group, sb.Sealed)
		if err == nil {
			err = json.Unmarshal(plain, &out[i].Ballot)
		}
		out[i].Broken = err != nil
	}
	return out
}
