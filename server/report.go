package server

import (
	"fmt"
	"strings"

	"minyi/ballot"
	"minyi/survey"
)

// reportTable is one table of a tally as the exports lay it out. Every export (XLSX, and
// what prints) takes its figures from here, so they cannot disagree.
type reportTable struct {
	Sheet  string // the form it belongs to: one sheet of the workbook each
	Title  string
	Header []string
	Rows   [][]string
}

func cnt(n int) string                      { return fmt.Sprint(n) }
func rate(r ballot.Ratio) string            { return r.Percent() + "（" + r.String() + "）" }
func withRate(n int, r ballot.Ratio) string { return fmt.Sprintf("%d（%s）", n, r.Percent()) }

func flagText(fs []ballot.Flag) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Label+"："+f.Rule)
	}
	return strings.Join(out, "；")
}

// reportTables lays a tally out as tables: turnout, then each form's results and its
// per-group counts (分类统计).
func reportTables(t *ballot.Tally) []reportTable {
	groupName := map[string]string{}
	turnout := reportTable{Sheet: "参会情况", Title: "参会情况", Header: []string{"参评类别", "应到", "发出", "作废", "实到", "参与率", "票箱张数"}}
	for _, g := range t.Groups {
		groupName[g.ID] = g.Name
		turnout.Rows = append(turnout.Rows, []string{g.Name, cnt(g.Expected), cnt(g.Issued), cnt(g.Voided), cnt(g.Used), rate(g.Participation()), cnt(g.Ballots)})
	}
	turnout.Rows = append(turnout.Rows, []string{"合计", cnt(t.Expected), "", "", cnt(t.Used), rate(t.Participation()), cnt(t.Ballots)})
	out := []reportTable{turnout}
	for fi, f := range t.Forms {
		first := len(out)
		switch {
		case f.Evaluation != nil:
			out = append(out, evaluationTables(f, t.Groups)...)
		case f.Recommendation != nil:
			out = append(out, recommendationTables(f, t.Groups)...)
		case f.Approval != nil:
			out = append(out, approvalTables(f, t.Groups)...)
		case f.Review != nil:
			out = append(out, reviewTables(f)...)
		case f.Survey != nil:
			out = append(out, surveyTables(f)...)
		case f.Scoring != nil:
			out = append(out, scoringTables(f, t.Groups)...)
		}
		for i := first; i < len(out); i++ {
			out[i].Sheet = fmt.Sprintf("%d %s", fi+1, f.Title)
		}
	}
	return out
}

func evaluationTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	e := f.Evaluation
	main := reportTable{Title: f.Title, Header: append(append([]string{"被测评对象", "职务"}, e.Grades...), "有效票", "无效票", "优秀+称职", "不称职", "加权优秀+称职", "折算得分", "提示")}
	byGroup := reportTable{Title: f.Title + " 分类统计", Header: append(append([]string{"被测评对象", "参评类别"}, e.Grades...), "有效票", "无效票")}
	for _, s := range e.Subjects {
		row := []string{s.Name, s.Post}
		for i, v := range s.Total.Votes {
			row = append(row, withRate(v, s.Total.Rate(i)))
		}
		weighted, score := "", ""
		if s.Weighted != nil {
			weighted = rate(s.Weighted.Good)
		}
		if s.Score != nil {
			score = s.Score.Decimal()
		}
		main.Rows = append(main.Rows, append(row, cnt(s.Total.Valid), cnt(s.Total.Invalid), rate(s.Good), rate(s.Bad), weighted, score, flagText(s.Flags)))
		for gi, g := range s.ByGroup {
			r := []string{s.Name, groups[gi].Name}
			for i, v := range g.Votes {
				r = append(r, withRate(v, g.Rate(i)))
			}
			byGroup.Rows = append(byGroup.Rows, append(r, cnt(g.Valid), cnt(g.Invalid)))
		}
	}
	return []reportTable{main, byGroup}
}

func recommendationTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	var out []reportTable
	for _, p := range f.Recommendation.Positions {
		header := []string{"人选", "职务", "得票", "得票率"}
		for _, g := range groups {
			header = append(header, g.Name)
		}
		t := reportTable{Title: fmt.Sprintf("%s · %s（应推荐%d人，有效票%d，无效票%d）", f.Title, p.Title, p.Seats, p.Valid.Total, p.Invalid.Total),
			Header: append(header, "名次", "提示")}
		for _, c := range p.Candidates {
			row := []string{c.Name, c.Post, cnt(c.Votes.Total), rate(c.Rate)}
			for gi := range groups {
				row = append(row, withRate(c.Votes.ByGroup[gi], c.RateIn(p, gi)))
			}
			t.Rows = append(t.Rows, append(row, cnt(c.Rank), flagText(c.Flags)))
		}
		out = append(out, t)
	}
	return out
}

func approvalTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	a := f.Approval
	t := reportTable{Title: fmt.Sprintf("%s（同意票须超过%d×%s，即至少%d票）", f.Title, a.Base, a.PassOver, a.Needed),
		Header: []string{"表决对象", "同意", "不同意", "弃权", "无效", "同意/基数", "结果"}}
	for _, n := range a.Nominees {
		t.Rows = append(t.Rows, []string{n.Name, cnt(n.Counts.Options[0].Total), cnt(n.Counts.Options[1].Total), cnt(n.Counts.Options[2].Total),
			cnt(n.Counts.Invalid.Total), rate(n.Agree), flagText(n.Flags)})
	}
	by := reportTable{Title: f.Title + " 分类统计", Header: []string{"表决对象", "参评类别", "同意", "不同意", "弃权"}}
	for _, n := range a.Nominees {
		for gi, g := range groups {
			by.Rows = append(by.Rows, []string{n.Name, g.Name, cnt(n.Counts.Options[0].ByGroup[gi]), cnt(n.Counts.Options[1].ByGroup[gi]), cnt(n.Counts.Options[2].ByGroup[gi])})
		}
	}
	return []reportTable{t, by}
}

func reviewTables(f ballot.FormTally) []reportTable {
	r := f.Review
	var out []reportTable
	if r.OverallCounts != nil {
		t := reportTable{Title: f.Title + " · " + r.Overall, Header: append(append([]string{}, r.OverallOptions...), "未答", "无效", "好+较好")}
		var row []string
		for i, o := range r.OverallCounts.Options {
			row = append(row, withRate(o.Total, r.OverallCounts.Rate(i)))
		}
		t.Rows = append(t.Rows, append(row, cnt(r.OverallCounts.Blank.Total), cnt(r.OverallCounts.Invalid.Total), rate(r.OverallGood)))
		out = append(out, t)
	}
	if len(r.Cadres) > 0 {
		t := reportTable{Title: f.Title + " · 新提拔干部评议", Header: append(append([]string{"干部", "职务"}, r.CadreOptions...), "未答", "认同率", "不认同率", "排名", "提示")}
		for _, c := range r.Cadres {
			row := []string{c.Name, c.Post}
			for i, o := range c.Counts.Options {
				row = append(row, withRate(o.Total, c.Counts.Rate(i)))
			}
			t.Rows = append(t.Rows, append(row, cnt(c.Counts.Blank.Total), rate(c.Approve), rate(c.Disagree), cnt(c.Rank), flagText(c.Flags)))
		}
		out = append(out, t)
	}
	return out
}

func surveyTables(f ballot.FormTally) []reportTable {
	var out []reportTable
	for i, q := range f.Survey.Questions {
		title := fmt.Sprintf("%s · 第%d题 %s（%s，作答%d，未答%d）", f.Title, i+1, q.Title, q.Kind.Label(), q.Counts.Answered, q.Counts.Blank)
		switch q.Kind {
		case survey.Single, survey.Multiple, survey.Scale:
			t := reportTable{Title: title, Header: []string{"选项", "人数", "占作答"}}
			for oi, o := range q.Options {
				t.Rows = append(t.Rows, []string{o, cnt(q.Counts.Options[oi]), rate(ballot.R(int64(q.Counts.Options[oi]), int64(q.Counts.Answered)))})
			}
			if q.Kind == survey.Scale {
				t.Rows = append(t.Rows, []string{"满意率", cnt(q.Counts.Good), rate(ballot.R(int64(q.Counts.Good), int64(q.Counts.Answered)))})
			}
			out = append(out, t)
		case survey.Rating:
			t := reportTable{Title: title, Header: []string{"分数", "人数"}}
			for n, c := range q.Hist {
				t.Rows = append(t.Rows, []string{cnt(n), cnt(c)})
			}
			t.Rows = append(t.Rows, []string{"平均分", ballot.R(int64(q.Sum), int64(q.Counts.Answered)).Decimal()})
			out = append(out, t)
		case survey.Matrix:
			t := reportTable{Title: title, Header: append(append([]string{"项目"}, q.Options...), "满意率", "未答")}
			for _, r := range q.Rows {
				row := []string{r.Title}
				for _, c := range r.Counts.Options {
					row = append(row, withRate(c, ballot.R(int64(c), int64(r.Counts.Answered))))
				}
				t.Rows = append(t.Rows, append(row, rate(ballot.R(int64(r.Counts.Good), int64(r.Counts.Answered))), cnt(r.Counts.Blank)))
			}
			out = append(out, t)
		case survey.Text:
			t := reportTable{Title: title + "（文字回答与选票分开列出）", Header: []string{"回答"}}
			for _, tx := range q.Texts {
				t.Rows = append(t.Rows, []string{tx})
			}
			out = append(out, t)
		}
	}
	return out
}

func scoringTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	s := f.Scoring
	header := []string{"对象", "职务", "打分人数", "平均分", "去掉最高最低分", "加权平均"}
	for _, x := range s.Indicators {
		header = append(header, x.Name)
	}
	for _, g := range groups {
		header = append(header, g.Name)
	}
	t := reportTable{Title: fmt.Sprintf("%s（满分%d）", f.Title, s.FullMarks), Header: append(header, "未评", "无效", "名次")}
	for _, x := range s.Subjects {
		trimmed, weighted := "", ""
		if x.Trimmed != nil {
			trimmed = x.Trimmed.Decimal()
		}
		if x.Weighted != nil {
			weighted = x.Weighted.Decimal()
		}
		row := []string{x.Name, x.Post, cnt(x.Scored), x.Mean.Decimal(), trimmed, weighted}
		for _, m := range x.IndicatorMeans {
			row = append(row, m.Decimal())
		}
		for _, m := range x.ByGroup {
			row = append(row, m.Decimal())
		}
		t.Rows = append(t.Rows, append(row, cnt(x.Blank), cnt(x.Invalid), cnt(x.Rank)))
	}
	return []reportTable{t}
}
