package ballot

import "math/big"

// Weighted results (RULES: 民主测评 weights): the weighted rate is Σ weight × group rate over
// the groups with a valid line; a group with none is reported and its weight is shared
// among the others in proportion to theirs. All arithmetic is exact.

// GroupWeight is the weight a group counted with.
type GroupWeight struct {
	Group     string `json:"group"`
	Weight    Ratio  `json:"weight"`    // as set
	Effective Ratio  `json:"effective"` // after redistribution; 0 for an absent group
	Absent    bool   `json:"absent,omitempty"`
}

// Weighted is a line's weighted rates.
type Weighted struct {
	Rates  []Ratio       `json:"rates"` // one per option or grade
	Good   Ratio         `json:"good"`
	Bad    Ratio         `json:"bad"`
	Groups []GroupWeight `json:"groups"`
}

func ratOf(r Ratio) *big.Rat { return big.NewRat(r.Num, r.Den) }

// ratio turns an exact rational back into a Ratio; it is exact for any denominator that
// fits 64 bits, which the product of a few group sizes and weight denominators does.
func ratio(r *big.Rat) Ratio {
	if r.Num().IsInt64() && r.Denom().IsInt64() {
		return R(r.Num().Int64(), r.Denom().Int64())
	}
	f, _ := r.Float64() // beyond 64 bits: within 1e-12, displayed to 2 decimals
	return R(int64(f*1e12+0.5), 1e12)
}

// effectiveWeights returns each group's weight after removing the groups with no valid
// line and sharing their weight out, or nil when no group has a valid line.
func effectiveWeights(groups []Group, valid func(g int) int) ([]GroupWeight, []*big.Rat) {
	present := new(big.Rat)
	for g, gr := range groups {
		if valid(g) > 0 {
			present.Add(present, ratOf(*gr.Weight))
		}
	}
	out := make([]GroupWeight, len(groups))
	eff := make([]*big.Rat, len(groups))
	for g, gr := range groups {
		out[g] = GroupWeight{Group: gr.ID, Weight: *gr.Weight, Effective: R(0, 1)}
		eff[g] = new(big.Rat)
		if valid(g) == 0 || present.Sign() == 0 {
			out[g].Absent = true
			continue
		}
		eff[g].Quo(ratOf(*gr.Weight), present)
		out[g].Effective = ratio(eff[g])
	}
	if present.Sign() == 0 {
		return out, nil
	}
	return out, eff
}

// weightedRate is Σ effective weight × votes(g)/valid(g).
func weightedRate(eff []*big.Rat, votes func(g int) int, valid func(g int) int) Ratio {
	sum := new(big.Rat)
	for g, w := range eff {
		if v := valid(g); v > 0 {
			sum.Add(sum, new(big.Rat).Mul(w, big.NewRat(int64(votes(g)), int64(v))))
		}
	}
	return ratio(sum)
}
