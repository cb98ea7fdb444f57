package report

import (
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

func evaluationTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	e := f.Evaluation
	// A column is there only when the poll has what it shows.
	var posts, weighted, score bool
	for _, s := range e.Subjects {
		posts = posts || s.Post != ""
		weighted = weighted || s.Weighted != nil
		score = score || s.Score != nil
	}
	header, keys := []string{heading(m, m.T("被测评对象"))}, 1
	if posts {
		header, keys = append(header, m.T("职务")), 2
	}
	// The rates' names are the form's own grades (「好和较好率」 for a team); a tally from
	// before they were kept is an individual's. A set with no bad grade has no bad rate.
	good, bad := e.GoodLabel, e.BadLabel
	if good == "" {
		good, bad = "优秀和称职", "不称职"
	}
	grades := terms(m, e.Grades)
	header = append(append(header, grades...), m.T("有效票"), m.T("无效票"), m.T("%s率", m.Term(good)))
	if bad != "" {
		header = append(header, m.T("%s率", m.Term(bad)))
	}
	if weighted {
		header = append(header, m.T("加权%s率", m.Term(good)))
		if bad != "" {
			header = append(header, m.T("加权%s率", m.Term(bad)))
		}
	}
	if score {
		header = append(header, m.T("折算得分"))
	}
	main := Table{Title: f.Title, Keys: keys, Header: append(header, m.T("提示（供组织考核参考）")), Chart: &Chart{Legend: grades}}
	byGroup := Table{Title: m.T("%s · 分类统计", f.Title), Sheet: m.T("%s 分类统计", f.Title), Keys: 2, Header: append(append([]string{heading(m, m.T("被测评对象")), m.T("参评类别")}, grades...), m.T("有效票"), m.T("无效票"))}
	for _, s := range e.Subjects {
		row := []Cell{Text(s.Name)}
		if posts {
			row = append(row, Text(s.Post))
		}
		for i, v := range s.Total.Votes {
			row = append(row, nrate(v, s.Total.Rate(i)))
		}
		row = append(row, num(s.Total.Valid), num(s.Total.Invalid), pct(s.Good))
		if bad != "" {
			row = append(row, pct(s.Bad))
		}
		if weighted {
			switch {
			case s.Weighted == nil:
				row = append(row, Text("—"))
				if bad != "" {
					row = append(row, Text("—"))
				}
			case bad != "":
				row = append(row, pct(s.Weighted.Good), pct(s.Weighted.Bad))
			default:
				row = append(row, pct(s.Weighted.Good))
			}
		}
		if score {
			row = append(row, optDec(s.Score))
		}
		main.Rows = append(main.Rows, append(row, flagText(m, s.Flags)))
		for _, ind := range s.Indicators {
			label := m.T("　%s", ind.Name)
			if ind.Points > 0 {
				label = m.T("　%s（%d分）", ind.Name, ind.Points)
			}
			r := []Cell{Text(label)}
			if posts {
				r = append(r, Text(""))
			}
			for i, v := range ind.Counts.Votes {
				r = append(r, nrate(v, ind.Counts.Rate(i)))
			}
			r = append(r, num(ind.Counts.Valid), num(ind.Counts.Invalid), pct(ind.Good), Text(""))
			for len(r) < len(main.Header) {
				r = append(r, Text(""))
			}
			main.Rows = append(main.Rows, r)
		}
		main.Chart.Bars = append(main.Chart.Bars, Bar{Label: s.Name, Parts: s.Total.Votes, Full: s.Total.Valid})
		for gi, g := range s.ByGroup {
			r := []Cell{Text(s.Name), Text(groups[gi].Name)}
			for i, v := range g.Votes {
				r = append(r, nrate(v, g.Rate(i)))
			}
			byGroup.Rows = append(byGroup.Rows, append(r, num(g.Valid), num(g.Invalid)))
		}
	}
	if weighted {
		for _, s := range e.Subjects {
			if s.Weighted == nil {
				continue
			}
			var ws []string
			for i, g := range s.Weighted.Groups {
				w := groups[i].Name + " " + g.Weight.String()
				if g.Absent {
					w = m.T("%s %s（无有效票，权重按比例分给其他类别）", groups[i].Name, g.Weight.String())
				} else if g.Weight != g.Effective {
					w += "→" + g.Effective.String()
				}
				ws = append(ws, w)
			}
			main.Notes = append(main.Notes, m.T("加权计算（%s）：加权比例 = Σ 类别权重 × 该类别比例；设权重时，提示按加权比例判断。", strings.Join(ws, m.T("，"))))
			break
		}
	}
	return []Table{main, byGroup}
}
