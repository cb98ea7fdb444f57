package report

import (
	"minyi/ballot"
	"minyi/i18n"
)

func approvalTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	a := f.Approval
	title := m.T("%s（通过条件：同意票超过应到人数 %d 的 %s，即至少 %d 票）", f.Title, a.Base, a.PassOver.String(), a.Needed)
	rate := m.T("同意/应到")
	if a.PassBase == "turnout" {
		title = m.T("%s（通过条件：同意票超过实到人数 %d 的 %s，即至少 %d 票）", f.Title, a.Base, a.PassOver.String(), a.Needed)
		rate = m.T("同意/实到")
	}
	agree, disagree, abstain := m.Term("同意"), m.Term("不同意"), m.Term("弃权")
	t := Table{Title: title, Keys: 1,
		Header: []string{heading(m, m.T("表决对象")), agree, disagree, abstain, m.T("无效"), rate, m.T("结果")},
		Chart:  &Chart{Legend: []string{agree, disagree, abstain}, Mark: ballot.R(int64(a.Needed), 1), MarkLabel: m.T("虚线：通过所需 %d 票", a.Needed)}}
	if a.WholeVoid.Total > 0 {
		t.Notes = append(t.Notes, m.T("全表无效 %d 张。", a.WholeVoid.Total))
	}
	for _, n := range a.Nominees {
		o := n.Counts.Options
		t.Rows = append(t.Rows, []Cell{Text(n.Name), num(o[0].Total), num(o[1].Total), num(o[2].Total),
			num(n.Counts.Invalid.Total), pct(n.Agree), flagText(m, n.Flags)})
		t.Chart.Bars = append(t.Chart.Bars, Bar{Label: n.Name, Parts: []int{o[0].Total, o[1].Total, o[2].Total}, Full: a.Base})
	}
	by := Table{Title: m.T("%s · 分类统计", f.Title), Sheet: m.T("%s 分类统计", f.Title), Keys: 2, Header: []string{heading(m, m.T("表决对象")), m.T("参评类别"), agree, disagree, abstain}}
	for _, n := range a.Nominees {
		for gi, g := range groups {
			o := n.Counts.Options
			by.Rows = append(by.Rows, []Cell{Text(n.Name), Text(g.Name), num(o[0].ByGroup[gi]), num(o[1].ByGroup[gi]), num(o[2].ByGroup[gi])})
		}
	}
	return []Table{t, by}
}

// terms is a list of rule terms (grades, options) as the reader reads them.
func terms(m *i18n.Printer, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = m.Term(s)
	}
	return out
}

func reviewTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	r := f.Review
	var out []Table
	if r.OverallCounts != nil {
		t := Table{Title: f.Title + " · " + r.Overall, Keys: 1, Header: append(append([]string{m.T("评价")}, terms(m, r.OverallOptions)...), m.T("未答"), m.T("无效"), m.T("好+较好"))}
		row := []Cell{Text(m.T("总体评价"))}
		for i, o := range r.OverallCounts.Options {
			row = append(row, nrate(o.Total, r.OverallCounts.Rate(i)))
		}
		t.Rows = append(t.Rows, append(row, num(r.OverallCounts.Blank.Total), num(r.OverallCounts.Invalid.Total), pct(r.OverallGood)))
		out = append(out, t)
	}
	if len(r.Cadres) > 0 {
		posts := false
		for _, c := range r.Cadres {
			posts = posts || c.Post != ""
		}
		header, keys := []string{heading(m, m.T("干部"))}, 1
		if posts {
			header, keys = append(header, m.T("职务")), 2
		}
		options := terms(m, r.CadreOptions)
		t := Table{Title: m.T("%s · 新提拔干部评议", f.Title), Sheet: m.T("%s 干部评议", f.Title), Keys: keys,
			Header: append(append(header, options...), m.T("未答"), m.T("无效"), m.T("认同率"), m.T("不认同率"), m.T("排名"), m.T("提示"))}
		by := Table{Title: m.T("%s · 新提拔干部评议 · 分类统计", f.Title), Sheet: m.T("%s 分类统计", f.Title), Keys: 2,
			Header: append([]string{heading(m, m.T("干部")), m.T("参评类别")}, options...)}
		for _, c := range r.Cadres {
			row := []Cell{Text(c.Name)}
			if posts {
				row = append(row, Text(c.Post))
			}
			for i, o := range c.Counts.Options {
				row = append(row, nrate(o.Total, c.Counts.Rate(i)))
			}
			t.Rows = append(t.Rows, append(row, num(c.Counts.Blank.Total), num(c.Counts.Invalid.Total), pct(c.Approve), pct(c.Disagree), num(c.Rank), flagText(m, c.Flags)))
			for gi, g := range groups {
				br := []Cell{Text(c.Name), Text(g.Name)}
				for _, o := range c.Counts.Options {
					br = append(br, num(o.ByGroup[gi]))
				}
				by.Rows = append(by.Rows, br)
			}
		}
		out = append(out, t, by)
	}
	return out
}
