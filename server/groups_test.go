package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"minyi/ballot"
)

// One 上级领导 and four 班子成员 beside ten 职工代表: no document shows what the one leader
// marked, nor what the four 班子成员 marked among themselves. Their results appear only
// in the pooled row of five; their turnout stays on its own lines.
func TestSmallGroupsPooledInEveryOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "2026年度领导干部民主测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "上级领导", "expected": 1}, {"name": "班子成员", "expected": 4}, {"name": "职工代表", "expected": 10}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{
			"subjects": []map[string]string{{"name": "张三", "post": "局长"}}}}}}, 201, &p)
	leader := e.tokensIn(p.ID, p.Groups[0].ID, 1)
	team := e.tokensIn(p.ID, p.Groups[1].ID, 4)
	staff := e.tokensIn(p.ID, p.Groups[2].ID, 10)
	e.openPoll(p.ID)
	e.cast(leader[0], map[string][]string{"s1": {"不称职"}})
	for _, code := range team {
		e.cast(code, map[string][]string{"s1": {"优秀"}})
	}
	for i, code := range staff {
		grade := "称职"
		if i >= 6 {
			grade = "基本称职"
		}
		e.cast(code, map[string][]string{"s1": {grade}})
	}
	x := e.exportsOf(c, p.ID, "small-groups")
	small := map[string]bool{p.Groups[0].ID: true, p.Groups[1].ID: true}
	const pooled = "其他参评人员（不足5人，合并统计）"

	// The JSON of the count: result rows 职工代表 and the pool.
	s := x.tally.Forms[0].Evaluation.Subjects[0]
	if rows := x.tally.ResultRows(); len(rows) != 2 || rows[0].Name != "职工代表" || rows[1].Name != pooled || rows[1].Used != 5 {
		t.Errorf("result rows %+v", rows)
	}
	for _, g := range s.ByGroup {
		if small[g.Group] {
			t.Errorf("the tally has a small group's own counts: %+v", g)
		}
	}
	if p1 := s.ByGroup[len(s.ByGroup)-1]; p1.Votes[0] != 4 || p1.Votes[3] != 1 || p1.Valid != 5 {
		t.Errorf("pooled row %+v", p1)
	}
	note := "上级领导、班子成员投票不足5人，合并为“" + pooled + "”统计，不单列结果"

	// The page: the turnout per group, the results of the pool only.
	x.pageHas("分类统计：" + pooled + "（实到 5）")
	x.pageHas(note)
	x.pageHas("<td>上级领导</td><td class=\"num\">1</td>")
	for _, g := range []string{"上级领导", "班子成员"} {
		if strings.Contains(x.page, "分类统计："+g) {
			t.Errorf("the tally page breaks down %s", g)
		}
	}

	// The PDF: the pool's row and the note; no line names 张三 beside a small group.
	x.pdfLine("the pooled row", "张三", "其他参评人员", "4（80.00%）")
	x.pdfLine("the note", "上级领导、班子成员投票不足5人")
	for _, l := range x.lines {
		if strings.Contains(l, "张三") && (strings.Contains(l, "上级领导") || strings.Contains(l, "班子成员")) {
			t.Errorf("PDF line with a small group's result: %q", l)
		}
	}

	// The workbook: the small groups are named on the turnout sheet only; the pool has its row.
	found := false
	for _, sheet := range x.book.GetSheetList() {
		rows, _ := x.book.GetRows(sheet)
		for _, r := range rows {
			for _, v := range r {
				v = unescape(v)
				if (v == "上级领导" || v == "班子成员") && sheet != "参会情况" {
					t.Errorf("sheet %s names %s: %q", sheet, v, r)
				}
				found = found || v == pooled && len(r) > 2 && r[0] == "张三"
			}
		}
	}
	if !found {
		t.Error("the workbook has no pooled row")
	}

	// The signed bundle: no result names a small group; it verifies.
	signed := x.signed()
	var b ballot.Bundle
	if err := json.Unmarshal(signed.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	// No sum of a small group alone was formed, so none was decrypted: one sum row per
	// result row.
	if b.Box == nil || len(b.Box.Sums) != len(x.tally.ResultRows()) || len(x.tally.ResultRows()) != 2 {
		t.Fatalf("the bundle holds sums for other rows than the tally's")
	}
	for _, g := range b.Tally.Forms[0].Evaluation.Subjects[0].ByGroup {
		if small[g.Group] {
			t.Errorf("the bundle's tally breaks down a small group: %+v", g)
		}
	}
}
