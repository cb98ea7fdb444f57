package server_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// review is a 年度考核 with four groups, as the organizers of one run it.
func (e *env) review() poll {
	e.t.Helper()
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "2026年度考核民主测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "班子成员", "expected": 5}, {"name": "中层干部", "expected": 12}, {"name": "职工代表", "expected": 20}, {"name": "服务对象", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "局长"}}}}},
	}, 201, &p)
	return p
}

// issued is each group's 已发 (issued and not voided), by name.
func (e *env) issued(p poll) map[string]int {
	e.t.Helper()
	var tu struct {
		Groups []struct {
			Name   string
			Issued int
		}
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	out := map[string]int{}
	for _, g := range tu.Groups {
		out[g.Name] = g.Issued
	}
	return out
}

type batch struct {
	ID        string `json:"id"`
	GroupName string `json:"group_name"`
	Count     int    `json:"count"`
	Hint      string `json:"hint"`
}

func (e *env) batches(p poll) []batch {
	e.t.Helper()
	var out struct{ Batches []batch }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/batches", nil, 200, &out)
	return out.Batches
}

// issueForm is the poll page's issuing form as the page rendered it: its hidden key.
func (e *env) issueForm(c *http.Client, p poll) (page, key string) {
	e.t.Helper()
	status, page := e.get(c, "/polls/"+p.ID)
	m := regexp.MustCompile(`name="issue_key" value="([^"]+)"`).FindStringSubmatch(page)
	if status != 200 || m == nil {
		e.t.Fatalf("poll page %d has no issuing form with a key", status)
	}
	return page, m[1]
}

func postForm(t *testing.T, c *http.Client, u string, v url.Values) (*http.Response, []byte) {
	t.Helper()
	res, err := c.PostForm(u, v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// pdfText reads a PDF's text back as a printer would show it; pages are split by \f.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	f, _ := os.CreateTemp(t.TempDir(), "*.pdf")
	f.Write(pdf)
	f.Close()
	out, err := exec.Command("pdftotext", "-layout", f.Name(), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make test): %v", err)
	}
	return string(out)
}

var codeRE = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

// The number follows the chosen group: the page offers each group's 应到 less what is
// issued and not voided, and a blank number (a browser without JavaScript, or an API call
// without count) issues exactly that for the group chosen, never another group's.
func TestIssueCountFollowsGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.review()
	var first struct{ Tokens []struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &first)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]any{"code": first.Tokens[0].Code}, 200, nil)

	c, csrf := e.browser("admin")
	page, key := e.issueForm(c, p)
	for i, want := range []string{`data-due="4" selected>班子成员（已发1/应到5）`, `data-due="12">中层干部`, `data-due="20">职工代表`, `data-due="9">服务对象`} {
		if !strings.Contains(page, `<option value="`+p.Groups[i].ID+`" `+want) {
			t.Fatalf("issuing form lacks %q:\n%s", want, page)
		}
	}
	// No JavaScript: 职工代表 chosen, the number left blank.
	res, body := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "issue_key": {key}, "group_id": {p.Groups[2].ID}, "count": {""}, "format": {"pdf"}})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("blank number: %d %s", res.StatusCode, body)
	}
	if n := len(codeRE.FindAllString(pdfText(t, body), -1)); n != 20 {
		t.Fatalf("blank number for 职工代表 printed %d slips, want 20", n)
	}
	// The API the same: no count is what the group still needs (voided slip replaced).
	var out struct{ Tokens []struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID}, 201, &out)
	if len(out.Tokens) != 4 {
		t.Fatalf("API without count issued %d to 班子成员, want 4", len(out.Tokens))
	}
	got := e.issued(p)
	if fmt.Sprint(got) != "map[中层干部:0 服务对象:0 班子成员:5 职工代表:20]" {
		t.Fatalf("issued %v", got)
	}
	// A group already served: a blank number is refused in words, nothing issued.
	_, key = e.issueForm(c, p)
	res, body = postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "issue_key": {key}, "group_id": {p.Groups[2].ID}, "format": {"pdf"}})
	if res.StatusCode != 400 || !strings.Contains(string(body), "“职工代表”的凭证已按应到人数（20 人）发齐") {
		t.Fatalf("group served: %d %s", res.StatusCode, body)
	}
	res, body = postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "issue_key": {key}, "group_id": {p.Groups[1].ID}, "count": {"三"}, "format": {"pdf"}})
	if res.StatusCode != 400 || !strings.Contains(string(body), "凭证数量“三”不是正整数") {
		t.Fatalf("bad number: %d %s", res.StatusCode, body)
	}
	if got := e.issued(p); got["职工代表"] != 20 || got["中层干部"] != 0 {
		t.Fatalf("refused posts issued: %v", got)
	}
	// The API's one call for every group: the two groups not yet served, each its due.
	var all struct {
		Batches []struct {
			GroupID string `json:"group_id"`
			Hint    string
			Tokens  []struct{ Code string }
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"all": true}, 201, &all)
	if len(all.Batches) != 2 || all.Batches[0].GroupID != p.Groups[1].ID || len(all.Batches[0].Tokens) != 12 || all.Batches[1].GroupID != p.Groups[3].ID || len(all.Batches[1].Tokens) != 9 {
		t.Fatalf("API all groups: %+v", all.Batches)
	}
}

// A double click, or the same form posted twice: one batch. The second post issues
// nothing, says the first download holds the slips and offers to void that batch. Two
// posts racing each other are decided by the database, not by timing.
func TestIssueTwiceOneBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.review()
	c, csrf := e.browser("admin")
	_, key := e.issueForm(c, p)
	form := url.Values{"_csrf": {csrf}, "issue_key": {key}, "group_id": {p.Groups[1].ID}, "count": {"12"}, "format": {"pdf"}}
	res, _ := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", form)
	if res.StatusCode != 200 {
		t.Fatalf("first post: %d", res.StatusCode)
	}
	res, body := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", form)
	bs := e.batches(p)
	if len(bs) != 1 {
		t.Fatalf("two posts of one form made %d batches", len(bs))
	}
	page := string(body)
	for _, want := range []string{"这批凭证已生成，请勿重复提交", "第一次提交下载的文件中就是这批凭证", "中层干部", bs[0].Hint, `action="/polls/` + p.ID + `/batches/` + bs[0].ID + `/void"`} {
		if res.StatusCode != 409 || !strings.Contains(page, want) {
			t.Fatalf("second post: %d, lacks %q:\n%s", res.StatusCode, want, page)
		}
	}

	// A number left blank: the second post hears the same, not that the group is served.
	_, key = e.issueForm(c, p)
	blank := url.Values{"_csrf": {csrf}, "issue_key": {key}, "group_id": {p.Groups[2].ID}, "count": {""}, "format": {"pdf"}}
	if res, _ := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", blank); res.StatusCode != 200 {
		t.Fatalf("blank number, first post: %d", res.StatusCode)
	}
	if res, body := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", blank); res.StatusCode != 409 || !strings.Contains(string(body), "第一次提交下载的文件中就是这批凭证") {
		t.Fatalf("blank number, second post: %d\n%s", res.StatusCode, body)
	}
	if got := e.issued(p)["职工代表"]; got != 20 {
		t.Fatalf("blank number posted twice: 职工代表 issued %d, want 20", got)
	}

	// The first download lost: the batch is voided from that page, named in the answer.
	res, body = postForm(t, c, e.base+"/polls/"+p.ID+"/batches/"+bs[0].ID+"/void", url.Values{"_csrf": {csrf}})
	if want := "已作废凭证批次（中层干部，12 张，" + bs[0].Hint + "）中 12 张凭证。"; res.StatusCode != 200 || !strings.Contains(string(body), want) {
		t.Fatalf("void from the repeated page: %d, lacks %q", res.StatusCode, want)
	}

	// Racing: the same form sent four times at once.
	_, key = e.issueForm(c, p)
	form.Set("issue_key", key)
	form.Set("group_id", p.Groups[3].ID)
	form.Set("count", "9")
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			res, err := c.PostForm(e.base+"/polls/"+p.ID+"/tokens", form)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		} else if s != 409 {
			t.Fatalf("racing posts answered %v", statuses)
		}
	}
	if got := e.issued(p)["服务对象"]; ok != 1 || got != 9 || len(e.batches(p)) != 3 {
		t.Fatalf("racing posts: statuses %v, 服务对象 issued %d, %d batches", statuses, got, len(e.batches(p)))
	}

	// The API: an Idempotency-Key repeated is refused with its code, nothing issued.
	for i, want := range []int{201, 409} {
		req, _ := http.NewRequest("POST", e.base+"/api/v1/polls/"+p.ID+"/tokens", strings.NewReader(`{"group_id":"`+p.Groups[0].ID+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.admin)
		req.Header.Set("Idempotency-Key", "meeting-2026-0001")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want || (i == 1 && !strings.Contains(string(b), `"code":"repeated"`)) {
			t.Fatalf("API call %d with one key: %d %s", i+1, res.StatusCode, b)
		}
	}
	if got := e.issued(p)["班子成员"]; got != 5 {
		t.Fatalf("API key repeated: 班子成员 issued %d, want 5", got)
	}
}

// One click issues every group's remaining slips in one PDF: each group from a new page,
// its name and its batch on each slip, every code a live token.
func TestIssueAllGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.review()
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, nil)
	c, csrf := e.browser("admin")
	_, key := e.issueForm(c, p)
	// The group and number of the form are not what the one-click button issues.
	res, pdf := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "issue_key": {key}, "all": {"1"}, "group_id": {p.Groups[0].ID}, "count": {"1"}, "format": {"zip"}})
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("one click: %d %s", res.StatusCode, pdf)
	}
	if got := e.issued(p); fmt.Sprint(got) != "map[中层干部:12 服务对象:9 班子成员:5 职工代表:20]" {
		t.Fatalf("after one click, issued %v", got)
	}
	hints := map[string]string{}
	for _, b := range e.batches(p) {
		hints[b.GroupName] = b.Hint
	}
	if dir := os.Getenv("MINYI_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/slips-all.pdf", pdf, 0o644)
	}
	text := pdfText(t, pdf)
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	// 3, 12, 20 and 9 slips at 8 a page: 1 + 2 + 3 + 2 pages, each of one group.
	wantPages := []string{"班子成员", "中层干部", "中层干部", "职工代表", "职工代表", "职工代表", "服务对象", "服务对象"}
	wantSlips := []int{3, 8, 4, 8, 8, 4, 8, 1}
	if len(pages) != len(wantPages) {
		t.Fatalf("%d pages, want %d:\n%s", len(pages), len(wantPages), text)
	}
	codes := map[string]bool{}
	for i, pg := range pages {
		g := wantPages[i]
		n := len(codeRE.FindAllString(pg, -1))
		if n != wantSlips[i] || strings.Count(pg, "参评类别："+g) != n || strings.Count(pg, "参评类别：") != n || strings.Count(pg, "批次 "+hints[g]) != n {
			t.Fatalf("page %d: %d codes, want %d of %s (batch %s):\n%s", i+1, n, wantSlips[i], g, hints[g], pg)
		}
		for _, code := range codeRE.FindAllString(pg, -1) {
			codes[code] = true
		}
		// The hint is the first code's first four and the last code's last four.
		if c := codeRE.FindAllString(pg, -1); (i == 0 || wantPages[i-1] != g) && !strings.HasPrefix(hints[g], c[0][:4]) {
			t.Fatalf("page %d: first code %s, batch hint %s", i+1, c[0], hints[g])
		}
	}
	if len(codes) != 44 {
		t.Fatalf("%d distinct codes, want 44", len(codes))
	}
	e.openPoll(p.ID)
	for code := range codes {
		if status, _ := e.get(nil, "/v/"+code); status != 200 {
			t.Fatalf("printed code %s does not open the ballot: %d", code, status)
		}
		break
	}
	// Nothing left to issue: said so, nothing issued.
	_, key = e.issueForm(c, p)
	res, body := postForm(t, c, e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "issue_key": {key}, "all": {"1"}})
	if res.StatusCode != 400 || !strings.Contains(string(body), "各参评类别的凭证都已按应到人数发齐") {
		t.Fatalf("nothing left: %d %s", res.StatusCode, body)
	}
}

// The 操作记录 reads as sentences with group names, counts and batch hints; no ids and
// no key=value.
func TestAuditReadsAsSentences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.review()
	var out struct {
		BatchID string `json:"batch_id"`
		Hint    string
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[2].ID, "count": 20}, 201, &out)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/batches/"+out.BatchID+"/void", nil, 200, nil)
	e.openPoll(p.ID)
	c, _ := e.browser("admin")
	_, page := e.get(c, "/polls/"+p.ID)
	i := strings.Index(page, `<table class="list" id="audit">`)
	if i < 0 {
		t.Fatalf("no 操作记录 on the poll page:\n%s", page)
	}
	log := page[i:]
	log = log[:strings.Index(log, "</table>")]
	for _, want := range []string{
		"新建投票活动“2026年度考核民主测评”",
		"为“职工代表”发放凭证 20 张（批次 " + out.Hint + "）",
		"作废凭证批次（职工代表，20 张，" + out.Hint + "），其中未使用的 20 张已作废",
		"开始投票（密钥由组织者本人的设备保管）",
	} {
		if !strings.Contains(log, want) {
			t.Fatalf("操作记录 lacks %q:\n%s", want, log)
		}
	}
	for _, cell := range regexp.MustCompile(`<td>([^<]*)</td>`).FindAllStringSubmatch(log, -1) {
		if regexp.MustCompile(`[a-z_]+=|[0-9a-f]{8}-[0-9a-f]{4}-|\b[AP]M\b`).MatchString(cell[1]) {
			t.Fatalf("操作记录 holds ids, key=value or a 12-hour time: %q", cell[1])
		}
	}
	if !regexp.MustCompile(`<td>20\d\d-\d\d-\d\d [0-2]\d:[0-5]\d:[0-5]\d</td>`).MatchString(log) {
		t.Fatalf("操作记录 times not 24-hour:\n%s", log)
	}
}

// The voter's done page names the receipt page as a link, not as a path to type.
func TestDonePageLinksReceipt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	code := e.tokens(p, 1)[0]
	e.openPoll(p.ID)
	status, body := e.vote(code, form("优秀"))
	if status != 200 || !strings.Contains(body, `<a href="/receipt">回执查验页面</a>`) || strings.Contains(body, "/receipt 页面") {
		t.Fatalf("done page: %d\n%s", status, body)
	}
}

// The batch hint names a batch without holding a code: a dump of the whole database,
// audit log included, holds no six symbols in a row of any issued code, and the hint is
// the first code's first four and the last code's last four.
func TestBatchHintHoldsNoCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.review()
	var out struct {
		BatchID string `json:"batch_id"`
		Hint    string
		Tokens  []struct{ Code string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[2].ID, "count": 40}, 201, &out)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/batches/"+out.BatchID+"/void", nil, 200, nil)
	first, last := strings.ReplaceAll(out.Tokens[0].Code, "-", ""), strings.ReplaceAll(out.Tokens[39].Code, "-", "")
	if want := first[:4] + "…" + last[12:]; out.Hint != want || e.batches(p)[0].Hint != want {
		t.Fatalf("hint %q (listed %q), want %q", out.Hint, e.batches(p)[0].Hint, want)
	}
	dump, _ := pgDump(t, e.url)
	if !strings.Contains(dump, out.Hint) {
		t.Fatal("the dump does not hold the hint: the test would not see a code kept beside it")
	}
	for _, tok := range out.Tokens {
		for _, form := range []string{strings.ReplaceAll(tok.Code, "-", ""), tok.Code} {
			for i := 0; i+6 <= len(form); i++ {
				if strings.Contains(dump, form[i:i+6]) {
					t.Fatalf("the database holds %q of the code %s", form[i:i+6], tok.Code)
				}
			}
		}
	}
}
