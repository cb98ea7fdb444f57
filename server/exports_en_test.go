package server_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
)

// cjkRun is a stretch of Chinese characters or of Chinese and full-width punctuation.
var cjkRun = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}“”‘’]+`)

// tallyWords is every string the counted tally holds: the data (titles, names) and the
// rules' words as the signed tally keeps them (grades, options, flags, notes). These are
// all a document in English may print in Chinese.
func tallyWords(t *testing.T, tally ballot.Tally) []string {
	t.Helper()
	raw, err := json.Marshal(tally)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// foreignChinese lists the runs of Chinese in text that are not part of any of the
// tally's own strings: the document's own words left untranslated.
func foreignChinese(text string, words []string) []string {
	var out []string
	for _, run := range cjkRun.FindAllString(text, -1) {
		found := false
		for _, w := range words {
			if strings.Contains(w, run) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, run)
		}
	}
	return out
}

// An organizer reading in English downloads English documents: the tally report, the
// workbook and the ZIP speak English; Chinese is left only where the tally itself holds
// it (the rules' terms and sentences, its notes) beside their English.
func TestTallyDocumentsInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	base, _ := url.Parse(e.base)
	c.Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Annual Review 2026", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "Leaders", "expected": 3}, {"name": "Staff", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
				"subjects": []map[string]string{{"name": "Alice Wang", "post": "Director"}, {"name": "Bob Li", "post": "Deputy"}}}},
			{"kind": "recommendation", "title": "Recommendation Form", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy Director", "seats": 1, "candidates": []map[string]string{{"name": "Carol Zhang"}, {"name": "Dan Zhou"}}}}}},
			{"kind": "approval", "title": "Approval Form", "approval": map[string]any{"nominees": []map[string]string{{"name": "Eve Sun"}}}},
			{"kind": "survey", "title": "Survey Form", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "Your role", "options": []string{"Cadre", "Staff"}},
				{"kind": "rating", "title": "Overall score"}}}},
			{"kind": "scoring", "title": "Scoring Form", "scoring": map[string]any{"subjects": []map[string]string{{"name": "Frank Wu"}}}},
		}}, 201, &p)
	codes := append(e.tokensIn(p.ID, p.Groups[0].ID, 3), e.tokensIn(p.ID, p.Groups[1].ID, 3)...)
	e.openPoll(p.ID)
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	options := []string{"同意", "同意", "不同意", "弃权", "同意"}
	for i, code := range codes[:5] {
		e.cast(code,
			map[string][]string{"s1": {grades[i%4]}, "s2": {grades[(i+2)%4]}},
			map[string][]string{"p1": {[]string{"c1", "c2"}[i%2]}},
			map[string][]string{"n1": {options[i]}},
			map[string][]string{"q1": {[]string{"Cadre", "Staff"}[i%2]}, "q2": {strconv.Itoa(6 + i)}},
			map[string][]string{"s1": {strconv.Itoa(80 + i)}})
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tally ballot.Tally
	e.countPoll(p.ID, &tally)
	// the rules' terms a ballot offers, which the tally names by position
	words := append(tallyWords(t, tally), ballot.AgreeOptions...)

	// The report: its headings, facts and small print in English.
	pdf := e.download(c, "/polls/"+p.ID+"/tally.pdf")
	file := t.TempDir() + "/en.pdf"
	os.WriteFile(file, pdf, 0o600)
	if d := os.Getenv("MINYI_SCREENSHOTS"); d != "" {
		os.WriteFile(d+"/tally-en.pdf", pdf, 0o644)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make deps-test): %v", err)
	}
	text := string(out)
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Tally report", "Annual Review 2026", "Counted:", "Turnout", "Group", "Expected", "Turned out",
		"Quorum: at least", "Notes (for the organization", "Valid", "Candidate", "Vote share", "Nominee", "Result", "Of answers", "Mean score:",
		"Key held by: the key is kept on the organizer's own device",
		"Box Merkle root:", "Check code:", "Signing key fingerprint:", "How to check:", "minyi verify -key",
		"Teller (signature):", "Date:", "Page 1 of", "优秀 / excellent", "同意 / agree"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the English report lacks %q:\n%s", want, text)
		}
	}
	if left := foreignChinese(text, words); len(left) > 0 {
		t.Errorf("the English report still says in Chinese %q:\n%s", left, text)
	}
	if t.Failed() {
		return
	}

	// The workbook: every sheet's name and every cell.
	xl := e.download(c, "/polls/"+p.ID+"/tally.xlsx")
	book, err := excelize.OpenReader(strings.NewReader(string(xl)))
	if err != nil {
		t.Fatal(err)
	}
	sheets := book.GetSheetList()
	if sheets[0] != "Turnout" {
		t.Errorf("the workbook's sheets: %q", sheets)
	}
	var cells []string
	for _, sh := range sheets {
		cells = append(cells, sh)
		rows, err := book.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			cells = append(cells, r...)
		}
	}
	all := strings.Join(cells, "\n")
	for _, want := range []string{"Group", "Expected", "Turnout rate", "Total", "Person to evaluate", "优秀 / excellent fraction", "Nominee", "Agree / expected"} {
		if !strings.Contains(all, want) {
			t.Errorf("the English workbook lacks %q", want)
		}
	}
	for _, cell := range cells {
		if left := foreignChinese(cell, words); len(left) > 0 {
			t.Errorf("the English workbook's cell %q still says in Chinese %q", cell, left)
		}
	}

	// The ZIP's documents are named in English too.
	zb := e.download(c, "/polls/"+p.ID+"/tally.zip")
	zr, err := zip.NewReader(strings.NewReader(string(zb)), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		names[f.Name] = len(b) > 0
	}
	if !names["tally-report.pdf"] || !names["tally.xlsx"] || !(names["tally-signed.json"] || names["tally-signed.zip"]) {
		t.Errorf("the English ZIP holds %v", names)
	}
}
