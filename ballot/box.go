package ballot

import (
	"encoding/json"
	"runtime"
	"slices"
	"sync"
)

// SealedBallot is a ballot as the box holds it: its voter group and the sealed bytes.
type SealedBallot struct {
	Group  string `db:"group_id"`
	Sealed []byte `db:"sealed"`
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

// OpenBox opens every sealed ballot, on every core: each costs a key agreement of its
// own. One that fails to open or to decode is kept as Broken, so the count reports it
// instead of losing it.
func (o *Opener) OpenBox(box []SealedBallot) []PlainBallot {
	out := make([]PlainBallot, len(box))
	workers := min(runtime.GOMAXPROCS(0), len(box)/64+1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(box); i += workers {
				sb := box[i]
				out[i].Group = sb.Group
				plain, err := o.Open(sb.Group, sb.Sealed)
				if err == nil {
					err = json.Unmarshal(plain, &out[i].Ballot)
				}
				out[i].Broken = err != nil
			}
		}()
	}
	wg.Wait()
	return out
}
