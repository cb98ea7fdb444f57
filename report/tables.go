package report

import (
	"fmt"

	"minyi/ballot"
)

// Tables lays a tally out as tables: turnout, then each form's results and its
// per-group counts (分类统计), as the tally page shows them.
func Tables(t *ballot.Tally) []Table {
	turnout := Table{Sheet: "参会情况", Title: "参会情况", Keys: 1, Header: []string{"参评类别", "应到", "发出", "作废", "实到", "参与率", "票箱张数"}}
	for _, g := range t.Groups {
		turnout.Rows = append(turnout.Rows, []Cell{Text(g.Name), num(g.Expected), num(g.Issued), num(g.Voided), num(g.Used), pct(g.Participation()), num(g.Ballots)})
	}
	turnout.Rows = append(turnout.Rows, []Cell{Text("合计"), num(t.Expected), Text(""), Text(""), num(t.Used), pct(t.Participation()), num(t.Ballots)})
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
	out := []Table{turnout}
	for fi, f := range t.Forms {
		var tables []Table
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
				r = append(r, Text(""))
			}
			out[i].Rows[j] = r
		}
	}
	return out
}
