package report

import (
	"minyi/ballot"
	"minyi/i18n"
	"minyi/survey"
)

// kindNames are the question kinds as the documents name them (survey.Kind.Label).
var kindNames = map[survey.Kind]string{
	survey.Single: i18n.N("单选"), survey.Multiple: i18n.N("多选"), survey.Scale: i18n.N("量表"),
	survey.Rating: i18n.N("评分"), survey.Matrix: i18n.N("矩阵"), survey.Text: i18n.N("填空"),
}

func kindName(m *i18n.Printer, k survey.Kind) string {
	if s, ok := kindNames[k]; ok {
		return m.T(s)
	}
	return k.Label()
}

func surveyTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	var out []Table
	for i, q := range f.Survey.Questions {
		title := m.T("%s · 第%d题 %s（%s，作答 %d，未答 %d）", f.Title, i+1, q.Title, kindName(m, q.Kind), q.Counts.Answered, q.Counts.Blank)
		if q.Counts.Invalid > 0 {
			title = m.T("%s · 第%d题 %s（%s，作答 %d，未答 %d，无效 %d）", f.Title, i+1, q.Title, kindName(m, q.Kind), q.Counts.Answered, q.Counts.Blank, q.Counts.Invalid)
		}
		answered := int64(q.Counts.Answered)
		switch q.Kind {
		case survey.Single, survey.Multiple, survey.Scale:
			header := []string{m.T("选项"), m.T("人数"), m.T("占作答")}
			for _, g := range groups {
				header = append(header, g.Name)
			}
			t := Table{Title: title, Keys: 1, Header: header}
			for oi, o := range q.Options {
				row := []Cell{Text(m.Term(o)), num(q.Counts.Options[oi]), pct(ballot.R(int64(q.Counts.Options[oi]), answered))}
				for gi := range groups {
					row = append(row, num(q.Counts.ByGroup[gi][oi]))
				}
				t.Rows = append(t.Rows, row)
			}
			if q.Kind == survey.Scale {
				t.Notes = append(t.Notes, m.T("满意率（前 %d 项 / 作答）：%s（%d/%d）", q.GoodOpts, ballot.R(int64(q.Counts.Good), answered).Percent(), q.Counts.Good, q.Counts.Answered))
			}
			out = append(out, t)
		case survey.Rating:
			t := Table{Title: title, Keys: 1, Header: []string{m.T("分数"), m.T("人数")}}
			t.Notes = append(t.Notes, m.T("平均分：%s（%d / %d）", ballot.R(int64(q.Sum), answered).Decimal(), q.Sum, q.Counts.Answered))
			for n, c := range q.Hist {
				t.Rows = append(t.Rows, []Cell{Text(m.T("%d分", n)), num(c)})
			}
			out = append(out, t)
		case survey.Matrix:
			t := Table{Title: title, Keys: 1, Header: append(append([]string{m.T("项目")}, terms(m, q.Options)...), m.T("满意率"), m.T("未答"))}
			for _, r := range q.Rows {
				row := []Cell{Text(r.Title)}
				for _, c := range r.Counts.Options {
					row = append(row, nrate(c, ballot.R(int64(c), int64(r.Counts.Answered))))
				}
				t.Rows = append(t.Rows, append(row, pct(ballot.R(int64(r.Counts.Good), int64(r.Counts.Answered))), num(r.Counts.Blank)))
			}
			out = append(out, t)
		case survey.Text:
			t := Table{Title: m.T("%s（文字回答与选票分开列出）", title), Keys: 1, Header: []string{m.T("序号"), m.T("回答")}}
			for n, tx := range q.Texts {
				t.Rows = append(t.Rows, []Cell{num(n + 1), Prose(tx)})
			}
			out = append(out, t)
		}
	}
	return out
}
