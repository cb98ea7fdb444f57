package report

import (
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

func recommendationTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	r := f.Recommendation
	perCandidate := r.Shape == ballot.ShapePerCandidate
	var out []Table
	for _, p := range r.Positions {
		posts := false
		for _, c := range p.Candidates {
			posts = posts || c.Post != ""
		}
		header, keys := []string{m.T("人选")}, 1
		if posts {
			header, keys = append(header, m.T("职务")), 2
		}
		header = append(header, m.T("得票"), m.T("得票率"))
		for _, g := range groups {
			header = append(header, g.Name)
		}
		if perCandidate {
			header = append(header, m.Term("不同意"), m.Term("弃权"))
		}
		t := Table{Sheet: f.Title + " " + p.Title, Keys: keys,
			Title:  m.T("%s · %s（应推荐%d人，有效票%d，无效票%d，未推荐任何人 %d）", f.Title, p.Title, p.Seats, p.Valid.Total, p.Invalid.Total, p.Blank.Total),
			Header: append(header, m.T("名次"), m.T("提示（供组织参考，不简单以票取人）")),
			Chart: &Chart{Legend: []string{m.T("得票")}, Mark: ballot.R(int64(p.Valid.Total), 2),
				MarkLabel: m.T("虚线：有效票的一半（%d/2）", p.Valid.Total)}}
		for _, fl := range p.Flags {
			note := m.T("%s：%s", whole(flagSign(fl)+" "+ballot.SayLabel(m, fl.Label)), ballot.Say(m, fl.Rule))
			if fl.Code == ballot.RuleSecondRound {
				note += whole(m.T("（最高 %s = %s）", fl.Value.String(), fl.Value.Percent()))
			}
			t.Notes = append(t.Notes, note)
		}
		// Write-ins counted as one person whatever their spelling: the tellers see which
		// spellings were merged, as on the tally page.
		for _, c := range p.Candidates {
			if len(c.Spellings) > 0 {
				t.Notes = append(t.Notes, m.T("“%s”合并的写法：%s", c.Name, strings.Join(c.Spellings, m.T("、"))))
			}
		}
		for _, c := range p.Candidates {
			row := []Cell{Text(c.Name)}
			if posts {
				row = append(row, Text(c.Post))
			}
			row = append(row, num(c.Votes.Total), pct(c.Rate))
			for gi := range groups {
				row = append(row, nrate(c.Votes.ByGroup[gi], c.RateIn(p, gi)))
			}
			if perCandidate {
				row = append(row, num(c.Disagree.Total), num(c.Abstain.Total))
			}
			t.Rows = append(t.Rows, append(row, num(c.Rank), flagText(m, c.Flags)))
			t.Chart.Bars = append(t.Chart.Bars, Bar{Label: c.Name, Parts: []int{c.Votes.Total}, Full: p.Valid.Total})
		}
		out = append(out, t)
	}
	return out
}
