package report

import (
	"fmt"

	"minyi/ballot"
)

func approvalTables(f ballot.FormTally, groups []ballot.GroupResult) []Table {
	a := f.Approval
	base := "应到"
	if a.PassBase == "turnout" {
		base = "实到"
	}
	t := Table{Title: fmt.Sprintf("%s（通过条件：同意票超过%s人数 %d 的 %s，即至少 %d 票）", f.Title, base, a.Base, a.PassOver, a.Needed), Keys: 1,
		Header: []string{"表决对象", "同意", "不同意", "弃权", "无效", "同意/" + base, "结果"},
		Chart:  &Chart{Legend: []string{"同意", "不同意", "弃权"}, Mark: ballot.R(int64(a.Needed), 1), MarkLabel: fmt.Sprintf("虚线：通过所需 %d 票", a.Needed)}}
	if a.WholeVoid.Total > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("全表无效 %d 张。", a.WholeVoid.Total))
	}
	for _, n := range a.Nominees {
		o := n.Counts.Options
		t.Rows = append(t.Rows, []Cell{Text(n.Name), num(o[0].Total), num(o[1].Total), num(o[2].Total),
			num(n.Counts.Invalid.Total), pct(n.Agree), flagText(n.Flags)})
		t.Chart.Bars = append(t.Chart.Bars, Bar{Label: n.Name, Parts: []int{o[0].Total, o[1].Total, o[2].Total}, Full: a.Base})
	}
	by := Table{Title: f.Title + " · 分类统计", Sheet: f.Title + " 分类统计", Keys: 2, Header: []string{"表决对象", "参评类别", "同意", "不同意", "弃权"}}
	for _, n := range a.Nominees {
		for gi, g := range groups {
			o := n.Counts.Options
			by.Rows = append(by.Rows, []Cell{Text(n.Name), Text(g.Name), num(o[0].ByGroup[gi]), num(o[1].ByGroup[gi]), num(o[2].ByGroup[gi])})
		}
	}
	return []Table{t, by}
}

func reviewTables(f ballot.FormTally, groups []ballot.GroupResult) []Table {
	r := f.Review
	var out []Table
	if r.OverallCounts != nil {
		t := Table{Title: f.Title + " · " + r.Overall, Keys: 1, Header: append(append([]string{"评价"}, r.OverallOptions...), "未答", "无效", "好+较好")}
		row := []Cell{Text("总体评价")}
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
		header, keys := []string{"干部"}, 1
		if posts {
			header, keys = append(header, "职务"), 2
		}
		t := Table{Title: f.Title + " · 新提拔干部评议", Sheet: f.Title + " 干部评议", Keys: keys,
			Header: append(append(header, r.CadreOptions...), "未答", "无效", "认同率", "不认同率", "排名", "提示")}
		by := Table{Title: f.Title + " · 新提拔干部评议 · 分类统计", Sheet: f.Title + " 分类统计", Keys: 2,
			Header: append([]string{"干部", "参评类别"}, r.CadreOptions...)}
		for _, c := range r.Cadres {
			row := []Cell{Text(c.Name)}
			if posts {
				row = append(row, Text(c.Post))
			}
			for i, o := range c.Counts.Options {
				row = append(row, nrate(o.Total, c.Counts.Rate(i)))
			}
			t.Rows = append(t.Rows, append(row, num(c.Counts.Blank.Total), num(c.Counts.Invalid.Total), pct(c.Approve), pct(c.Disagree), num(c.Rank), flagText(c.Flags)))
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
