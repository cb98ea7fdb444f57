package report

import (
	"fmt"

	"minyi/ballot"
)

// Tables lays a tally out as tables in Chinese (see Printer.Tables).
func Tables(t *ballot.Tally) []Table { return Printer{}.Tables(t) }

// Tables lays a tally out as tables: turnout, then each form's results and its
// per-group counts (分类统计), as the tally page shows them, in the printer's language.
func (p Printer) Tables(t *ballot.Tally) []Table {
	m := p.msg()
	t = t.NamedIn(m)
	turnout := Table{Sheet: m.T("参会情况"), Title: m.T("参会情况"), Keys: 1, Header: []string{m.T("参评类别"), m.T("应到"), m.T("发出"), m.T("作废"), m.T("实到"), m.T("参与率"), m.T("票箱张数")}}
	for _, g := range t.Groups {
		turnout.Rows = append(turnout.Rows, []Cell{Text(g.Name), num(g.Expected), num(g.Issued), num(g.Voided), num(g.Used), pct(g.Participation()), num(g.Ballots)})
	}
	turnout.Rows = append(turnout.Rows, []Cell{Text(m.T("合计")), num(t.Expected), Text(""), Text(""), num(t.Used), pct(t.Participation()), num(t.Ballots)})
	quorum := m.T("法定人数：实到不少于 %d 人（应到 × %s），未达到。", t.Needed, t.Quorum.String())
	if t.QuorumMet {
		quorum = m.T("法定人数：实到不少于 %d 人（应到 × %s），已达到。", t.Needed, t.Quorum.String())
	}
	turnout.Notes = append(turnout.Notes, quorum)
	if k := t.KeyText(); k != "" {
		turnout.Notes = append(turnout.Notes, m.T("密钥保管：%s。", said(m, k)))
	}
	if t.Rejected > 0 {
		turnout.Notes = append(turnout.Notes, m.T("无法解析的选票 %d 张。", t.Rejected))
	}
	for _, n := range append(append([]string(nil), t.BoxChecks...), t.Notes...) {
		turnout.Notes = append(turnout.Notes, ballot.Say(m, n))
	}
	out := []Table{turnout}
	for fi, f := range t.Forms {
		var tables []Table
		switch {
		case f.Evaluation != nil:
			tables = evaluationTables(m, f, t.ResultRows())
		case f.Recommendation != nil:
			tables = recommendationTables(m, f, t.ResultRows())
		case f.Approval != nil:
			tables = approvalTables(m, f, t.ResultRows())
		case f.Review != nil:
			tables = reviewTables(m, f, t.ResultRows())
		case f.Survey != nil:
			tables = surveyTables(m, f, t.ResultRows())
		case f.Scoring != nil:
			tables = scoringTables(m, f, t.ResultRows())
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
