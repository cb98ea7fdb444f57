package report

import (
	"html/template"

	"minyi/ballot"
	"minyi/i18n"
)

// CandidateChart is Printer.CandidateChart in Chinese.
func CandidateChart(pt ballot.PositionTally, rules []ballot.Flag) template.HTML {
	return Printer{}.CandidateChart(pt, rules)
}

// CandidateChart draws each candidate's votes over the position's valid votes, with the
// form's 得票未过半 line (二分之一) marked.
func (p Printer) CandidateChart(pt ballot.PositionTally, rules []ballot.Flag) template.HTML {
	m := p.msg()
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
	values := make([]string, len(pt.Candidates))
	for i, cd := range pt.Candidates {
		values[i] = m.T("%d 票 %s", cd.Votes.Total, cd.Rate.Percent())
	}
	c := newChart(m.T("各人选得票"), len(pt.Candidates), top+6, values)
	for i, cd := range pt.Candidates {
		y := top + i*chartRow
		c.text(chartLabel-8, y+16, "end", "name", cd.Name)
		c.track(chartLabel, y+3, chartBarLen, chartRow-6)
		fill := grayTones[2]
		if half.Valid() && !cd.Rate.Less(half) {
			fill = grayTones[0]
		}
		c.bar(chartLabel, y+3, width(cd.Votes.Total, pt.Valid.Total), chartRow-6, fill)
		c.text(chartValue, y+16, "start", "value", values[i])
	}
	c.mark(half, top, len(pt.Candidates)*chartRow, m.T("得票过半线（%s）", fraction(m, half)))
	return c.html()
}

// ApprovalChart is Printer.ApprovalChart in Chinese.
func ApprovalChart(at *ballot.ApprovalTally) template.HTML { return Printer{}.ApprovalChart(at) }

// ApprovalChart draws each nominee's 同意, 不同意 and 弃权 over the base (应到 or 实到),
// with the passing line marked.
func (p Printer) ApprovalChart(at *ballot.ApprovalTally) template.HTML {
	m := p.msg()
	if at == nil || len(at.Nominees) == 0 {
		return ""
	}
	top := 18
	rows := 3 * len(at.Nominees)
	var values []string
	for _, n := range at.Nominees {
		for _, o := range n.Counts.Options {
			values = append(values, m.T("%d 票", o.Total))
		}
	}
	c := newChart(m.T("表决票数"), rows, top+6+6*len(at.Nominees), values)
	y := top
	names := []string{m.Term("同意"), m.Term("不同意"), m.Term("弃权")}
	fills := []string{grayTones[0], hatched, grayTones[2]}
	// In another language each row names its option by the option's own word (the
	// legend's room is a Chinese word's), and the nominee's name moves left of the longest.
	nameX := chartLabel - 58
	if m.Lang() != i18n.Zh {
		for k, s := range []string{"同意", "不同意", "弃权"} {
			names[k] = termWord(m, s)
			nameX = min(nameX, chartLabel-16-legendWidth(names[k]))
		}
	}
	row := 0
	for _, n := range at.Nominees {
		for k, o := range n.Counts.Options {
			if k == 0 {
				c.text(nameX, y+16, "end", "name", n.Name)
			}
			c.text(chartLabel-8, y+16, "end", "legend", names[k])
			c.track(chartLabel, y+3, chartBarLen, chartRow-6)
			c.bar(chartLabel, y+3, width(o.Total, at.Base), chartRow-6, fills[k])
			c.text(chartValue, y+16, "start", "value", values[row])
			row++
			y += chartRow
		}
		y += 6
	}
	c.mark(at.PassOver, top, rows*chartRow+6*(len(at.Nominees)-1), m.T("通过线（%s，须 %d 票）", fraction(m, at.PassOver), at.Needed))
	return c.html()
}
