package report

import (
	"minyi/ballot"
	"minyi/i18n"
)

func scoringTables(m *i18n.Printer, f ballot.FormTally, groups []ballot.GroupResult) []Table {
	s := f.Scoring
	var posts, weighted bool
	for _, x := range s.Subjects {
		posts = posts || x.Post != ""
		weighted = weighted || x.Weighted != nil
	}
	header, keys := []string{m.T("对象")}, 1
	if posts {
		header, keys = append(header, m.T("职务")), 2
	}
	header = append(header, m.T("打分人数"), m.T("平均分"), m.T("去掉最高最低分"))
	if weighted {
		header = append(header, m.T("加权平均"))
	}
	for _, x := range s.Indicators {
		header = append(header, x.Name)
	}
	for _, g := range groups {
		header = append(header, g.Name)
	}
	t := Table{Title: m.T("%s（满分%d）", f.Title, s.FullMarks), Keys: keys, Header: append(header, m.T("未评"), m.T("无效"), m.T("名次"))}
	t.Notes = append(t.Notes, m.T("平均分按打分人数计算，未评的不计；去掉一个最高分和一个最低分的平均在打分人数不少于 %d 人时计算；名次按平均分。", s.TrimAt))
	for _, x := range s.Subjects {
		row := []Cell{Text(x.Name)}
		if posts {
			row = append(row, Text(x.Post))
		}
		trimmed := optDec(x.Trimmed)
		if x.Trimmed == nil {
			trimmed = Text(m.T("不足%d人", s.TrimAt))
		}
		row = append(row, num(x.Scored), dec(x.Mean), trimmed)
		if weighted {
			row = append(row, optDec(x.Weighted))
		}
		for _, m := range x.IndicatorMeans {
			row = append(row, dec(m))
		}
		for _, m := range x.ByGroup {
			row = append(row, dec(m))
		}
		t.Rows = append(t.Rows, append(row, num(x.Blank), num(x.Invalid), num(x.Rank)))
	}
	return []Table{t}
}
