package server

import (
	"fmt"
	"strings"

	"minyi/ballot"
	"minyi/survey"
)

// reportTable is one table of a tally as the documents lay it out. The workbook, the PDF
// and the selection record all take their figures from here, and this from the tally
// value alone, so they cannot disagree with each other or with the tally page.
type reportTable struct {
	Sheet  string // the workbook sheet it goes on: tables of the same Sheet are stacked
	Title  string
	Notes  []string // lines under the title: a position's flags, its blank ballots
	Header []string
	Rows   [][]reportCell
	// Keys is how many leading columns name a row (对象, 职务); they are repeated when a
	// table too wide for the page is printed in column groups.
	Keys  int
	Chart *reportChart
}

// cellKind says what a cell holds, so the workbook can write numbers as numbers and the
// PDF can keep a figure on one line.
type cellKind uint8

const (
	textCell      cellKind = iota // words, ours or a person's
	countCell                     // a whole number of votes, people or ballots
	percentCell                   // a rate: the percentage and its exact fraction
	countRateCell                 // a count with its rate among the valid lines
	decimalCell                   // a mean or a score, two decimals
)

// reportCell is one cell. Text cells may hold what people typed (names, titles,
// answers): exports that open in a spreadsheet neutralise those (see inert).
type reportCell struct {
	Kind cellKind
	Text string
	N    int
	R    ballot.Ratio
	// Wrap lets long text break across lines in the PDF, between words or Chinese
	// characters, never inside a figure. Names and figures never wrap.
	Wrap bool
}

func txt(s string) reportCell                { return reportCell{Kind: textCell, Text: s} }
func prose(s string) reportCell              { return reportCell{Kind: textCell, Text: s, Wrap: true} }
func num(n int) reportCell                   { return reportCell{Kind: countCell, N: n} }
func pct(r ballot.Ratio) reportCell          { return reportCell{Kind: percentCell, R: r} }
func nrate(n int, r ballot.Ratio) reportCell { return reportCell{Kind: countRateCell, N: n, R: r} }
func dec(r ballot.Ratio) reportCell          { return reportCell{Kind: decimalCell, R: r} }
func optDec(r *ballot.Ratio) reportCell {
	if r == nil {
		return txt("—")
	}
	return dec(*r)
}

// String is the cell as printed: "83.93%（47/56）", "47（83.93%）", "81.10".
func (c reportCell) String() string {
	switch c.Kind {
	case countCell:
		return fmt.Sprint(c.N)
	case percentCell:
		if !c.R.Valid() {
			return "—"
		}
		return c.R.Percent() + "（" + c.R.String() + "）"
	case countRateCell:
		if !c.R.Valid() {
			return fmt.Sprint(c.N)
		}
		return fmt.Sprintf("%d（%s）", c.N, c.R.Percent())
	case decimalCell:
		return c.R.Decimal()
	}
	return c.Text
}

// reportChart is a bar chart drawn under a table in the PDF: one bar per row, split into
// parts (grades, 同意/不同意/弃权) over a full length, with an optional line (half the
// valid votes, the votes needed to pass).
type reportChart struct {
	Legend    []string
	Bars      []chartBar
	Mark      ballot.Ratio // where the line is, in votes; none when Den is 0
	MarkLabel string
}

type chartBar struct {
	Label string
	Parts []int
	Full  int // the length of a whole bar: the valid lines, the base of a vote
}

// flagSign marks a flag's tone (ballot.Flag.Tone) with a sign the report's font draws, so
// positive and negative conclusions stay distinct when printed in grey.
func flagSign(f ballot.Flag) string {
	switch f.Tone() {
	case "positive":
		return "✔"
	case "negative":
		return "✘"
	}
	return "•"
}

func flagLine(f ballot.Flag) string {
	s := whole(flagSign(f)+" "+f.Label) + "：" + f.Rule
	if f.Threshold.Valid() && f.Value.Valid() {
		s += whole("（" + f.Value.String() + " = " + f.Value.Percent() + "）")
	}
	return s
}

func flagText(fs []ballot.Flag) reportCell {
	var out []string
	for _, f := range fs {
		out = append(out, flagLine(f))
	}
	if len(out) == 0 {
		return txt("—")
	}
	return prose(strings.Join(out, "\n"))
}

// reportTables lays a tally out as tables: turnout, then each form's results and its
// per-group counts (分类统计), as the tally page shows them.
func reportTables(t *ballot.Tally) []reportTable {
	turnout := reportTable{Sheet: "参会情况", Title: "参会情况", Keys: 1, Header: []string{"参评类别", "应到", "发出", "作废", "实到", "参与率", "票箱张数"}}
	for _, g := range t.Groups {
		turnout.Rows = append(turnout.Rows, []reportCell{txt(g.Name), num(g.Expected), num(g.Issued), num(g.Voided), num(g.Used), pct(g.Participation()), num(g.Ballots)})
	}
	turnout.Rows = append(turnout.Rows, []reportCell{txt("合计"), num(t.Expected), txt(""), txt(""), num(t.Used), pct(t.Participation()), num(t.Ballots)})
	quorum := "未达到"
	if t.QuorumMet {
		quorum = "已达到"
	}
	turnout.Notes = append(turnout.Notes, fmt.Sprintf("法定人数：实到不少于 %d 人（应到 × %s），%s。", t.Needed, t.Quorum, quorum))
	if k := t.KeyText(); k != "" {
		turnout.Notes = append(turnout.Notes, "密钥保管："+k+"。")
	}
	if t.Rejected > 0 {
		turnout.Notes = append(turnout.Notes, fmt.Sprintf("无法解析的选票 %d 张。", t.Rejected))
	}
	turnout.Notes = append(turnout.Notes, t.BoxChecks...)
	turnout.Notes = append(turnout.Notes, t.Notes...)
	out := []reportTable{turnout}
	for fi, f := range t.Forms {
		var tables []reportTable
		switch {
		case f.Evaluation != nil:
			tables = evaluationTables(f, t.ResultRows())
		case f.Recommendation != nil:
			tables = recommendationTables(f, t.ResultRows())
		case f.Approval != nil:
			tables = approvalTables(f, t.ResultRows())
		case f.Review != nil:
			tables = reviewTables(f, t.ResultRows())
		case f.Survey != nil:
			tables = surveyTables(f, t.ResultRows())
		case f.Scoring != nil:
			tables = scoringTables(f, t.ResultRows())
		}
		for i := range tables {
			if tables[i].Sheet == "" {
				tables[i].Sheet = fmt.Sprintf("%d %s", fi+1, f.Title)
			} else {
				tables[i].Sheet = fmt.Sprintf("%d %s", fi+1, tables[i].Sheet)
			}
			if tables[i].Keys == 0 {
				tables[i].Keys = 1
			}
		}
		out = append(out, tables...)
	}
	for i := range out {
		for j, r := range out[i].Rows {
			for len(r) < len(out[i].Header) {
				r = append(r, txt(""))
			}
			out[i].Rows[j] = r
		}
	}
	return out
}

func evaluationTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	e := f.Evaluation
	// A column is there only when the poll has what it shows.
	var posts, weighted, score bool
	for _, s := range e.Subjects {
		posts = posts || s.Post != ""
		weighted = weighted || s.Weighted != nil
		score = score || s.Score != nil
	}
	header, keys := []string{"被测评对象"}, 1
	if posts {
		header, keys = append(header, "职务"), 2
	}
	// The rates' names are the form's own grades (「好和较好率」 for a team); a tally from
	// before they were kept is an individual's. A set with no bad grade has no bad rate.
	good, bad := e.GoodLabel, e.BadLabel
	if good == "" {
		good, bad = "优秀和称职", "不称职"
	}
	header = append(append(header, e.Grades...), "有效票", "无效票", good+"率")
	if bad != "" {
		header = append(header, bad+"率")
	}
	if weighted {
		header = append(header, "加权"+good+"率")
		if bad != "" {
			header = append(header, "加权"+bad+"率")
		}
	}
	if score {
		header = append(header, "折算得分")
	}
	main := reportTable{Title: f.Title, Keys: keys, Header: append(header, "提示（供组织考核参考）"), Chart: &reportChart{Legend: e.Grades}}
	byGroup := reportTable{Title: f.Title + " · 分类统计", Sheet: f.Title + " 分类统计", Keys: 2, Header: append(append([]string{"被测评对象", "参评类别"}, e.Grades...), "有效票", "无效票")}
	for _, s := range e.Subjects {
		row := []reportCell{txt(s.Name)}
		if posts {
			row = append(row, txt(s.Post))
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
				row = append(row, txt("—"))
				if bad != "" {
					row = append(row, txt("—"))
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
		main.Rows = append(main.Rows, append(row, flagText(s.Flags)))
		for _, ind := range s.Indicators {
			label := "　" + ind.Name
			if ind.Points > 0 {
				label += fmt.Sprintf("（%d分）", ind.Points)
			}
			r := []reportCell{txt(label)}
			if posts {
				r = append(r, txt(""))
			}
			for i, v := range ind.Counts.Votes {
				r = append(r, nrate(v, ind.Counts.Rate(i)))
			}
			r = append(r, num(ind.Counts.Valid), num(ind.Counts.Invalid), pct(ind.Good), txt(""))
			for len(r) < len(main.Header) {
				r = append(r, txt(""))
			}
			main.Rows = append(main.Rows, r)
		}
		main.Chart.Bars = append(main.Chart.Bars, chartBar{Label: s.Name, Parts: s.Total.Votes, Full: s.Total.Valid})
		for gi, g := range s.ByGroup {
			r := []reportCell{txt(s.Name), txt(groups[gi].Name)}
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
					w += "（无有效票，权重按比例分给其他类别）"
				} else if g.Weight != g.Effective {
					w += "→" + g.Effective.String()
				}
				ws = append(ws, w)
			}
			main.Notes = append(main.Notes, "加权计算（"+strings.Join(ws, "，")+"）：加权比例 = Σ 类别权重 × 该类别比例；设权重时，提示按加权比例判断。")
			break
		}
	}
	return []reportTable{main, byGroup}
}

func recommendationTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	r := f.Recommendation
	perCandidate := r.Shape == ballot.ShapePerCandidate
	var out []reportTable
	for _, p := range r.Positions {
		posts := false
		for _, c := range p.Candidates {
			posts = posts || c.Post != ""
		}
		header, keys := []string{"人选"}, 1
		if posts {
			header, keys = append(header, "职务"), 2
		}
		header = append(header, "得票", "得票率")
		for _, g := range groups {
			header = append(header, g.Name)
		}
		if perCandidate {
			header = append(header, "不同意", "弃权")
		}
		t := reportTable{Sheet: f.Title + " " + p.Title, Keys: keys,
			Title:  fmt.Sprintf("%s · %s（应推荐%d人，有效票%d，无效票%d，未推荐任何人 %d）", f.Title, p.Title, p.Seats, p.Valid.Total, p.Invalid.Total, p.Blank.Total),
			Header: append(header, "名次", "提示（供组织参考，不简单以票取人）"),
			Chart: &reportChart{Legend: []string{"得票"}, Mark: ballot.R(int64(p.Valid.Total), 2),
				MarkLabel: fmt.Sprintf("虚线：有效票的一半（%d/2）", p.Valid.Total)}}
		for _, fl := range p.Flags {
			note := whole(flagSign(fl)+" "+fl.Label) + "：" + fl.Rule
			if fl.Code == ballot.RuleSecondRound {
				note += whole("（最高 " + fl.Value.String() + " = " + fl.Value.Percent() + "）")
			}
			t.Notes = append(t.Notes, note)
		}
		// Write-ins counted as one person whatever their spelling: the tellers see which
		// spellings were merged, as on the tally page.
		for _, c := range p.Candidates {
			if len(c.Spellings) > 0 {
				t.Notes = append(t.Notes, "“"+c.Name+"”合并的写法："+strings.Join(c.Spellings, "、"))
			}
		}
		for _, c := range p.Candidates {
			row := []reportCell{txt(c.Name)}
			if posts {
				row = append(row, txt(c.Post))
			}
			row = append(row, num(c.Votes.Total), pct(c.Rate))
			for gi := range groups {
				row = append(row, nrate(c.Votes.ByGroup[gi], c.RateIn(p, gi)))
			}
			if perCandidate {
				row = append(row, num(c.Disagree.Total), num(c.Abstain.Total))
			}
			t.Rows = append(t.Rows, append(row, num(c.Rank), flagText(c.Flags)))
			t.Chart.Bars = append(t.Chart.Bars, chartBar{Label: c.Name, Parts: []int{c.Votes.Total}, Full: p.Valid.Total})
		}
		out = append(out, t)
	}
	return out
}

func approvalTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	a := f.Approval
	base := "应到"
	if a.PassBase == "turnout" {
		base = "实到"
	}
	t := reportTable{Title: fmt.Sprintf("%s（通过条件：同意票超过%s人数 %d 的 %s，即至少 %d 票）", f.Title, base, a.Base, a.PassOver, a.Needed), Keys: 1,
		Header: []string{"表决对象", "同意", "不同意", "弃权", "无效", "同意/" + base, "结果"},
		Chart:  &reportChart{Legend: []string{"同意", "不同意", "弃权"}, Mark: ballot.R(int64(a.Needed), 1), MarkLabel: fmt.Sprintf("虚线：通过所需 %d 票", a.Needed)}}
	if a.WholeVoid.Total > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("全表无效 %d 张。", a.WholeVoid.Total))
	}
	for _, n := range a.Nominees {
		o := n.Counts.Options
		t.Rows = append(t.Rows, []reportCell{txt(n.Name), num(o[0].Total), num(o[1].Total), num(o[2].Total),
			num(n.Counts.Invalid.Total), pct(n.Agree), flagText(n.Flags)})
		t.Chart.Bars = append(t.Chart.Bars, chartBar{Label: n.Name, Parts: []int{o[0].Total, o[1].Total, o[2].Total}, Full: a.Base})
	}
	by := reportTable{Title: f.Title + " · 分类统计", Sheet: f.Title + " 分类统计", Keys: 2, Header: []string{"表决对象", "参评类别", "同意", "不同意", "弃权"}}
	for _, n := range a.Nominees {
		for gi, g := range groups {
			o := n.Counts.Options
			by.Rows = append(by.Rows, []reportCell{txt(n.Name), txt(g.Name), num(o[0].ByGroup[gi]), num(o[1].ByGroup[gi]), num(o[2].ByGroup[gi])})
		}
	}
	return []reportTable{t, by}
}

func reviewTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	r := f.Review
	var out []reportTable
	if r.OverallCounts != nil {
		t := reportTable{Title: f.Title + " · " + r.Overall, Keys: 1, Header: append(append([]string{"评价"}, r.OverallOptions...), "未答", "无效", "好+较好")}
		row := []reportCell{txt("总体评价")}
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
		t := reportTable{Title: f.Title + " · 新提拔干部评议", Sheet: f.Title + " 干部评议", Keys: keys,
			Header: append(append(header, r.CadreOptions...), "未答", "无效", "认同率", "不认同率", "排名", "提示")}
		by := reportTable{Title: f.Title + " · 新提拔干部评议 · 分类统计", Sheet: f.Title + " 分类统计", Keys: 2,
			Header: append([]string{"干部", "参评类别"}, r.CadreOptions...)}
		for _, c := range r.Cadres {
			row := []reportCell{txt(c.Name)}
			if posts {
				row = append(row, txt(c.Post))
			}
			for i, o := range c.Counts.Options {
				row = append(row, nrate(o.Total, c.Counts.Rate(i)))
			}
			t.Rows = append(t.Rows, append(row, num(c.Counts.Blank.Total), num(c.Counts.Invalid.Total), pct(c.Approve), pct(c.Disagree), num(c.Rank), flagText(c.Flags)))
			for gi, g := range groups {
				br := []reportCell{txt(c.Name), txt(g.Name)}
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

func surveyTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	var out []reportTable
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
			t := reportTable{Title: title, Keys: 1, Header: header}
			for oi, o := range q.Options {
				row := []reportCell{txt(o), num(q.Counts.Options[oi]), pct(ballot.R(int64(q.Counts.Options[oi]), answered))}
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
			t := reportTable{Title: title, Keys: 1, Header: []string{"分数", "人数"}}
			t.Notes = append(t.Notes, fmt.Sprintf("平均分：%s（%d / %d）", ballot.R(int64(q.Sum), answered).Decimal(), q.Sum, q.Counts.Answered))
			for n, c := range q.Hist {
				t.Rows = append(t.Rows, []reportCell{txt(fmt.Sprintf("%d分", n)), num(c)})
			}
			out = append(out, t)
		case survey.Matrix:
			t := reportTable{Title: title, Keys: 1, Header: append(append([]string{"项目"}, q.Options...), "满意率", "未答")}
			for _, r := range q.Rows {
				row := []reportCell{txt(r.Title)}
				for _, c := range r.Counts.Options {
					row = append(row, nrate(c, ballot.R(int64(c), int64(r.Counts.Answered))))
				}
				t.Rows = append(t.Rows, append(row, pct(ballot.R(int64(r.Counts.Good), int64(r.Counts.Answered))), num(r.Counts.Blank)))
			}
			out = append(out, t)
		case survey.Text:
			t := reportTable{Title: title + "（文字回答与选票分开列出）", Keys: 1, Header: []string{"序号", "回答"}}
			for n, tx := range q.Texts {
				t.Rows = append(t.Rows, []reportCell{num(n + 1), prose(tx)})
			}
			out = append(out, t)
		}
	}
	return out
}

func scoringTables(f ballot.FormTally, groups []ballot.GroupResult) []reportTable {
	s := f.Scoring
	var posts, weighted bool
	for _, x := range s.Subjects {
		posts = posts || x.Post != ""
		weighted = weighted || x.Weighted != nil
	}
	header, keys := []string{"对象"}, 1
	if posts {
		header, keys = append(header, "职务"), 2
	}
	header = append(header, "打分人数", "平均分", "去掉最高最低分")
	if weighted {
		header = append(header, "加权平均")
	}
	for _, x := range s.Indicators {
		header = append(header, x.Name)
	}
	for _, g := range groups {
		header = append(header, g.Name)
	}
	t := reportTable{Title: fmt.Sprintf("%s（满分%d）", f.Title, s.FullMarks), Keys: keys, Header: append(header, "未评", "无效", "名次")}
	t.Notes = append(t.Notes, fmt.Sprintf("平均分按打分人数计算，未评的不计；去掉一个最高分和一个最低分的平均在打分人数不少于 %d 人时计算；名次按平均分。", s.TrimAt))
	for _, x := range s.Subjects {
		row := []reportCell{txt(x.Name)}
		if posts {
			row = append(row, txt(x.Post))
		}
		trimmed := optDec(x.Trimmed)
		if x.Trimmed == nil {
			trimmed = txt(fmt.Sprintf("不足%d人", s.TrimAt))
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
	return []reportTable{t}
}
