package report

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"minyi/ballot"
)

// A table too wide even for a landscape page is printed in column groups, each repeating
// the names; no figure or name is broken and every page says which of how many it is.
func TestWideTableInColumnGroups(t *testing.T) {
	t.Parallel()
	tb := Table{Title: "分类统计", Keys: 2, Header: []string{"人选", "职务"}}
	for g := 0; g < 14; g++ {
		tb.Header = append(tb.Header, fmt.Sprintf("第%d类参评人员", g+1))
	}
	names := []string{"欧阳明辉", "司马相如", "诸葛孔明"}
	for i, n := range names {
		row := []Cell{Text(n), Text("常务副县长")}
		for g := 0; g < 14; g++ {
			row = append(row, nrate(100+i*14+g, ballot.R(int64(100+i*14+g), 997)))
		}
		tb.Rows = append(tb.Rows, row)
	}
	pdf, err := Printer{}.Report("计票结果报告单", "宽表", nil, []Table{tb}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := t.TempDir() + "/wide.pdf"
	os.WriteFile(file, pdf, 0o600)
	if d := os.Getenv("MINYI_SCREENSHOTS"); d != "" {
		os.WriteFile(d+"/wide.pdf", pdf, 0o644)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "30", file, t.TempDir()+"/p").CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if !strings.Contains(text, "第 1 部分，共 2 部分") && !strings.Contains(text, "第 1 部分，共 3 部分") {
		t.Fatalf("no column groups:\n%s", text)
	}
	lines := strings.Split(text, "\n")
	for i, n := range names {
		for g := 0; g < 14; g++ {
			v := 100 + i*14 + g
			fig := fmt.Sprintf("%d（%s）", v, ballot.R(int64(v), 997).Percent())
			found := false
			for _, l := range lines {
				found = found || strings.Contains(l, n) && strings.Contains(l, "常务副县长") && strings.Contains(l, fig)
			}
			if !found {
				t.Errorf("no line holds %s with %s", n, fig)
			}
		}
	}
	if !strings.Contains(strings.ReplaceAll(text, " ", ""), "第1页共") {
		t.Error("no page footer")
	}
}

// Lines break between Chinese characters and at spaces, never inside a figure, a glued name
// or before closing punctuation.
func TestBreakTokens(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"得票率低于1/2，一般", "得|票|率|低|于|1/2，|一|般"},
		{"47（83.93%）", "47|（83.93%）"},
		{"开箱监票人：" + whole("欧阳明辉") + "、" + whole("司马相如"), "开|箱|监|票|人：|\x02欧阳明辉\x03、|\x02司马相如\x03"},
		{"minyi verify -key", "minyi |verify |-key"},
		{"日期 2026-03-20 起", "日|期 |2026-03-20 |起"},
	} {
		if got := strings.Join(breakTokens(c.in), "|"); got != c.want {
			t.Errorf("breakTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Write-ins counted as one person whatever their spelling are listed with the spellings
// merged, in the documents as on the tally page, for the tellers to see.
func TestReportListsMergedSpellings(t *testing.T) {
	t.Parallel()
	tl := &ballot.Tally{Forms: []ballot.FormTally{{Title: "推荐表", Recommendation: &ballot.RecommendationTally{
		Positions: []ballot.PositionTally{{Title: "副局长", Seats: 1, Candidates: []ballot.CandidateTally{
			{Name: "张三", Spellings: []string{"张 三", "张三"}}, {Name: "李四"}}}}}}}}
	var notes []string
	for _, tb := range Tables(tl) {
		notes = append(notes, tb.Notes...)
	}
	joined := strings.Join(notes, "\n")
	if !strings.Contains(joined, "“张三”合并的写法：张 三、张三") || strings.Contains(joined, "“李四”") {
		t.Fatalf("notes %q", joined)
	}
}
