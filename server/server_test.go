package server_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/report"
)

func form(marks ...string) url.Values {
	v := url.Values{}
	for i, m := range marks {
		if m != "" {
			v.Set(fmt.Sprintf("f1.s%d", i+1), m)
		}
	}
	return v
}

type tally struct {
	Tally ballot.Tally `json:"tally"`
}

// The whole life of a 民主测评 poll through the voter's form posts and the organizer's
// API: a blank line needs confirmation, a second submission finds the token used, and
// the tally after close shows what was cast.
func TestEvaluationLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 4)

	if status, body := e.vote(codes[0], form("优秀", "称职")); status != http.StatusConflict || !strings.Contains(body, "投票尚未开始") {
		t.Fatalf("vote before open: %d %s", status, body)
	}
	e.openPoll(p.ID)

	status, body := e.get(nil, "/v/"+strings.ToLower(codes[0]))
	if status != 200 || !strings.Contains(body, "张三") || !strings.Contains(body, `name="f1.s2"`) || !strings.Contains(body, "职工代表") {
		t.Fatalf("ballot page: %d %s", status, body)
	}
	if status, body := e.vote(codes[0], form("优秀", "称职")); status != 200 || !strings.Contains(body, "投票成功") {
		t.Fatalf("vote: %d %s", status, body)
	}
	if status, body := e.vote(codes[0], form("不称职", "不称职")); status != http.StatusConflict || !strings.Contains(body, "该凭证已投票") {
		t.Fatalf("second vote with the same token: %d %s", status, body)
	}
	if status, body := e.get(nil, "/v/"+codes[0]); status != http.StatusConflict || !strings.Contains(body, "该凭证已投票") {
		t.Fatalf("reload after voting: %d %s", status, body)
	}
	// A blank line is not taken silently: the page comes back with the marks kept.
	status, body = e.vote(codes[1], form("不称职"))
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "李四（未选择等次）") || !regexp.MustCompile(`value="不称职" checked`).MatchString(body) {
		t.Fatalf("blank line without confirmation: %d %s", status, body)
	}
	confirmed := form("不称职")
	confirmed.Set("accept_invalid", "1")
	if status, body := e.vote(codes[1], confirmed); status != 200 || !strings.Contains(body, "投票成功") {
		t.Fatalf("confirmed blank line: %d %s", status, body)
	}
	if status, body := e.vote(codes[2], form("优秀", "很好")); status != http.StatusBadRequest || !strings.Contains(body, "不存在的等次") {
		t.Fatalf("forged grade: %d %s", status, body)
	}
	e.vote(codes[2], form("基本称职", "优秀"))

	// Nothing but turnout before close.
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 403, nil)
	var tu struct {
		Total struct{ Used, Issued int }
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if tu.Total.Used != 3 || tu.Total.Issued != 4 {
		t.Fatalf("turnout %+v", tu)
	}

	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if status, body := e.vote(codes[3], form("优秀", "优秀")); status != http.StatusConflict || !strings.Contains(body, "投票已结束") {
		t.Fatalf("vote after close: %d %s", status, body)
	}
	e.countPoll(p.ID, nil)
	var res tally
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 200, &res)
	tl := res.Tally
	if tl.Used != 3 || tl.Ballots != 3 || tl.Expected != 30 || tl.QuorumMet {
		t.Fatalf("tally turnout %+v", tl)
	}
	z := tl.Forms[0].Evaluation.Subjects[0].Total
	l := tl.Forms[0].Evaluation.Subjects[1].Total
	if fmt.Sprint(z.Votes) != "[1 0 1 1]" || z.Valid != 3 || z.Invalid != 0 {
		t.Fatalf("张三 %+v", z)
	}
	if fmt.Sprint(l.Votes) != "[1 1 0 0]" || l.Valid != 2 || l.Invalid != 1 {
		t.Fatalf("李四 %+v", l)
	}
	// 3 of 30 came (20 needed): 张三's good 1/3 would be 建议调整, but below quorum the
	// tally draws no conclusion and says why.
	flags := tl.Forms[0].Evaluation.Subjects[0].Flags
	if len(flags) != 1 || flags[0].Code != ballot.RuleNoQuorum || !strings.Contains(flags[0].Rule, "实到 3 人，应到 30 人，须至少 20 人") {
		t.Fatalf("张三 flags %+v", flags)
	}
	// The organizer's tally page shows the figures with their fractions.
	c, _ := e.browser("admin")
	status, page := e.get(c, "/polls/"+p.ID+"/tally")
	if strings.Contains(page, "✗ 建议调整") || !strings.Contains(page, "✗ 未达法定人数") {
		t.Fatal("a conclusion on a tally below quorum, or no reason beside the line")
	}
	for _, want := range []string{"计票结果报告", "张三", "1/3", "33.33%", "未达法定人数，结果无效：实到 3 人，应到 30 人，须至少 20 人"} {
		if status != 200 || !strings.Contains(page, want) {
			t.Fatalf("tally page lacks %q: %d", want, status)
		}
	}
}

// Each token submitted twice at the same moment: exactly one ballot per token, one copy
// told it counted and the other that the token is used. The two copies of a token are
// held at a barrier with all but their last byte sent, then released together, in waves;
// one copy goes to a second instance on the same database for most tokens (two batches
// writing at once: only the database's lock on the token keeps one out), both to the same
// instance for the rest (one batch holding the token twice).
func TestConcurrentSubmitsCountOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, second, _ := startInstance(t, e.url, e.logs)
	p := e.evaluation("张三")
	// Under the race detector, two waves: it needs the fifty submits at once of a wave,
	// not the number of waves, and each submit's sealing is twelve times slower.
	tokens, wave := 200, 25
	if raceDetector {
		tokens = 50
	}
	codes := e.tokens(p, tokens)
	e.openPoll(p.ID)
	body := form("称职").Encode()
	statuses := make([][2]int, tokens)
	for from := 0; from < tokens; from += wave {
		type held struct {
			conn net.Conn
			last byte
			tok  int
			copy int
		}
		var all []held
		for i := from; i < from+wave; i++ {
			for copy := range 2 {
				base := e.base
				if copy == 1 && i%5 != 0 {
					base = second
				}
				req := fmt.Sprintf("POST /v/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", codes[i], len(body), body)
				conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.WriteString(conn, req[:len(req)-1]); err != nil {
					t.Fatal(err)
				}
				all = append(all, held{conn, req[len(req)-1], i, copy})
			}
		}
		time.Sleep(20 * time.Millisecond) // every request but its last byte has arrived
		release := make(chan struct{})
		var ready, wg sync.WaitGroup
		for _, h := range all {
			ready.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer h.conn.Close()
				ready.Done()
				<-release
				h.conn.Write([]byte{h.last})
				h.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
				var status int
				fmt.Fscanf(h.conn, "HTTP/1.1 %d", &status)
				io.Copy(io.Discard, h.conn)
				statuses[h.tok][h.copy] = status
			}()
		}
		ready.Wait()
		close(release) // the barrier: every copy's last byte goes now
		wg.Wait()
	}
	for i, s := range statuses {
		if !(s == [2]int{200, 409} || s == [2]int{409, 200}) {
			t.Errorf("token %d: the two copies got %v, want one 200 and one 409", i, s)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	if tl.Ballots != tokens || tl.Used != tokens || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[1] != tokens {
		t.Fatalf("%d tokens, each submitted twice at once: %d ballots, %d used, %d votes 称职", tokens, tl.Ballots, tl.Used, tl.Forms[0].Evaluation.Subjects[0].Total.Votes[1])
	}
}

func TestVoterNoticePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": strings.ToLower(codes[1])}, 200, nil)
	for _, c := range []struct {
		path   string
		status int
		want   string
	}{
		{"/v/ZZZZ-ZZZZ-ZZZZ-ZZZZ", 404, "投票凭证不存在"},
		{"/v/not-a-token", 404, "凭证码"},
		{"/v/" + codes[1], 410, "该凭证已作废"},
		{"/v", 200, "输入投票凭证码"},
	} {
		status, body := e.get(nil, c.path)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("GET %s: %d, want %d with %q", c.path, status, c.status, c.want)
		}
		if strings.Contains(body, "Set-Cookie") {
			t.Errorf("voter page set a cookie")
		}
	}
	// Typed-in code with look-alikes goes to the ballot.
	res, err := http.PostForm(e.base+"/v", url.Values{"code": {strings.ToLower(codes[0])}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "张三") || len(res.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("typed code: %d", res.StatusCode)
	}
	if res.Request.URL.Path != "/v/"+strings.ReplaceAll(codes[0], "-", "") {
		t.Fatalf("typed code landed on %s", res.Request.URL.Path)
	}
}

func TestUnitsAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other, err := e.st.CreateUnit(ctx, "乙单位")
	if err != nil {
		t.Fatal(err)
	}
	e.addStaff("org_a", "organizer", e.unitID)
	e.addStaff("org_b", "organizer", other.ID)
	e.addStaff("eval_a", "evaluator", e.unitID)
	e.addStaff("teller_a", "teller", e.unitID)
	p := e.evaluation("张三")
	orgB, evalA, tellerA, orgA := e.login("org_b"), e.login("eval_a"), e.login("teller_a"), e.login("org_a")

	e.api(orgB, "GET", "/api/v1/polls/"+p.ID, nil, 404, nil)
	var list struct{ Polls []poll }
	e.api(orgB, "GET", "/api/v1/polls", nil, 200, &list)
	if len(list.Polls) != 0 {
		t.Fatalf("another unit's organizer sees %d polls", len(list.Polls))
	}
	e.api(evalA, "GET", "/api/v1/polls/"+p.ID, nil, 200, nil)
	e.api(evalA, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 403, nil)
	e.api(tellerA, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 1}, 403, nil)
	e.openPollAs(orgA, p.ID)
	e.api(orgA, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countWith(evalA, p.ID, nil, 403, nil)
	e.countWith(tellerA, p.ID, nil, 200, nil)
	e.api(evalA, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 200, nil)
	// An organizer creates polls only in their own unit, whatever the body says.
	var mine poll
	e.api(orgB, "POST", "/api/v1/polls", map[string]any{"title": "乙的测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵六"}}}}}}, 201, &mine)
	e.api(orgA, "GET", "/api/v1/polls/"+mine.ID, nil, 404, nil)
	e.api("", "GET", "/api/v1/polls", nil, 401, nil)
	e.api("not-a-token", "GET", "/api/v1/polls", nil, 401, nil)
}

func TestOrganizerFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.makeKey(p.ID)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/open", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("open without CSRF token: %d", res.StatusCode)
	}
	res, err = c.PostForm(e.base+"/polls/"+p.ID+"/open", url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "投票已开始") {
		t.Fatalf("open with CSRF token: %d %s", res.StatusCode, b)
	}
}

// The organizer creates a poll with the form, pasting lists; a mistake comes back with
// the input kept and the line named.
func TestCreatePollFromForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	bad := url.Values{"_csrf": {csrf}, "title": {"年度测评"}, "unit_id": {e.unitID}, "groups": {"班子成员 5\n职工代表 四十"}, "quorum": {"2/3"},
		"f0_kind": {"evaluation"}, "f0_title": {"测评表"}, "f0_grades": {"individual"}, "f0_subjects": {"张三\t局长\n李四\t副局长"}}
	res, err := c.PostForm(e.base+"/polls", bad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "第2行：应到人数“四十”不是整数") || !strings.Contains(string(b), "李四\t副局长") {
		t.Fatalf("bad groups: %d %s", res.StatusCode, b)
	}
	bad.Set("groups", "班子成员 4\n职工代表 40")
	bad.Set("min_group", "2")
	res, err = c.PostForm(e.base+"/polls", bad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "分类统计的最少人数不能少于3人") || !strings.Contains(string(b), `name="min_group" value="2"`) {
		t.Fatalf("a minimum group of 2: %d %s", res.StatusCode, b)
	}
	bad.Del("min_group")
	res, err = c.PostForm(e.base+"/polls", bad)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	// The warning is on the page and in the question before 开始投票.
	if res.StatusCode != 200 || !strings.Contains(string(b), `<p class="warn">参评类别“班子成员”应到人数少于5人，其结果将与其他人数不足的类别合并统计`) ||
		!strings.Contains(string(b), "注意：参评类别“班子成员”应到人数少于5人，其结果将与其他人数不足的类别合并统计，不单列。确定开始投票？") || !strings.Contains(string(b), "法定人数：实到不少于 30 人") {
		t.Fatalf("created poll page: %d %s", res.StatusCode, b)
	}
}

// Slips: a PDF whose text carries the title, the group and each code; a ZIP with one QR
// image per token and the list.
func TestSlips(t *testing.T) {
	t.Parallel()
	for _, f := range []string{report.CJKFontPaths[0], report.LatinFontPaths[0], report.MonoFontPaths[0]} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("font %s is missing: run `make test`, which installs fonts-droid-fallback and fonts-dejavu-core", f)
		}
	}
	e := newEnv(t)
	p := e.evaluation("张三")
	c, csrf := e.browser("admin")
	post := func(format string, n int) (*http.Response, []byte) {
		res, err := c.PostForm(e.base+"/polls/"+p.ID+"/tokens", url.Values{"_csrf": {csrf}, "group_id": {p.Groups[0].ID}, "count": {fmt.Sprint(n)}, "format": {format}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	res, pdf := post("pdf", 9)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("pdf: %d %s", res.StatusCode, res.Header)
	}
	f, _ := os.CreateTemp(t.TempDir(), "*.pdf")
	f.Write(pdf)
	f.Close()
	out, err := exec.Command("pdftotext", "-layout", f.Name(), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make test): %v", err)
	}
	text := string(out)
	codes := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindAllString(text, -1)
	if !strings.Contains(text, "年度民主测评") || !strings.Contains(text, "职工代表") || len(codes) != 9 || strings.Count(text, "\f") != 2 {
		t.Fatalf("slip text (%d codes, %d pages):\n%s", len(codes), strings.Count(text, "\f"), text)
	}
	// Each printed code is a live token of this poll.
	e.openPoll(p.ID)
	if status, body := e.get(nil, "/v/"+codes[8]); status != 200 || !strings.Contains(body, "张三") {
		t.Fatalf("printed code does not open the ballot: %d", status)
	}
	res, zb := post("zip", 3)
	if res.StatusCode != 200 {
		t.Fatalf("zip: %d", res.StatusCode)
	}
	zr, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	pngs := 0
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".png") {
			pngs++
		}
	}
	if pngs != 3 || zr.File[len(zr.File)-1].Name != "凭证清单.csv" {
		t.Fatalf("zip holds %d PNGs and %s", pngs, zr.File[len(zr.File)-1].Name)
	}
	res, zb = post("both", 2)
	zr, err = zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil || res.StatusCode != 200 || len(zr.File) != 4 || !strings.HasSuffix(zr.File[0].Name, ".pdf") {
		t.Fatalf("both: %d, %v", res.StatusCode, err)
	}
	var tu struct{ Total struct{ Issued int } }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if tu.Total.Issued != 14 {
		t.Fatalf("issued %d, want 14", tu.Total.Issued)
	}
}

func TestAPIErrorsAreCodedAndChinese(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code         string
	}{
		{"POST", "/api/v1/polls", map[string]any{"title": ""}, 400, "invalid"},
		{"POST", "/api/v1/polls", map[string]any{"titel": "x"}, 400, "invalid"},
		{"GET", "/api/v1/polls/not-a-uuid", nil, 404, "not_found"},
		{"GET", "/api/v1/nothing", nil, 404, "not_found"},
		{"POST", "/api/v1/ballot/ABCD-EFGH-JKMN-PQRS", map[string]any{}, 404, "token_unknown"},
		// routing ignores case, and so does the choice of a JSON answer
		{"GET", "/API/V1/polls/not-a-uuid", nil, 404, "not_found"},
		{"POST", "/Api/v1/ballot/ABCD-EFGH-JKMN-PQRS", map[string]any{}, 404, "token_unknown"},
	} {
		var out struct {
			Error struct{ Code, Message string }
		}
		e.api(e.admin, c.method, c.path, c.body, c.status, &out)
		if out.Error.Code != c.code || !regexp.MustCompile(`\p{Han}`).MatchString(out.Error.Message) {
			t.Errorf("%s %s: %+v, want code %s with a Chinese message", c.method, c.path, out.Error, c.code)
		}
	}
}

// No token reaches a log line, in any of the forms it travels in, nor in any spelling of
// a path that routing folds onto a token's route: the log names route patterns only.
func TestLogsCarryNoToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 4)
	e.openPoll(p.ID)
	e.get(nil, "/v/"+codes[0])
	e.vote(codes[0], form("优秀"))
	e.vote(codes[0], form("优秀"))
	e.api("", "GET", "/api/v1/ballot/"+codes[1], nil, 200, nil)
	http.PostForm(e.base+"/v", url.Values{"code": {codes[2]}})
	e.get(nil, "/v/"+strings.ToLower(codes[2]))
	// Sent as raw request lines, so no client cleans them on the way.
	unknown := "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
	for _, path := range []string{"/V/" + codes[3], "/API/v1/ballot/" + codes[3], "/api/V1/ballot/" + codes[3], "/Api/V1/Ballot/" + codes[3],
		"//v/" + codes[3], "//api/v1/ballot/" + codes[3], "/v%2F" + codes[3], "/v/" + codes[3] + "/", "/v/" + codes[3] + "/more",
		"/nowhere/" + codes[3], "/v/" + unknown, "/V/" + unknown, "/static/" + codes[3]} {
		rawGet(t, e.base, path)
	}
	logs := e.logs.String()
	var routes []string
	for _, line := range strings.Split(logs, "\n") {
		if m := regexp.MustCompile(`msg=http method=\S+ route=(\S+) `).FindStringSubmatch(line); m != nil {
			routes = append(routes, m[1])
		} else if strings.Contains(line, "msg=http ") {
			t.Fatalf("an access log line without a route: %s", line)
		}
	}
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r] = true
		if r != "unmatched" && !regexp.MustCompile(`^(/[a-z0-9*:._-]*)+$`).MatchString(r) {
			t.Fatalf("the access log names %q, not a route pattern:\n%s", r, logs)
		}
	}
	for _, want := range []string{"/v/:token", "/api/v1/ballot/:token", "/v", "unmatched"} {
		if !seen[want] {
			t.Fatalf("no access log line for %s:\n%s", want, logs)
		}
	}
	for _, c := range append(codes, unknown) {
		for _, form := range []string{c, strings.ReplaceAll(c, "-", ""), strings.ToLower(c), strings.ToLower(strings.ReplaceAll(c, "-", ""))} {
			if strings.Contains(logs, form) {
				t.Fatalf("token %s appears in the log:\n%s", form, logs)
			}
		}
	}
}

// rawGet sends one GET with the path exactly as given and returns the status line.
func rawGet(t *testing.T, base, path string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, strings.TrimPrefix(base, "http://"))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	return line
}

// A form posted from another site is refused, for voters and organizers alike.
func TestCrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	req, _ := http.NewRequest("POST", e.base+"/v/"+codes[0], strings.NewReader(form("不称职").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("cross-site vote: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("POST", e.base+"/v/"+codes[0], strings.NewReader(form("称职").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.base)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("same-site vote: %d", res.StatusCode)
	}
}

// Every organizer action lands in the poll's audit log, and no token does.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": codes[1]}, 200, nil)
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	log, err := e.st.PollAudit(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action)
		for _, v := range a.Detail {
			for _, c := range codes {
				if strings.Contains(v, strings.ReplaceAll(c, "-", "")) || strings.Contains(v, c) {
					t.Fatal("a token reached the audit log")
				}
			}
		}
	}
	if got := strings.Join(actions, " "); got != "poll.create tokens.issue token.void ceremony.start poll.open poll.close count.start poll.count" {
		t.Fatalf("audit trail %q", got)
	}
	all, _ := e.st.AllAudit(ctx)
	if err := ballot.VerifyAudit(all); err != nil {
		t.Fatal(err)
	}
	c, _ := e.browser("admin")
	if _, page := e.get(c, "/polls/"+p.ID); !strings.Contains(page, "操作记录") || !strings.Contains(page, "作废单张凭证") || !strings.Contains(page, "admin（admin）") {
		t.Fatal("the poll page does not show its audit trail")
	}
}

// A flash message shows once, on the page after the action, and not again.
func TestFlashShowsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.makeKey(p.ID)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/open", url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "投票已开始") {
		t.Fatal("no flash after the action")
	}
	if _, again := e.get(c, "/polls/"+p.ID); strings.Contains(again, "投票已开始。参会人员") {
		t.Fatal("the flash message shows a second time")
	}
}
