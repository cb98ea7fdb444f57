package ballot

import "minyi/survey"

// textSlots are the places every ballot of the poll has for texts, in form order: a
// recommendation line's write-in boxes, one per name it may carry, and a questionnaire's
// free answers. Every ballot carries them all, filled or empty, so none stands out.
func (p *Poll) textSlots() []TextSlot {
	var out []TextSlot
	add := func(form, line string, n int) {
		for range n {
			out = append(out, TextSlot{Form: form, Line: line, Size: p.TextSize(form, line)})
		}
	}
	for _, f := range p.Forms {
		switch {
		case f.Recommendation != nil:
			r := f.Recommendation
			for i := range r.Positions {
				pos := &r.Positions[i]
				if r.Shape != ShapeMark {
					for _, c := range pos.Candidates {
						key := pos.ID + "/" + c.ID
						add(f.ID, key, r.writeInSlots(pos, key))
					}
				}
				add(f.ID, pos.ID, r.writeInSlots(pos, pos.ID))
			}
		case f.Survey != nil:
			for _, q := range f.Survey.Questions {
				if q.Kind == survey.Text {
					add(f.ID, q.ID, 1)
				}
			}
		}
	}
	return out
}
