package ballot

// SlipsDue is how many slips a group still needs: its 应到 less the tokens already issued
// and not voided (used ones included, a voided one is replaced). Never below zero: a
// group may hold more slips than its 应到 when the organizer issued spares.
func SlipsDue(expected int, t Turnout) int {
	return max(expected-t.Issued, 0)
}

// BatchHint names a batch of slips as printed: the first four symbols of its first code
// and the last four of its last (ABCD…WXYZ). A quarter of a code is 20 of its 80 bits, so
// the hint, kept in the database and on the batch list, cannot vote nor narrow a guess
// to anything feasible, yet the person voiding a spoiled print run can match it to the
// first and last slip in hand.
func BatchHint(toks []Token) string {
	if len(toks) == 0 {
		return ""
	}
	first, last := string(toks[0]), string(toks[len(toks)-1])
	return first[:4] + "…" + last[len(last)-4:]
}
