package server

import (
	"context"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// turnoutRow is a voter group's turnout as the organizer sees it.
type turnoutRow struct {
	ID       string        `json:"group_id"`
	Name     string        `json:"name"`
	Expected int           `json:"expected"`
	Issued   int           `json:"issued"`
	Voided   int           `json:"voided"`
	Used     int           `json:"used"`
	Rate     ballot.Ratio  `json:"participation"`
	Weight   *ballot.Ratio `json:"weight,omitempty"`
	Region   string        `json:"region,omitempty"`
	Index    int           `json:"-"` // the group's position in the poll, as a stream of many groups names it
}

// regionRow is the subtotal of a region's groups. Region "" gathers the groups given no
// region in a poll where others have one.
type regionRow struct {
	Region   string       `json:"region"`
	Groups   int          `json:"groups"`
	Expected int          `json:"expected"`
	Issued   int          `json:"issued"`
	Voided   int          `json:"voided"`
	Used     int          `json:"used"`
	Rate     ballot.Ratio `json:"participation"`
	// Rows are the region's groups, for the page only (streams carry them once, in Groups).
	Rows []turnoutRow `json:"-"`
}

// turnoutView is a poll's turnout by group with the total and the quorum (RULES: quorum).
// A poll whose groups have regions also has the subtotals by region, in the order the
// regions first appear; the big screen shows those rather than hundreds of groups.
type turnoutView struct {
	Groups  []turnoutRow `json:"groups"`
	Regions []regionRow  `json:"regions,omitempty"`
	Total   turnoutRow   `json:"total"`
	Needed  int          `json:"quorum_needed"`
	Met     bool         `json:"quorum_met"`
}

func (s *Server) turnout(ctx context.Context, p *store.PollInfo) (turnoutView, error) {
	tu, err := s.store.Turnout(ctx, p.ID)
	if err != nil {
		return turnoutView{}, err
	}
	byGroup := map[string]ballot.Turnout{}
	for _, t := range tu {
		byGroup[t.Group] = t
	}
	v := turnoutView{Needed: p.QuorumNeeded(), Total: turnoutRow{Name: i18n.N("合计")}}
	for i, g := range p.Groups {
		t := byGroup[g.ID]
		r := turnoutRow{ID: g.ID, Name: g.Name, Expected: g.Expected, Issued: t.Issued, Voided: t.Voided, Used: t.Used, Rate: ballot.R(int64(t.Used), int64(g.Expected)), Weight: g.Weight, Region: g.Region, Index: i}
		v.Groups = append(v.Groups, r)
		v.Total.Expected += r.Expected
		v.Total.Issued += r.Issued
		v.Total.Voided += r.Voided
		v.Total.Used += r.Used
	}
	v.Total.Rate = ballot.R(int64(v.Total.Used), int64(v.Total.Expected))
	v.Met = v.Total.Used >= v.Needed
	v.Regions = foldRegions(v.Groups)
	return v, nil
}

// foldRegions sums the groups by region; nil when no group has a region.
func foldRegions(groups []turnoutRow) []regionRow {
	at := map[string]int{}
	var out []regionRow
	for _, g := range groups {
		i, ok := at[g.Region]
		if !ok {
			i = len(out)
			at[g.Region] = i
			out = append(out, regionRow{Region: g.Region})
		}
		r := &out[i]
		r.Groups++
		r.Expected += g.Expected
		r.Issued += g.Issued
		r.Voided += g.Voided
		r.Used += g.Used
		r.Rows = append(r.Rows, g)
	}
	if len(out) == 1 && out[0].Region == "" {
		return nil
	}
	for i := range out {
		out[i].Rate = ballot.R(int64(out[i].Used), int64(out[i].Expected))
	}
	return out
}
