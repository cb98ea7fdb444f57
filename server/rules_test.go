package server_test

import (
	"fmt"
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
)

func postStaffForm(t *testing.T, c *http.Client, u string, v url.Values, csrf string) (int, string) {
	t.Helper()
	v.Set("_csrf", csrf)
	res, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The builder words its threshold labels and the rules from the chosen grades and the
// typed thresholds: a team's 好和较好, and 四分之三 once the threshold is changed.
func TestBuilderWordsRulesFromTheForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	status, page := e.get(c, "/polls/new?template=annual")
	page = html.UnescapeString(page)
	for _, want := range []string{"“建议调整”：好和较好票低于", "“建议调整”——好和较好票未达到三分之二", "“建议调整”：优秀和称职票低于", "“建议免职”：不称职票超过",
		"“建议免职”——不称职票超过三分之一"} {
		if status != 200 || !strings.Contains(page, want) {
			t.Fatalf("builder lacks %q", want)
		}
	}
	// the team section has no bad grade: no 免职 rule worded for it
	team := page[strings.Index(page, `name="f0_kind"`):strings.Index(page, `name="f1_kind"`)]
	team = team[strings.Index(team, `class="row thresholds"`):]
	team = team[:strings.Index(team, "</p>")]
	if strings.Contains(team, "不称职") || strings.Contains(team, "优秀和称职") || strings.Contains(team, "“建议免职”") {
		t.Fatal("the team's section is worded for individuals")
	}
	v := url.Values{"title": {"2025年度考核"}, "groups": {"全体 9"}, "quorum": {"2/3"}, "f0_kind": {"evaluation"}, "f0_title": {"领导班子测评表"},
		"f0_grades": {"team"}, "f0_subjects": {"领导班子"}, "f0_t_adjust": {"3/4"}, "f0_t_dismiss": {"1/3"}, "f0_t_probation": {"2/3"}, "add": {"approval"}}
	status, page = postStaffForm(t, c, e.base+"/polls", v, csrf)
	page = html.UnescapeString(page)
	if status != 200 || !strings.Contains(page, "好和较好票未达到四分之三") || strings.Contains(page, "好和较好票未达到三分之二") {
		t.Fatalf("a changed threshold is not in the rule: %d", status)
	}
}

// A 「2025年度…」 poll counted in 2026 is filed under 2025, or the year the organizer sets;
// a 领导班子 is filed on its unit as its team, not as an unmatched person; below quorum
// the filed entries say so and carry no conclusion.
func TestFilingYearAndTeam(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	mk := func(title string, quorum int) poll {
		var p poll
		e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": title, "unit_id": e.unitID, "quorum": map[string]int{"num": quorum, "den": 10},
			"groups": []map[string]any{{"name": "全体", "expected": 3}},
			"forms": []map[string]any{
				{"kind": "evaluation", "title": "领导班子测评表", "evaluation": map[string]any{"grades": ballot.TeamGrades(), "subjects": []map[string]string{{"name": "局领导班子"}}}},
				{"kind": "evaluation", "title": "领导干部测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "王五", "post": "局长"}}}},
			}}, 201, &p)
		return p
	}
	run := func(p poll, voters int) {
		codes := e.tokens(p, voters)
		e.openPoll(p.ID)
		for _, code := range codes {
			e.vote(code, url.Values{"f1.s1": {"一般"}, "f2.s1": {"称职"}})
		}
		e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
		e.countPoll(p.ID, nil)
	}
	p := mk("2025年度局领导班子和领导干部民主测评", 10)
	info, _ := e.st.Poll(ctx, p.ID)
	if info.Year != 2025 {
		t.Fatalf("year from the title: %d", info.Year)
	}
	if _, page := e.get(c, "/polls/"+p.ID); !strings.Contains(page, `name="year" value="2025"`) {
		t.Fatal("the poll page does not show the year for editing")
	}
	run(p, 3)
	status, page := postStaffForm(t, c, e.base+"/polls/"+p.ID+"/file", url.Values{}, csrf)
	if status != 200 || !strings.Contains(page, "已归档 2 条结果") || !strings.Contains(page, "其中 1 条在干部名册中找不到") {
		t.Fatalf("filing: %d (the team must not count as unmatched)", status)
	}
	entries, _ := e.st.PollEntries(ctx, p.ID)
	got := ""
	for _, en := range entries {
		got += fmt.Sprintf("%s:%d:%v:%q ", en.Name, en.Year, en.Team, en.CadreID)
	}
	if got != `局领导班子:2025:true:"" 王五:2025:false:"" ` {
		t.Fatalf("entries %s", got)
	}
	if _, page := e.get(c, "/records?year=2025"); !strings.Contains(page, "局领导班子 <span class=\"meta\">（本单位班子）</span>") || !strings.Contains(page, "王五") {
		t.Fatal("the 2025 records do not list the poll's entries")
	}
	if _, page := e.get(c, "/records?year=2026"); strings.Contains(page, "局领导班子") {
		t.Fatal("filed under the year of counting")
	}

	// The organizer sets another year (full-width digits as typed); a wrong one is refused
	// in Chinese and changes nothing.
	q := mk("年度考核民主测评", 1)
	if status, body := postStaffForm(t, c, e.base+"/polls/"+q.ID+"/year", url.Values{"year": {"２０２４"}}, csrf); status != 200 || !strings.Contains(body, "考核年度已改为 2024 年") {
		t.Fatalf("set year: %d", status)
	}
	var apiErr struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+q.ID+"/year", map[string]int{"year": 24}, 400, &apiErr)
	if apiErr.Error.Code != "invalid" || !strings.Contains(apiErr.Error.Message, "考核年度“24”不正确") {
		t.Fatalf("bad year: %+v", apiErr)
	}
	run(q, 1) // quorum 1/10 of 3: one voter is enough
	postStaffForm(t, c, e.base+"/polls/"+q.ID+"/file", url.Values{}, csrf)
	entries, _ = e.st.PollEntries(ctx, q.ID)
	if len(entries) != 2 || entries[0].Year != 2024 || entries[1].Year != 2024 {
		t.Fatalf("filed under %+v", entries)
	}

	// Below quorum: filed, marked invalid with the reason, no conclusion.
	r := mk("2025年度班子测评（补）", 10)
	codes := e.tokens(r, 1)
	e.openPoll(r.ID)
	e.vote(codes[0], url.Values{"f1.s1": {"差"}, "f2.s1": {"不称职"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+r.ID+"/close", nil, 200, nil)
	e.countPoll(r.ID, nil)
	postStaffForm(t, c, e.base+"/polls/"+r.ID+"/file", url.Values{}, csrf)
	entries, _ = e.st.PollEntries(ctx, r.ID)
	for _, en := range entries {
		if !strings.HasPrefix(en.Summary, "未达法定人数，结果无效（实到 1 人，应到 3 人，须至少 3 人）") || len(en.Flags) != 1 || en.Flags[0].Code != ballot.RuleNoQuorum {
			t.Fatalf("below quorum filed as %+v", en)
		}
	}
}

// Counting with paper entries waiting for their second entry lists them and asks; the API
// refuses with paper_pending until told to go ahead.
func TestCountWithPaperPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addStaff("teller_a", "teller", e.unitID)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	admin, csrf := e.browser("admin")
	postStaffForm(t, admin, e.base+"/polls/"+p.ID+"/tokens/paper", url.Values{"code": {codes[1]}}, csrf)
	a, csrfA := e.browser("teller_a")
	if status, body := postStaffForm(t, a, e.base+"/polls/"+p.ID+"/paper", url.Values{"group_id": {p.Groups[0].ID}, "f1.s1": {"优秀"}}, csrfA); status != 200 || !strings.Contains(body, "等待另一位工作人员") {
		t.Fatalf("first entry: %d", status)
	}
	e.vote(codes[0], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)

	var refused struct {
		Error        struct{ Code, Message string }
		PaperPending []struct {
			Group     string `json:"group"`
			EnteredBy string `json:"entered_by"`
			Entries   int    `json:"entries"`
		} `json:"paper_pending"`
	}
	e.countWith(e.admin, p.ID, nil, 409, &refused)
	if refused.Error.Code != "paper_pending" || !strings.Contains(refused.Error.Message, "有 1 份纸质选票只录入了一遍") ||
		len(refused.PaperPending) != 1 || refused.PaperPending[0].Group != "职工代表" || refused.PaperPending[0].Entries != 1 || refused.PaperPending[0].EnteredBy == "" {
		t.Fatalf("refusal %+v", refused)
	}
	if info, _ := e.st.Poll(ctx, p.ID); info.State != ballot.Closed {
		t.Fatalf("refused, yet %s", info.State)
	}
	// The count page lists them and asks; posting without the tick is refused the same way.
	if status, page := e.get(admin, "/polls/"+p.ID+"/count"); status != 200 || !strings.Contains(page, "还有 1 份纸质选票只录入了一遍") || !strings.Contains(page, `name="confirm_paper_pending"`) {
		t.Fatalf("count page: %d", status)
	}
	if status, page := postStaffForm(t, admin, e.base+"/polls/"+p.ID+"/count", url.Values{}, csrf); status != 409 || !strings.Contains(page, "有 1 份纸质选票只录入了一遍") || !regexp.MustCompile(`<td>职工代表</td><td>[^<]+</td><td class="num">1</td>`).MatchString(page) {
		t.Fatalf("count without confirming: %d", status)
	}
	var tl ballot.Tally
	e.countWith(e.admin, p.ID, map[string]any{"confirm_paper_pending": true}, 200, &tl)
	if tl.Ballots != 1 {
		t.Fatalf("ballots %d", tl.Ballots)
	}
	log, _ := e.st.PollAudit(ctx, p.ID)
	found := false
	for _, en := range log {
		found = found || en.Action == "poll.count" && en.Detail["paper_pending"] == "1"
	}
	if !found {
		t.Fatalf("the log does not keep the confirmed pending entries: %+v", log)
	}
}

// Below quorum no export prints a positive conclusion: the workbook and the PDF read the
// tally, which carries only the quorum flag with its reason.
func TestExportsBelowQuorumConcludeNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "副局长民主推荐", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 1, "candidates": []map[string]string{{"name": "王一"}, {"name": "赵二"}}}}}},
			{"kind": "approval", "title": "票决表", "approval": map[string]any{"seats": 1, "nominees": []map[string]string{{"name": "周五"}, {"name": "吴六"}}}},
		}}, 201, &p)
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	for _, code := range codes { // 2 of 6, 4 needed; all for 王一 and 周五
		e.vote(code, url.Values{"f1.p1": {"c1"}, "f2.n1": {"同意"}, "f2.n2": {"不同意"}})
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	c, _ := e.browser("admin")
	_, xl := e.get(c, "/polls/"+p.ID+"/tally.xlsx")
	book, err := excelize.OpenReader(strings.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, sh := range book.GetSheetList() {
		rows, _ := book.GetRows(sh)
		for _, r := range rows {
			all += strings.Join(r, "|") + "\n"
		}
	}
	_, pdf := e.get(c, "/polls/"+p.ID+"/tally.pdf")
	file := t.TempDir() + "/report.pdf"
	os.WriteFile(file, []byte(pdf), 0o600)
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for name, doc := range map[string]string{"xlsx": all, "pdf": text} {
		if !strings.Contains(doc, "实到 2 人，应到 6 人，须至少 4 人") && !strings.Contains(doc, "实到2人，应到6人，须至少4人") {
			t.Errorf("%s does not say why the result is void", name)
		}
		for _, positive := range []string{"通过：", "当选：", "进入差额考察："} {
			if strings.Contains(doc, positive) {
				t.Errorf("%s prints %q below quorum", name, positive)
			}
		}
	}
}
