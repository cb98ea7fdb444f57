package report

import (
	"fmt"

	"minyi/ballot"
	"minyi/survey"
)

func surveyTables(f ballot.FormTally, groups []ballot.GroupResult) []Table {
	var out []Table
	for i, q := range f.Survey.Questions {
		title := fmt.Sprintf("%s · 第%d题 %s（%s，作答 %d，未答 %d", f.Title, i+1, q.Title, q.Kind.Label(), q.Counts.Answered, q.Counts.Blank)
		if q.Counts.Invalid > 0 {
			title += fmt.Sprintf("，无效 %d", q.Counts.Invalid)
		}
		title += "）"
		answered := int64(q.Counts.Answered)
		switch q.Kind {
		case survey.Single, survey.Multiple, survey.Scale:
			header := []string{"选项", "人数", "占作答"}
			for _, g := range groups {
				header = append(header, g.Name)
			}
			t := Table{Title: title, Keys: 1, Header: header}
			for oi, o := range q.Options {
				row := []Cell{Text(o), num(q.Counts.Options[oi]), pct(ballot.R(int64(q.Counts.Options[oi]), answered))}
				for gi := range groups {
					row = append(row, num(q.Counts.ByGroup[gi][oi]))
				}
				t.Rows = append(t.Rows, row)
			}
			if q.Kind == survey.Scale {
				t.Notes = append(t.Notes, fmt.Sprintf("满意率（前 %d 项 / 作答）：%s（%d/%d）", q.GoodOpts, ballot.R(int64(q.Counts.Good), answered).Percent(), q.Counts.Good, q.Counts.Answered))
			}
			out = append(out, t)
		case survey.Rating:
			t := Table{Title: title, Keys: 1, Header: []string{"分数", "人数"}}
			t.Notes = append(t.Notes, fmt.Sprintf("平均分：%s（%d / %d）", ballot.R(int64(q.Sum), answered).Decimal(), q.Sum, q.Counts.Answered))
			for n, c := range q.Hist {
				t.Rows = append(t.Rows, []Cell{Text(fmt.Sprintf("%d分", n)), num(c)})
			}
			out = append(out, t)
		case survey.Matrix:
			t := Table{Title: title, Keys: 1, Header: append(append([]string{"项目"}, q.Options...), "满意率", "未答")}
			for _, r := range q.Rows {
				row := []Cell{Text(r.Title)}
				for _, c := range r.Counts.Options {
					row = append(row, nrate(c, ballot.R(int64(c), int64(r.Counts.Answered))))
				}
				t.Rows = append(t.Rows, append(row, pct(ballot.R(int64(r.Counts.Good), int64(r.Counts.Answered))), num(r.Counts.Blank)))
			}
			out = append(out, t)
		case survey.Text:
			t := Table{Title: title + "（文字回答与选票分开列出）", Keys: 1, Header: []string{"序号", "回答"}}
			for n, tx := range q.Texts {
				t.Rows = append(t.Rows, []Cell{num(n + 1), Prose(tx)})
			}
			out = append(out, t)
		}
	}
	return out
}
