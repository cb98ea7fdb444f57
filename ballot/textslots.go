package ballot

// textSlots are the places every ballot of the poll has for texts, in form order, one per
// text a line may carry (TextSlots). Every ballot carries them all, filled or empty, so
// none stands out.
func (p *Poll) textSlots() []textSlot {
	var out []textSlot
	for _, s := range p.TextSlots() {
		// A write-in counts per result row; a free answer in none, and names no group.
		byGroup := false
		for _, f := range p.Forms {
			byGroup = byGroup || f.ID == s.Form && f.Recommendation != nil
		}
		for range s.Count {
			out = append(out, textSlot{Form: s.Form, Line: s.Line, Size: s.Size, byGroup: byGroup})
		}
	}
	return out
}
