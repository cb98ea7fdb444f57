package server_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
	"minyi/i18n"
)

var tags = regexp.MustCompile(`<[^>]*>`)

// chineseBesidesTerms lists the runs of Chinese in text that are not a rule's term (称职,
// 建议调整, shown beside their English on purpose) nor the language switch's 中文: with
// every title and name of the poll in ASCII (the test unit's name aside), whatever else
// is Chinese was not translated.
func chineseBesidesTerms(text string) []string {
	var out []string
	for _, run := range cjkRun.FindAllString(text, -1) {
		// 一报告两评议 is named with its English beside it, as a term is
		if !i18n.HasTerm(run) && run != "中文" && run != "甲单位" && run != "一报告两评议" {
			out = append(out, run)
		}
	}
	return out
}

// pageText is a page's text without its markup.
func pageText(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", u, res.StatusCode, b)
	}
	return html.UnescapeString(tags.ReplaceAllString(string(b), " "))
}

// The count's conclusions in English: a poll whose tally flags 建议调整, 进入差额考察 and
// 得票未过半, 通过 and a 不认同率 over its threshold, and one below quorum, read in English
// on the tally page, in the report, in the workbook and in the filed records, with no
// Chinese left but the rules' terms beside their English: the rule sentences the tally
// signed in Chinese are told again in English. The signed tally and the Chinese page keep
// the Chinese sentences byte for byte.
func TestTallyFlagsInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, _ := e.browser("admin")
	base, _ := url.Parse(e.base)
	setLang := func(l string) { c.Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: l, Path: "/"}}) }

	var p, low poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Annual Review 2026", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "Leaders", "expected": 3}, {"name": "Staff", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
				"subjects": []map[string]string{{"name": "Alice Wang", "post": "Director"}, {"name": "Bob Li", "post": "Deputy"}}}},
			{"kind": "recommendation", "title": "Recommendation Form", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy Director", "seats": 1, "candidates": []map[string]string{{"name": "Carol Zhang"}, {"name": "Dan Zhou"}}}}}},
			{"kind": "approval", "title": "Approval Form", "approval": map[string]any{"nominees": []map[string]string{{"name": "Eve Sun"}}}},
			{"kind": "review", "title": "Review Form", "review": map[string]any{"overall": "Overall",
				"cadres": []map[string]string{{"name": "Gina Ma", "post": "Chief"}, {"name": "Hank Lu", "post": "Clerk"}}}},
		}}, 201, &p)
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Spring Review 2026", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "Members", "expected": 6}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
			"subjects": []map[string]string{{"name": "Ivy Qian", "post": "Head"}}}}}}, 201, &low)
	codes := append(e.tokensIn(p.ID, p.Groups[0].ID, 3), e.tokensIn(p.ID, p.Groups[1].ID, 3)...)
	lowCode := e.tokensIn(low.ID, low.Groups[0].ID, 1)
	e.openPoll(p.ID)
	e.openPoll(low.ID)
	grades := []string{"优秀", "称职", "基本称职", "不称职", "优秀"}
	agree := []string{"同意", "同意", "不同意", "同意", "同意"}
	views := []string{"不认同", "认同", "不认同", "基本认同", "认同"}
	for i, code := range codes[:5] {
		e.cast(code,
			map[string][]string{"s1": {grades[i]}, "s2": {"优秀"}},
			map[string][]string{"p1": {[]string{"c1", "c2"}[i%2]}},
			map[string][]string{"n1": {agree[i]}},
			map[string][]string{"overall": {"好"}, "c1": {views[i]}, "c2": {"认同"}})
	}
	e.cast(lowCode[0], map[string][]string{"s1": {"称职"}})
	for _, id := range []string{p.ID, low.ID} {
		e.api(e.admin, "POST", "/api/v1/polls/"+id+"/close", nil, 200, nil)
	}
	var tally, lowTally ballot.Tally
	e.countPoll(p.ID, &tally)
	e.countPoll(low.ID, &lowTally)

	// The tally must carry the flags this test is about, or it proves nothing.
	codesOf := map[string]bool{}
	var rules []string // of the poll above quorum
	note := func(fs []ballot.Flag) {
		for _, f := range fs {
			codesOf[f.Code] = true
			if f.Code != ballot.RuleNoQuorum {
				rules = append(rules, f.Rule)
			}
		}
	}
	for _, tl := range []ballot.Tally{tally, lowTally} {
		for _, f := range tl.Forms {
			if f.Evaluation != nil {
				for _, s := range f.Evaluation.Subjects {
					note(s.Flags)
				}
			}
			if f.Recommendation != nil {
				for _, c := range f.Recommendation.Positions[0].Candidates {
					note(c.Flags)
				}
			}
			if f.Approval != nil {
				note(f.Approval.Nominees[0].Flags)
			}
			if f.Review != nil {
				for _, c := range f.Review.Cadres {
					note(c.Flags)
				}
			}
		}
	}
	for _, want := range []string{ballot.RuleAdjust, ballot.RuleShortlist, ballot.RuleBelowHalf, ballot.RulePass, ballot.RuleDisagree, ballot.RuleNoQuorum} {
		if !codesOf[want] {
			t.Fatalf("the tallies lack the flag %q: %v", want, codesOf)
		}
	}
	if len(lowTally.Notes) == 0 {
		t.Fatalf("the tally below quorum has no note")
	}

	setLang("en")
	check := func(what, text string, wants ...string) {
		t.Helper()
		flat := strings.Join(strings.Fields(text), " ")
		if left := chineseBesidesTerms(flat); len(left) > 0 {
			t.Errorf("the English %s still says in Chinese %q:\n%s", what, left, flat)
		}
		for _, w := range wants {
			if !strings.Contains(flat, w) {
				t.Errorf("the English %s lacks %q:\n%s", what, w, flat)
			}
		}
	}
	adjust := "优秀和称职 / excellent and competent votes do not reach two thirds"
	check("tally page", pageText(t, c, e.base+"/polls/"+p.ID+"/tally"),
		"建议调整 / adjustment advised", adjust, "进入差额考察 / shortlisted for inspection", "Among the top",
		"得票未过半 / under half the votes", "Vote share below one half; usually not taken up for inspection",
		"通过 / passed", "Agree votes exceed one half of the expected voters", "Disapproval over one third",
		"Disapproval votes exceed one third of all answers", "at least 4 must turn out (two thirds of those expected")
	check("tally page below quorum", pageText(t, c, e.base+"/polls/"+low.ID+"/tally"),
		"未达法定人数 / quorum not reached", "Quorum not reached, the result is void: 1 voted, 6 expected, at least 4 needed",
		"Quorum not reached, the result is void (1 voted, 6 expected, at least 4 needed)")

	for _, id := range []string{p.ID, low.ID} {
		pdf := e.download(c, "/polls/"+id+"/tally.pdf")
		file := t.TempDir() + "/en.pdf"
		os.WriteFile(file, pdf, 0o600)
		out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext (poppler-utils, installed by make deps-test): %v", err)
		}
		if id == p.ID {
			check("report", string(out), "adjustment advised", "Vote share below one half", "Agree votes exceed one half", "Disapproval over one third")
		} else {
			check("report below quorum", string(out), "Quorum not reached, the result is void: 1 voted")
		}

		book, err := excelize.OpenReader(strings.NewReader(string(e.download(c, "/polls/"+id+"/tally.xlsx"))))
		if err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, sh := range book.GetSheetList() {
			rows, _ := book.GetRows(sh)
			for _, r := range rows {
				cells = append(cells, r...)
			}
		}
		if id == p.ID {
			check("workbook", strings.Join(cells, "\n"), adjust, "Vote share below one half", "Disapproval over one third")
		} else {
			check("workbook below quorum", strings.Join(cells, "\n"), "Quorum not reached, the result is void (1 voted")
		}
	}

	// The filed records: each line's summary and flags.
	for _, id := range []string{p.ID, low.ID} {
		e.api(e.admin, "POST", "/api/v1/polls/"+id+"/file", nil, 200, nil)
	}
	check("records", pageText(t, c, e.base+"/records?unit="+e.unitID+"&year=2026"),
		"valid 5; good rate 60.00% (3/5)", "建议调整 / adjustment advised", "Position \"Deputy Director\": 3 votes", "agree 4, disagree 1, abstain 0; agree / expected",
		"approval rate", "Quorum not reached, the result is void (1 voted, 6 expected, at least 4 needed); ")

	// A selection record's workbook lays the linked poll's tally out in English too.
	var sel struct {
		ID string `json:"id"`
	}
	e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"unit_id": e.unitID, "post": "Deputy head"}, 201, &sel)
	e.api(e.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-03-01", "poll_id": p.ID}, 201, nil)
	book, err := excelize.OpenReader(strings.NewReader(string(e.download(c, "/selections/"+sel.ID+"/export.xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, sh := range book.GetSheetList() {
		cells = append(cells, sh)
		rows, _ := book.GetRows(sh)
		for _, r := range rows {
			cells = append(cells, r...)
		}
	}
	check("selection workbook", strings.Join(cells, "\n"), "Selection record: Deputy head", "Turnout rate", adjust,
		"Vote share below one half", "All voters (every group under 5, counted together)")

	// In Chinese the page shows the signed sentences as they are.
	setLang("zh")
	zh := pageText(t, c, e.base+"/polls/"+p.ID+"/tally")
	for _, r := range rules {
		if !strings.Contains(zh, r) {
			t.Errorf("the Chinese tally page lacks the signed rule %q", r)
		}
	}
	if !strings.Contains(strings.Join(rules, "\n"), "优秀和称职票未达到三分之二") {
		t.Errorf("the signed rules changed: %q", rules)
	}
}
