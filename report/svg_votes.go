package report

import (
	"fmt"
	"html/template"

	"minyi/ballot"
)

// CandidateChart draws each candidate's votes over the position's valid votes, with the
// form's 得票未过半 line (二分之一) marked.
func CandidateChart(pt ballot.PositionTally, rules []ballot.Flag) template.HTML {
	if len(pt.Candidates) == 0 {
		return ""
	}
	var half ballot.Ratio
	for _, r := range rules {
		if r.Code == ballot.RuleBelowHalf {
			half = r.Threshold
		}
	}
	// below quorum the bars carry no colour of a conclusion
	for _, f := range pt.Flags {
		if f.Code == ballot.RuleNoQuorum {
			half = ballot.Ratio{}
		}
	}
	top := 18
	c := newChart("各人选得票", len(pt.Candidates), top+6)
	for i, cd := range pt.Candidates {
		y := top + i*chartRow
		c.text(chartLabel-8, y+16, "end", "name", cd.Name)
		c.track(chartLabel, y+3, chartBarLen, chartRow-6)
		fill := grayTones[2]
		if half.Valid() && !cd.Rate.Less(half) {
			fill = grayTones[0]
		}
		c.bar(chartLabel, y+3, width(cd.Votes.Total, pt.Valid.Total), chartRow-6, fill)
		c.text(chartLabel+chartBarLen+8, y+16, "start", "value", fmt.Sprintf("%d 票 %s", cd.Votes.Total, cd.Rate.Percent()))
	}
	c.mark(half, top, len(pt.Candidates)*chartRow, "得票过半线（"+ballot.FractionText(half)+"）")
	return c.html()
}

// ApprovalChart draws each nominee's 同意, 不同意 and 弃权 over the base (应到 or 实到),
// with the passing line marked.
func ApprovalChart(at *ballot.ApprovalTally) template.HTML {
	if at == nil || len(at.Nominees) == 0 {
		return ""
	}
	top := 18
	rows := 3 * len(at.Nominees)
	c := newChart("表决票数", rows, top+6+6*len(at.Nominees))
	y := top
	names := []string{"同意", "不同意", "弃权"}
	fills := []string{grayTones[0], hatched, grayTones[2]}
	for _, n := range at.Nominees {
		for k, o := range n.Counts.Options {
			if k == 0 {
				c.text(chartLabel-58, y+16, "end", "name", n.Name)
			}
			c.text(chartLabel-8, y+16, "end", "legend", names[k])
			c.track(chartLabel, y+3, chartBarLen, chartRow-6)
			c.bar(chartLabel, y+3, width(o.Total, at.Base), chartRow-6, fills[k])
			c.text(chartLabel+chartBarLen+8, y+16, "start", "value", fmt.Sprintf("%d 票", o.Total))
			y += chartRow
		}
		y += 6
	}
	c.mark(at.PassOver, top, rows*chartRow+6*(len(at.Nominees)-1), fmt.Sprintf("通过线（%s，须 %d 票）", ballot.FractionText(at.PassOver), at.Needed))
	return c.html()
}
