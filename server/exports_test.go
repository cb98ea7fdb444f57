package server_test

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
)

// exportSet is everything a counted poll gives out: the tally value, its page, and the
// documents as a reader gets them back (PDF text by line, the workbook, CSV rows).
type exportSet struct {
	t     *testing.T
	tally ballot.Tally
	page  string
	lines []string // pdftotext -layout
	book  *excelize.File
	csv   [][]string
	zip   map[string][]byte
}

func (e *env) download(c *http.Client, path string) []byte {
	e.t.Helper()
	res, err := c.Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		e.t.Fatalf("%s: %d %s", path, res.StatusCode, b)
	}
	return b
}

// exportsOf counts a closed poll and reads back every document.
func (e *env) exportsOf(c *http.Client, id, name string) *exportSet {
	e.t.Helper()
	t := e.t
	x := &exportSet{t: t}
	e.api(e.admin, "POST", "/api/v1/polls/"+id+"/close", nil, 200, nil)
	e.countPoll(id, &x.tally)
	_, x.page = e.get(c, "/polls/"+id+"/tally")
	x.page = html.UnescapeString(x.page)

	pdf := e.download(c, "/polls/"+id+"/tally.pdf")
	dir := t.TempDir()
	file := dir + "/" + name + ".pdf"
	os.WriteFile(file, pdf, 0o600)
	if d := os.Getenv("MINYI_SCREENSHOTS"); d != "" {
		os.WriteFile(d+"/"+name+".pdf", pdf, 0o644)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "30", file, dir+"/page").CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm (poppler-utils) cannot render the report: %v %s", err, out)
	}
	text, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make deps-test): %v", err)
	}
	x.lines = strings.Split(string(text), "\n")

	xl := e.download(c, "/polls/"+id+"/tally.xlsx")
	if x.book, err = excelize.OpenReader(strings.NewReader(string(xl))); err != nil {
		t.Fatal(err)
	}
	pi, err := e.st.Poll(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := castCSV(&ballot.Bundle{Poll: pi.Poll, Ballots: e.casts.ballots[id], Tally: &x.tally})
	if err != nil {
		t.Fatal(err)
	}
	if x.csv, err = csv.NewReader(strings.NewReader(strings.TrimPrefix(string(cv), "\ufeff"))).ReadAll(); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.get(c, "/polls/"+id+"/ballots.csv"); status == 200 {
		t.Fatal("plain ballots are exported")
	}
	zb := e.download(c, "/polls/"+id+"/tally.zip")
	zr, err := zip.NewReader(strings.NewReader(string(zb)), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	x.zip = map[string][]byte{}
	for _, f := range zr.File {
		r, _ := f.Open()
		x.zip[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	if len(x.zip) != 3 || string(x.zip["计票结果.xlsx"]) == "" || string(x.zip["计票结果报告单.pdf"]) == "" {
		t.Fatal("the ZIP's documents differ from the downloads")
	}
	return x
}

// unescape undoes the neutralisation of a spreadsheet cell: one leading apostrophe.
func unescape(s string) string { return strings.TrimPrefix(s, "'") }

// certified asserts the report ties itself to the signed file: the root, the check code
// and the fingerprint, each whole on its line, and the command that checks the file.
func (x *exportSet) certified() {
	x.t.Helper()
	signed := x.signed()
	fp := ballot.Fingerprint(signed.PublicKey)
	x.pdfLine("the check instructions", "minyi verify -key \""+fp+"\"")
	x.pdfLine("the fingerprint", "签名密钥指纹："+fp)
	x.pdfLine("the check code", "核验码："+ballot.CheckCode(signed.Bundle))
	x.pdfLine("the root", "票箱默克尔根：")
	x.pdfLine("the signature lines", "监票人（签字）", "计票人（签字）")
	x.pdfLine("the date line", "日期")
	x.pdfLine("the page footer", "第1页共")
}

// pdfLine asserts that one line of the PDF's text holds all the pieces: a figure or a
// name broken across lines, or a row whose figures are not beside its name, fails.
func (x *exportSet) pdfLine(what string, pieces ...string) {
	x.t.Helper()
	for _, l := range x.lines {
		all := true
		for _, p := range pieces {
			all = all && strings.Contains(l, p)
		}
		if all {
			return
		}
	}
	x.t.Errorf("PDF: no line holds %s %q", what, pieces)
}

// pdfRow asserts every figure is on a line with the row's name (a table printed in column
// groups repeats the name on each).
func (x *exportSet) pdfRow(name string, figures ...string) {
	x.t.Helper()
	for _, f := range figures {
		x.pdfLine(name, name, f)
	}
}

// pdfBlock asserts the piece is in the row of name: its line and the lines that continue
// it (a wrapped cell).
func (x *exportSet) pdfBlock(name, piece string) {
	x.t.Helper()
	for i, l := range x.lines {
		if !strings.Contains(l, name) {
			continue
		}
		block := l
		for j := i + 1; j < len(x.lines) && strings.HasPrefix(x.lines[j], "          ") && strings.TrimSpace(x.lines[j]) != ""; j++ {
			block += "\n" + x.lines[j]
		}
		if strings.Contains(block, piece) {
			return
		}
	}
	x.t.Errorf("PDF: no row of %s holds %q", name, piece)
}

// xlsxRow finds the row whose first cell (unescaped) is name on a sheet whose title
// contains title, and returns a reader of its cells by header.
func (x *exportSet) xlsxRow(title, name string) func(header string) (raw string, typ excelize.CellType) {
	x.t.Helper()
	for _, sh := range x.book.GetSheetList() {
		rows, _ := x.book.GetRows(sh, excelize.Options{RawCellValue: true})
		var header []string
		in := false
		for ri, r := range rows {
			if len(r) == 1 { // a table's title or note
				if strings.Contains(r[0], title) {
					in, header = true, nil
				} else if header != nil {
					in, header = false, nil
				}
				continue
			}
			if !in {
				continue
			}
			if len(r) > 1 && header == nil && (r[0] == "人选" || r[0] == "被测评对象" || r[0] == "表决对象" || r[0] == "干部" || r[0] == "对象" || r[0] == "参评类别" || r[0] == "选项" || r[0] == "项目" || r[0] == "评价") {
				header = r
				continue
			}
			if header != nil && len(r) > 0 && unescape(r[0]) == name {
				row := ri + 1
				return func(h string) (string, excelize.CellType) {
					x.t.Helper()
					for ci, hh := range header {
						if hh == h {
							cell, _ := excelize.CoordinatesToCellName(ci+1, row)
							v, _ := x.book.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
							typ, _ := x.book.GetCellType(sh, cell)
							return v, typ
						}
					}
					x.t.Fatalf("sheet %s has no column %q: %v", sh, h, header)
					return "", 0
				}
			}
		}
	}
	x.t.Fatalf("workbook: no row %q on a sheet titled %q", name, title)
	return nil
}

// xlsxCount asserts a cell is a number equal to n.
func (x *exportSet) xlsxCount(cell func(string) (string, excelize.CellType), header string, n int) {
	x.t.Helper()
	v, typ := cell(header)
	if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || v != strconv.Itoa(n) {
		x.t.Errorf("workbook %s: %q (type %v), want the number %d", header, v, typ, n)
	}
}

// xlsxRate asserts a rate is a number (the fraction's value) with the exact fraction beside.
func (x *exportSet) xlsxRate(cell func(string) (string, excelize.CellType), header string, r ballot.Ratio) {
	x.t.Helper()
	v, typ := cell(header)
	f, err := strconv.ParseFloat(v, 64)
	want := float64(r.Num) / float64(r.Den)
	if typ == excelize.CellTypeSharedString || err != nil || f-want > 1e-9 || want-f > 1e-9 {
		x.t.Errorf("workbook %s: %q, want the number %v", header, v, want)
	}
	if frac, _ := cell(header + " 分数"); frac != r.String() {
		x.t.Errorf("workbook %s 分数: %q, want %s", header, frac, r)
	}
}

// xlsxCountRate asserts a count with its rate: the number, the rate as a number and the
// exact fraction.
func (x *exportSet) xlsxCountRate(cell func(string) (string, excelize.CellType), header string, n int, r ballot.Ratio) {
	x.t.Helper()
	x.xlsxCount(cell, header, n)
	v, typ := cell(header + " 比例")
	f, err := strconv.ParseFloat(v, 64)
	want := float64(r.Num) / float64(r.Den)
	if typ == excelize.CellTypeSharedString || err != nil || f-want > 1e-9 || want-f > 1e-9 {
		x.t.Errorf("workbook %s 比例: %q, want the number %v", header, v, want)
	}
	if frac, _ := cell(header + " 分数"); frac != r.String() {
		x.t.Errorf("workbook %s 分数: %q, want %s", header, frac, r)
	}
}

// xlsxText asserts the workbook has text containing s somewhere.
func (x *exportSet) xlsxText(s string) {
	x.t.Helper()
	for _, sh := range x.book.GetSheetList() {
		rows, _ := x.book.GetRows(sh)
		for _, r := range rows {
			for _, c := range r {
				if strings.Contains(c, s) {
					return
				}
			}
		}
	}
	x.t.Errorf("workbook lacks %q", s)
}

// inert asserts no cell of the workbook can start a formula.
func (x *exportSet) inert() {
	x.t.Helper()
	bad := func(c string) bool { return c != "" && strings.ContainsAny(c[:1], "=+-@\t\r") }
	for _, sh := range x.book.GetSheetList() {
		rows, _ := x.book.GetRows(sh, excelize.Options{RawCellValue: true})
		for ri, r := range rows {
			for ci, c := range r {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				if typ, _ := x.book.GetCellType(sh, cell); bad(c) && (typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString) {
					x.t.Errorf("workbook %s!%s %q can start a formula", sh, cell, c)
				}
				if f, _ := x.book.GetCellFormula(sh, cell); f != "" {
					x.t.Errorf("workbook %s!%s holds a formula %q", sh, cell, f)
				}
			}
		}
	}
}

// sheetsFit asserts each sheet of one table keeps its title and header in view (frozen
// above the data, the naming columns frozen at the left) and that each column is as wide
// as its longest number or short text.
func (x *exportSet) sheetsFit() {
	x.t.Helper()
	for _, sh := range x.book.GetSheetList() {
		rows, _ := x.book.GetRows(sh)
		header := 0
		for i, r := range rows {
			if len(r) > 1 {
				header = i + 1
				break
			}
		}
		panes, err := x.book.GetPanes(sh)
		if err != nil || !panes.Freeze || panes.YSplit != header || panes.XSplit < 1 {
			x.t.Errorf("sheet %s: panes %+v, want the rows to %d and the name frozen", sh, panes, header)
		}
		for _, r := range rows[header:] {
			for ci, c := range r {
				if len([]rune(c)) > 12 {
					continue // long text wraps
				}
				col, _ := excelize.ColumnNumberToName(ci + 1)
				w, _ := x.book.GetColWidth(sh, col)
				need := 0.0
				for _, ch := range c {
					need += 1.0
					if ch >= 0x2E80 {
						need += 1.0
					}
				}
				if w < need {
					x.t.Errorf("sheet %s column %s is %.1f wide for %q", sh, col, w, c)
				}
			}
		}
	}
}

// csvColumn returns the unescaped values of the CSV column whose header is label.
func (x *exportSet) csvColumn(label string) []string {
	x.t.Helper()
	for ci, h := range x.csv[0] {
		if unescape(h) == label {
			var out []string
			for _, r := range x.csv[1:] {
				out = append(out, unescape(r[ci]))
			}
			return out
		}
	}
	x.t.Fatalf("CSV has no column %q: %v", label, x.csv[0])
	return nil
}

// recount counts the marks of a CSV column ("/" between the marks of one ballot).
func recount(col []string) map[string]int {
	n := map[string]int{}
	for _, v := range col {
		if v == "" {
			continue
		}
		for _, m := range strings.Split(v, "/") {
			n[m]++
		}
	}
	return n
}

func (x *exportSet) pageHas(s string) {
	x.t.Helper()
	if !strings.Contains(x.page, s) {
		x.t.Errorf("tally page lacks %q", s)
	}
}

func flagsOf(fs []ballot.Flag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Label)
	}
	return out
}

func (e *env) tokensIn(id, group string, n int) []string {
	e.t.Helper()
	var out struct{ Tokens []struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+id+"/tokens", map[string]any{"group_id": group, "count": n}, 201, &out)
	var codes []string
	for _, t := range out.Tokens {
		codes = append(codes, t.Code)
	}
	e.casts.issued(id, group, codes)
	return codes
}

func (e *env) cast(code string, forms ...map[string][]string) {
	e.t.Helper()
	var fs []map[string]any
	var b ballot.Ballot
	for i, f := range forms {
		fs = append(fs, map[string]any{"form": fmt.Sprintf("f%d", i+1), "lines": f})
		b.Forms = append(b.Forms, ballot.FilledForm{Form: fmt.Sprintf("f%d", i+1), Lines: f})
	}
	e.api("", "POST", "/api/v1/ballot/"+code, map[string]any{"ballot": map[string]any{"forms": fs}}, 200, nil)
	e.casts.add(code, b)
}

// Candidate ids repeat across positions (c1, c2 in each); names that look like formulas
// and write-ins that are formulas; both shapes of 民主推荐. Every document agrees with the
// tally, each candidate under its own position.
func TestRecommendationExportsAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "县级领导班子民主推荐", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "县领导", "expected": 4}, {"name": "=部门负责人", "expected": 4}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副县长", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "欧阳明辉", "post": "县委常委"}, {"name": "+cmd", "post": "局长"}}},
				{"title": "县委办公室主任", "seats": 1, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}}}}}},
			{"kind": "recommendation", "title": "逐人表态推荐表", "recommendation": map[string]any{"shape": "per_candidate", "positions": []map[string]any{
				{"title": "纪委书记", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "王五"}, {"name": "赵六"}}}}}},
		}}, 201, &p)
	lead := e.tokensIn(p.ID, p.Groups[0].ID, 4)
	dept := e.tokensIn(p.ID, p.Groups[1].ID, 4)
	e.openPoll(p.ID)
	rec := func(p1, p2 []string) map[string][]string { return map[string][]string{"p1": p1, "p2": p2} }
	pc := func(c1, c2 string, w ...string) map[string][]string {
		return map[string][]string{"p1/c1": {c1}, "p1/c2": {c2}, "p1": w}
	}
	// 副县长: the votes scattered (the best 2 of 8 < 3/10: 建议二次推荐).
	e.cast(lead[0], rec([]string{"c1"}, []string{"c2"}), pc("同意", "不同意"))
	e.cast(lead[1], rec([]string{"c2"}, []string{"c2"}), pc("不同意", "同意"))
	e.cast(lead[2], rec([]string{"+=HYPERLINK(\"x\",\"y\")"}, []string{"c1"}), pc("弃权", "弃权"))
	e.cast(lead[3], rec([]string{"+钱八"}, []string{"c2"}), pc("同意", "弃权"))
	e.cast(dept[0], rec([]string{"+@SUM(1)"}, []string{}), pc("不同意", "不同意", "+-孙七"))
	e.cast(dept[1], rec([]string{"+ 孙 七"}, []string{}), pc("同意", "弃权"))
	e.cast(dept[2], rec([]string{"c1"}, []string{"c2"}), pc("同意", "不同意"))
	e.cast(dept[3], rec([]string{}, []string{"c2"}), pc("弃权", "弃权"))
	x := e.exportsOf(c, p.ID, "recommendation")

	for fi, f := range x.tally.Forms {
		for _, pos := range f.Recommendation.Positions {
			// The blank ballots and the position's flags, as the tally page shows them.
			blank := fmt.Sprintf("未推荐任何人 %d", pos.Blank.Total)
			x.pageHas(blank)
			x.pdfLine("the blank ballots", pos.Title, blank)
			x.xlsxText(pos.Title + "（应推荐")
			x.xlsxText(blank)
			for _, fl := range pos.Flags {
				x.pageHas(fl.Label)
				x.pdfLine("a position flag", fl.Label)
				x.xlsxText(fl.Label + "：" + fl.Rule)
			}
			label := f.Title + "·" + pos.Title
			marks := recount(x.csvColumn(label))
			for _, cand := range pos.Candidates {
				x.pageHas(cand.Name)
				x.pdfRow(cand.Name, strconv.Itoa(cand.Votes.Total), cand.Rate.Percent()+"（"+cand.Rate.String()+"）")
				for gi := range x.tally.ResultRows() {
					x.pdfRow(cand.Name, fmt.Sprintf("%d（%s）", cand.Votes.ByGroup[gi], cand.RateIn(pos, gi).Percent()))
				}
				for _, fl := range flagsOf(cand.Flags) {
					x.pdfBlock(cand.Name, fl)
				}
				row := x.xlsxRow(pos.Title, cand.Name)
				x.xlsxCount(row, "得票", cand.Votes.Total)
				x.xlsxRate(row, "得票率", cand.Rate)
				x.xlsxCount(row, "名次", cand.Rank)
				if v, _ := row("提示（供组织参考，不简单以票取人）"); len(cand.Flags) > 0 && !strings.Contains(v, cand.Flags[0].Label) {
					x.t.Errorf("workbook flags of %s: %q", cand.Name, v)
				}
				if f.Recommendation.Shape == ballot.ShapeMark || cand.WriteIn {
					// A re-tally of the ballots CSV by hand gives the same votes, under the same
					// position.
					if marks[cand.Name] != cand.Votes.Total {
						t.Errorf("CSV %s: %s has %d marks, the tally %d votes (%v)", label, cand.Name, marks[cand.Name], cand.Votes.Total, marks)
					}
				} else {
					agree := recount(x.csvColumn(label + "·" + cand.Name))["同意"]
					if agree != cand.Votes.Total {
						t.Errorf("CSV %s·%s: %d 同意, the tally %d", label, cand.Name, agree, cand.Votes.Total)
					}
				}
			}
			if fi == 0 && pos.Title == "县委办公室主任" && (marks["+cmd"] != 0 || marks["欧阳明辉"] != 0) {
				t.Errorf("CSV: a 副县长 candidate under 县委办公室主任: %v", marks)
			}
		}
	}
	if pf := x.tally.Forms[0].Recommendation.Positions[0].Flags; len(pf) == 0 || pf[0].Code != "second_round" {
		t.Fatalf("the scattered position has no 建议二次推荐: %+v", pf)
	}
	x.sheetsFit()
	// The listed candidate keeps the + of her name; the write-ins lose only their marker.
	names := map[string]bool{}
	for _, cand := range x.tally.Forms[0].Recommendation.Positions[0].Candidates {
		names[cand.Name] = true
	}
	for _, want := range []string{"+cmd", "=HYPERLINK(\"x\",\"y\")", "@SUM(1)", "孙七"} {
		if !names[want] {
			t.Errorf("tally lacks the candidate %q: %v", want, names)
		}
	}
	x.inert()
	x.certified()
}

// A wide 民主测评: 6 subjects, 4 grades, 4 weighted groups, score conversion, indicators.
// And a 测评 below quorum.
func TestEvaluationExportsAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	w := func(n int) map[string]int { return map[string]int{"num": n, "den": 10} }
	subjects := []map[string]string{{"name": "欧阳明辉", "post": "县委书记"}, {"name": "司马相如", "post": "县长"}, {"name": "诸葛孔明", "post": "常务副县长"},
		{"name": "上官婉儿", "post": "副县长"}, {"name": "王五", "post": "副县长"}, {"name": "@赵六", "post": "纪委书记"}}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "2026年度县领导班子成员民主测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "县四套班子成员", "expected": 2, "weight": w(3)}, {"name": "乡镇部门主要负责人", "expected": 2, "weight": w(3)},
			{"name": "党代表人大代表", "expected": 2, "weight": w(2)}, {"name": "服务对象代表", "expected": 2, "weight": w(2)}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{
			"points":   []map[string]int{{"num": 1, "den": 1}, {"num": 4, "den": 5}, {"num": 3, "den": 5}, {"num": 0, "den": 1}},
			"subjects": subjects}}}}, 201, &p)
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	var codes []string
	for _, g := range p.Groups {
		codes = append(codes, e.tokensIn(p.ID, g.ID, 2)...)
	}
	e.openPoll(p.ID)
	for i, code := range codes {
		lines := map[string][]string{}
		for s := range subjects {
			lines[fmt.Sprintf("s%d", s+1)] = []string{grades[(i*(s+1)+s)%4]}
		}
		e.cast(code, lines)
	}
	x := e.exportsOf(c, p.ID, "evaluation")
	ev := x.tally.Forms[0].Evaluation
	label := "领导干部民主测评表·"
	for si, s := range ev.Subjects {
		x.pageHas(s.Name)
		var figures []string
		for i, v := range s.Total.Votes {
			figures = append(figures, fmt.Sprintf("%d（%s）", v, s.Total.Rate(i).Percent()))
		}
		figures = append(figures, s.Good.Percent()+"（"+s.Good.String()+"）", s.Bad.Percent()+"（"+s.Bad.String()+"）")
		if s.Weighted == nil || s.Score == nil {
			t.Fatalf("%s: no weighted rates or score in the tally", s.Name)
		}
		figures = append(figures, s.Weighted.Good.Percent()+"（"+s.Weighted.Good.String()+"）", s.Score.Decimal())
		x.pdfRow(s.Name, figures...)
		for _, fl := range flagsOf(s.Flags) {
			x.pdfBlock(s.Name, fl)
			x.pageHas(fl)
		}
		row := x.xlsxRow("领导干部民主测评表", s.Name)
		for i, g := range ev.Grades {
			x.xlsxCountRate(row, g, s.Total.Votes[i], s.Total.Rate(i))
		}
		x.xlsxCount(row, "有效票", s.Total.Valid)
		x.xlsxRate(row, "优秀和称职率", s.Good)
		x.xlsxRate(row, "不称职率", s.Bad)
		x.xlsxRate(row, "加权优秀和称职率", s.Weighted.Good)
		if v, _ := row("折算得分"); v == "" || v[0] < '0' || v[0] > '9' {
			t.Errorf("workbook 折算得分 of %s: %q", s.Name, v)
		}
		marks := recount(x.csvColumn(label + s.Name))
		for i, g := range ev.Grades {
			if marks[g] != s.Total.Votes[i] {
				t.Errorf("CSV %s %s: %d, the tally %d", s.Name, g, marks[g], s.Total.Votes[i])
			}
		}
		for gi, g := range x.tally.ResultRows() {
			x.pdfLine("a group's counts", s.Name, g.Name, fmt.Sprintf("%d（%s）", s.ByGroup[gi].Votes[0], s.ByGroup[gi].Rate(0).Percent()))
		}
		_ = si
	}
	x.inert()

	// Below quorum: the note on the page, in the PDF and in the workbook.
	var q poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "未达法定人数的测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "甲"}}}}}}, 201, &q)
	qc := e.tokensIn(q.ID, q.Groups[0].ID, 2)
	e.openPoll(q.ID)
	e.cast(qc[0], map[string][]string{"s1": {"优秀"}})
	y := e.exportsOf(c, q.ID, "quorum")
	if y.tally.QuorumMet || len(y.tally.Notes) == 0 {
		t.Fatalf("quorum met with 1 of 9: %+v", y.tally)
	}
	for _, n := range y.tally.Notes {
		y.pageHas(n)
		y.pdfLine("the tally's note", n)
		y.xlsxText(n)
	}
	y.pdfLine("the quorum", "法定人数 6 人", "未达到")
	// No weights, no score conversion, no posts: no column for them, on paper or in the
	// workbook.
	for _, col := range []string{"加权", "折算得分", "职务"} {
		if text := strings.Join(y.lines, "\n"); strings.Contains(text, col) {
			t.Errorf("the PDF has a column %q the poll does not have", col)
		}
		for _, sh := range y.book.GetSheetList() {
			rows, _ := y.book.GetRows(sh)
			for _, r := range rows {
				if len(r) > 1 && strings.Contains(strings.Join(r, "|"), col) {
					t.Errorf("workbook %s has a column %q: %v", sh, col, r)
				}
			}
		}
	}
}

// 表决, 一报告两评议, a survey and 测评打分 in one poll.
func TestOtherKindsExportsAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "全委会表决与评议", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全委委员", "expected": 5}},
		"forms": []map[string]any{
			{"kind": "approval", "title": "表决票", "approval": map[string]any{"nominees": []map[string]string{{"name": "吴五", "post": "局长"}, {"name": "-郑七", "post": "副局长"}}}},
			{"kind": "review", "title": "选人用人工作评议表", "review": map[string]any{"overall": "总体评价",
				"cadres": []map[string]string{{"name": "孙三", "post": "科长"}, {"name": "周四", "post": "副科长"}}}},
			{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "您的身份", "options": []string{"干部", "群众"}},
				{"kind": "matrix", "title": "各项工作", "options": []string{"好", "较好", "一般", "差"}, "rows": []string{"党风廉政", "=选人用人"}, "good": 2},
				{"kind": "rating", "title": "总体打分"},
				{"kind": "text", "title": "意见建议", "max_len": 100}}}},
			{"kind": "scoring", "title": "述职打分表", "scoring": map[string]any{"subjects": []map[string]string{{"name": "冯八", "post": "主任"}, {"name": "陈九"}}}},
		}}, 201, &p)
	codes := e.tokensIn(p.ID, p.Groups[0].ID, 5)
	e.openPoll(p.ID)
	approve := []string{"同意", "同意", "不同意", "弃权", "同意"}
	review := []string{"好", "较好", "一般", "好", "差"}
	cadre := []string{"认同", "基本认同", "不认同", "不了解", "认同"}
	for i, code := range codes {
		e.cast(code,
			map[string][]string{"n1": {approve[i]}, "n2": {approve[(i+2)%5]}},
			map[string][]string{"overall": {review[i]}, "c1": {cadre[i]}, "c2": {cadre[(i+1)%5]}},
			map[string][]string{"q1": {[]string{"干部", "群众"}[i%2]}, "q2/r1": {review[i]}, "q2/r2": {review[(i+3)%5]}, "q3": {strconv.Itoa(5 + i)}, "q4": {[]string{"=1+1", "多听基层意见", "", "@cmd", "+好"}[i]}},
			map[string][]string{"s1": {strconv.Itoa(80 + i)}, "s2": {strconv.Itoa(70 + 3*i)}})
	}
	x := e.exportsOf(c, p.ID, "kinds")
	ap := x.tally.Forms[0].Approval
	for _, n := range ap.Nominees {
		o := n.Counts.Options
		x.pdfRow(n.Name, strconv.Itoa(o[0].Total), strconv.Itoa(o[1].Total), strconv.Itoa(o[2].Total), n.Agree.Percent()+"（"+n.Agree.String()+"）")
		for _, fl := range flagsOf(n.Flags) {
			x.pdfBlock(n.Name, fl)
			x.pageHas(fl)
		}
		row := x.xlsxRow("表决票", n.Name)
		x.xlsxCount(row, "同意", o[0].Total)
		x.xlsxCount(row, "不同意", o[1].Total)
		x.xlsxCount(row, "弃权", o[2].Total)
		x.xlsxRate(row, "同意/应到", n.Agree)
		if v, _ := row("结果"); !strings.Contains(v, n.Flags[0].Label) {
			t.Errorf("workbook 结果 of %s: %q", n.Name, v)
		}
		marks := recount(x.csvColumn("表决票·" + n.Name))
		if marks["同意"] != o[0].Total || marks["不同意"] != o[1].Total || marks["弃权"] != o[2].Total {
			t.Errorf("CSV %s: %v", n.Name, marks)
		}
	}
	rv := x.tally.Forms[1].Review
	x.pdfRow("总体评价", rv.OverallGood.Percent()+"（"+rv.OverallGood.String()+"）")
	for _, cd := range rv.Cadres {
		var figs []string
		for i, o := range cd.Counts.Options {
			figs = append(figs, fmt.Sprintf("%d（%s）", o.Total, cd.Counts.Rate(i).Percent()))
		}
		x.pdfRow(cd.Name, append(figs, cd.Approve.Percent()+"（"+cd.Approve.String()+"）")...)
		row := x.xlsxRow("新提拔干部评议", cd.Name)
		x.xlsxRate(row, "认同率", cd.Approve)
		x.xlsxCount(row, "排名", cd.Rank)
		for _, fl := range flagsOf(cd.Flags) {
			x.pdfBlock(cd.Name, fl)
		}
	}
	sv := x.tally.Forms[2].Survey
	for oi, o := range sv.Questions[0].Options {
		x.pdfRow(o, strconv.Itoa(sv.Questions[0].Counts.Options[oi]))
	}
	for _, r := range sv.Questions[1].Rows {
		x.pdfRow(r.Title, fmt.Sprintf("%d（%s）", r.Counts.Options[0], ballot.R(int64(r.Counts.Options[0]), int64(r.Counts.Answered)).Percent()))
		row := x.xlsxRow("各项工作", r.Title)
		x.xlsxCount(row, "好", r.Counts.Options[0])
	}
	x.pdfLine("the rating's mean", "平均分", ballot.R(int64(sv.Questions[2].Sum), int64(sv.Questions[2].Counts.Answered)).Decimal())
	for _, tx := range sv.Questions[3].Texts {
		x.pdfLine("an answer", tx)
		x.xlsxText(tx)
	}
	sc := x.tally.Forms[3].Scoring
	for _, s := range sc.Subjects {
		trimmed := "—"
		if s.Trimmed != nil {
			trimmed = s.Trimmed.Decimal()
		}
		x.pdfRow(s.Name, s.Mean.Decimal(), trimmed)
		row := x.xlsxRow("述职打分表", s.Name)
		x.xlsxCount(row, "打分人数", s.Scored)
		x.xlsxCount(row, "名次", s.Rank)
		if v, _ := row("平均分"); v == "" || v[0] < '0' || v[0] > '9' {
			t.Errorf("workbook 平均分 of %s: %q", s.Name, v)
		}
	}
	x.inert()
	x.certified()
}

// The selection record's workbook: the post, the notes and the linked vote's tables, all
// inert.
func TestSelectionExportInert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	post := func(path string, v url.Values) {
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "=推荐", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "@全体", "expected": 1}},
		"forms": []map[string]any{{"kind": "recommendation", "title": "+推荐表", "recommendation": map[string]any{"positions": []map[string]any{
			{"title": "-副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "+cmd"}}}}}}}}, 201, &p)
	codes := e.tokensIn(p.ID, p.Groups[0].ID, 1)
	e.openPoll(p.ID)
	e.cast(codes[0], map[string][]string{"p1": {"c1", "+=1+1"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	post("/selections", url.Values{"unit_id": {e.unitID}, "post": {"=cmd|' /C calc'!A0"}})
	sels, _ := e.st.Selections(ctx, e.unitID)
	post("/selections/"+sels[0].ID+"/steps", url.Values{"kind": {"民主推荐"}, "date": {"2026-03-10"}, "note": {"@SUM(1)"}, "poll_id": {p.ID}})
	book, err := excelize.OpenReader(strings.NewReader(string(e.download(c, "/selections/"+sels[0].ID+"/export.xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	x := &exportSet{t: t, book: book}
	x.inert()
	x.xlsxText("选拔任用纪实：=cmd|' /C calc'!A0")
	x.xlsxText("'@SUM(1)")
	x.xlsxText("'+cmd")
	x.xlsxText("'=1+1")
}

// signed is the signed bundle in the ZIP (a version 5 bundle is a ZIP in it), verified.
func (x *exportSet) signed() *ballot.Signed {
	x.t.Helper()
	raw, ok := x.zip["计票结果（签名）.zip"]
	if !ok {
		raw = x.zip["计票结果（签名）.json"]
	}
	checks, _, signed := checkBundle(x.t, raw)
	if !ballot.Verified(checks) {
		x.t.Fatalf("the bundle in the ZIP does not verify: %+v", checks)
	}
	return signed
}
