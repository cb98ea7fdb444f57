package ballot

import "encoding/json"

// SealedBallot is a ballot as the box holds it: its voter group, the ephemeral key of the
// sealer that sealed it, and the sealed bytes.
type SealedBallot struct {
	Group     string `db:"group_id"`
	Ephemeral []byte `db:"public_key"`
	Sealed    []byte `db:"sealed"`
}

// Encode is the plain form of a ballot that gets sealed: JSON with sorted keys, so equal
// ballots encode equally.
func (b *Ballot) Encode() ([]byte, error) { return json.Marshal(b) }

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
