package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"minyi/ballot"
)

// survey makes a 满意度 survey of n groups, each expecting the given number of voters,
// with the key the server holds, so that it opens without tellers.
func (e *env) survey(n int, expected func(i int) int) poll {
	e.t.Helper()
	var groups []map[string]any
	for i := range n {
		groups = append(groups, map[string]any{"name": fmt.Sprintf("第%03d服务窗口", i+1), "expected": expected(i)})
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "全省政务服务满意度测评", "unit_id": e.unitID, "key_holder": "server", "groups": groups,
		"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
			{"kind": "single", "title": "总体评价", "options": []string{"满意", "基本满意", "不满意"}}}}}},
	}, 201, &p)
	return p
}

// issueCodes calls the bulk issue and returns the response, its body not read.
func (e *env) issueCodes(client *http.Client, p poll, body any) *http.Response {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.base+"/api/v1/polls/"+p.ID+"/codes", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.admin)
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// codeLine is one line of a bulk issue's CSV.
type codeLine struct{ group, code, url string }

func readCodeList(t *testing.T, b []byte) []codeLine {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\ufeff参评类别,凭证码,投票地址\r\n")) {
		t.Fatalf("the list does not start with its byte order mark and header: %q", b[:min(len(b), 60)])
	}
	rows, err := csv.NewReader(bytes.NewReader(b[len("\ufeff"):])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []codeLine
	for _, r := range rows[1:] {
		out = append(out, codeLine{r[0], r[1], r[2]})
	}
	return out
}

// A survey's codes for 40 groups, issued at once by 应到 as a streamed CSV: every code is
// on one line with its group and address, logs in to its own group's ballot, and votes
// once; a second vote with it is refused.
func TestCodesCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.survey(40, func(i int) int { return 50 + i*3 }) // 50 … 167: 4,340 in all
	want := map[string]int{}
	total := 0
	for i := range 40 {
		want[fmt.Sprintf("第%03d服务窗口", i+1)] = 50 + i*3
		total += 50 + i*3
	}
	start := time.Now()
	res := e.issueCodes(nil, p, map[string]any{"idempotency_key": "全省第一批"})
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	t.Logf("%d bytes in %v", len(body), time.Since(start))
	if err != nil {
		t.Fatalf("the download broke: %v", err)
	}
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" || res.Header.Get("X-Codes-Count") != fmt.Sprint(total) {
		t.Fatalf("status %d, %q, count %q: %.300s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("X-Codes-Count"), body)
	}
	lines := readCodeList(t, body)
	if len(lines) != total {
		t.Fatalf("%d lines, want %d", len(lines), total)
	}
	got := map[string]int{}
	seen := map[string]bool{}
	for _, l := range lines {
		got[l.group]++
		tok, err := ballot.ParseToken(l.code)
		if err != nil || tok.Grouped() != l.code {
			t.Fatalf("code %q is not a printed token: %v", l.code, err)
		}
		if seen[l.code] {
			t.Fatalf("code %s is on two lines", l.code)
		}
		seen[l.code] = true
		if l.url != e.base+"/v/"+string(tok) {
			t.Fatalf("line %v: the address is not the code's voting address", l)
		}
	}
	for g, n := range want {
		if got[g] != n {
			t.Errorf("%s: %d codes, want its 应到 %d", g, got[g], n)
		}
	}
	if issued := e.issued(p); issued["第001服务窗口"] != 50 || issued["第040服务窗口"] != 167 {
		t.Errorf("turnout's 已发: %v", issued)
	}
	if bs := e.batches(p); len(bs) != 40 || bs[0].Count != 50 || !regexp.MustCompile(`^\w{4}…\w{4}$`).MatchString(bs[0].Hint) {
		t.Errorf("batches: %d, first %+v", len(bs), bs[0])
	}

	e.openPoll(p.ID)
	for _, l := range lines {
		var b struct{ Group string }
		e.api("", "GET", "/api/v1/ballot/"+strings.ReplaceAll(l.code, "-", ""), nil, 200, &b)
		if b.Group != l.group {
			t.Fatalf("code %s of %s opens the ballot of %s", l.code, l.group, b.Group)
		}
	}
	t.Logf("%d codes logged in: %v since the issue", len(lines), time.Since(start))
	cast := map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"q1": {"满意"}}}}}}
	for _, l := range []codeLine{lines[0], lines[len(lines)/2], lines[len(lines)-1]} {
		e.api("", "POST", "/api/v1/ballot/"+l.code, cast, 200, nil)
		var out struct{ Error struct{ Code string } }
		e.api("", "POST", "/api/v1/ballot/"+l.code, cast, 409, &out)
		if out.Error.Code != ballot.ETOKENUSED {
			t.Errorf("second vote with %s: %+v", l.code, out)
		}
	}

	// The same key again issues nothing and names what the first call issued.
	res = e.issueCodes(nil, p, map[string]any{"idempotency_key": "全省第一批", "per_group": 5})
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 409 || !strings.Contains(string(b), "repeated") {
		t.Errorf("a repeated key: %d %s", res.StatusCode, b)
	}
}

// The ZIP holds the same codes as its CSV and as slips, one slip a code, in PDFs of at
// most 2,000 slips, each of one group.
func TestCodesZIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.survey(3, func(int) int { return 10 })
	res := e.issueCodes(nil, p, map[string]any{"format": "zip", "groups": []map[string]any{
		{"group_id": p.Groups[0].ID, "count": 2300}, {"group_id": p.Groups[1].ID, "count": 150}}})
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("status %d, %v: %.200s", res.StatusCode, err, body)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var lines []codeLine
	printed := map[string]int{}
	dir := t.TempDir()
	var parts []string
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if f.Name == "凭证清单.csv" {
			lines = readCodeList(t, b)
			continue
		}
		parts = append(parts, f.Name)
		file := filepath.Join(dir, fmt.Sprint(len(parts), ".pdf"))
		os.WriteFile(file, b, 0o600)
		out, err := exec.Command("pdftotext", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext (poppler-utils, installed by make test): %v", err)
		}
		codes := regexp.MustCompile(`\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b`).FindAllString(string(out), -1)
		if len(codes) == 0 || len(codes) > ballot.SlipsPerPart {
			t.Errorf("%s holds %d slips", f.Name, len(codes))
		}
		for _, c := range codes {
			printed[c]++
		}
	}
	want := []string{"切割单/0001_第001服务窗口_第1-2000张.pdf", "切割单/0002_第001服务窗口_第2001-2300张.pdf", "切割单/0003_第002服务窗口_第1-150张.pdf"}
	if strings.Join(parts, " ") != strings.Join(want, " ") {
		t.Errorf("parts %v, want %v", parts, want)
	}
	if len(lines) != 2450 || len(printed) != 2450 {
		t.Fatalf("%d codes listed, %d printed, want 2,450 each", len(lines), len(printed))
	}
	for _, l := range lines {
		if printed[l.code] != 1 {
			t.Fatalf("code %s of the list is printed %d times", l.code, printed[l.code])
		}
	}
	if issued := e.issued(p); issued["第001服务窗口"] != 2300 || issued["第002服务窗口"] != 150 || issued["第003服务窗口"] != 0 {
		t.Errorf("turnout's 已发: %v", issued)
	}
}

// What cannot be issued is refused before anything is drawn, in words the organizer reads.
func TestCodesRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.survey(2, func(int) int { return 10 })
	other := e.survey(1, func(int) int { return 10 })
	for name, c := range map[string]struct {
		body map[string]any
		want string
	}{
		"no codes":           {map[string]any{"per_group": 0}, "每个参评类别的凭证数量应在1到1000000之间"},
		"a count of 0":       {map[string]any{"groups": []map[string]any{{"group_id": p.Groups[0].ID, "count": 0}}}, "每个参评类别的凭证数量应在1到1000000之间"},
		"above the cap":      {map[string]any{"per_group": 600000}, "共 1200000 个凭证码，一次最多生成 1000000 个"},
		"one group too many": {map[string]any{"groups": []map[string]any{{"group_id": p.Groups[0].ID, "count": 1000001}}}, "每个参评类别的凭证数量应在1到1000000之间"},
		"an unknown group":   {map[string]any{"groups": []map[string]any{{"group_id": other.Groups[0].ID, "count": 5}}}, "参评类别“" + other.Groups[0].ID + "”不存在"},
		"a group twice":      {map[string]any{"groups": []map[string]any{{"group_id": p.Groups[0].ID, "count": 5}, {"group_id": p.Groups[0].ID, "count": 5}}}, "同一参评类别只能填写一次"},
		"an unknown format":  {map[string]any{"format": "xlsx"}, "不支持的格式“xlsx”"},
	} {
		var out struct {
			Error struct{ Code, Message string }
		}
		e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/codes", c.body, 400, &out)
		if out.Error.Code != ballot.EINVALID || !strings.Contains(out.Error.Message, c.want) {
			t.Errorf("%s: %+v, want %q", name, out.Error, c.want)
		}
	}
	// The page's form: a 0 is refused on an error page in Chinese.
	client, csrf := e.browser("admin")
	status, page := e.postPage(client, csrf, "/polls/"+p.ID+"/codes", url.Values{"per_group": {"0"}})
	if status != 400 || !strings.Contains(page, "每个参评类别的凭证数量“0”不是正整数") {
		t.Errorf("the page's form with 0: %d %.300s", status, page)
	}
	if issued := e.issued(p); issued["第001服务窗口"] != 0 || issued["第002服务窗口"] != 0 {
		t.Errorf("refused issues issued %v", issued)
	}
	// The poll page shows the form with its warning; posted, it downloads the list.
	if _, page := e.get(client, "/polls/"+p.ID); !strings.Contains(page, `action="/polls/`+p.ID+`/codes"`) || !strings.Contains(page, "留空即按应到人数补足，共 20 个") || !strings.Contains(page, "下载中断则这批凭证码全部不发放") {
		t.Errorf("the poll page has no bulk issue form with its warning")
	}
	status, page = e.postPage(client, csrf, "/polls/"+p.ID+"/codes", url.Values{"per_group": {"3"}, "format": {"csv"}})
	if lines := readCodeList(t, []byte(page)); status != 200 || len(lines) != 6 {
		t.Errorf("the page's form for 3 a group: %d, %d lines", status, len(lines))
	}
	// Once every group has its 应到, a form left blank has nothing to issue.
	res := e.issueCodes(nil, p, map[string]any{})
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	var out struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/codes", map[string]any{}, 400, &out)
	if !strings.Contains(out.Error.Message, "各参评类别的凭证都已按应到人数发齐") {
		t.Errorf("nothing due: %+v", out.Error)
	}
}

// A download that breaks half way issues nothing: the codes the organizer received
// before the break cannot vote, the turnout shows none issued, no batch is left to void,
// and the log says so.
func TestCodesBrokenDownload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.survey(30, func(int) int { return 1000 }) // 30,000 codes, about 2 MB of CSV
	// A reader with a small receive window: the server's writes wait on it, so the
	// download is still being written when the reader goes.
	dialer := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	res := e.issueCodes(client, p, map[string]any{})
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	head := make([]byte, 4096)
	if _, err := io.ReadFull(res.Body, head); err != nil {
		t.Fatal(err)
	}
	// Meanwhile another bulk issue on the instance waits its turn.
	other := e.survey(1, func(int) int { return 10 })
	var busy struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+other.ID+"/codes", map[string]any{}, 409, &busy)
	if busy.Error.Code != ballot.ECONFLICT || !strings.Contains(busy.Error.Message, "正在生成另一批凭证码") {
		t.Errorf("a second bulk issue meanwhile: %+v", busy.Error)
	}
	res.Body.Close() // the organizer's connection drops
	got := readCodeList(t, head[:bytes.LastIndex(head, []byte("\r\n"))+2])
	if len(got) < 20 {
		t.Fatalf("only %d codes before the break", len(got))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !strings.Contains(e.logs.String(), "bulk issue not delivered") {
		if e.issued(p)["第001服务窗口"] > 0 {
			t.Fatalf("a broken download issued codes: %v", e.issued(p))
		}
		if ctx.Err() != nil {
			t.Fatal("the server did not notice the broken download within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	for g, n := range e.issued(p) {
		if n != 0 {
			t.Errorf("%s: %d issued after a broken download", g, n)
		}
	}
	if bs := e.batches(p); len(bs) != 0 {
		t.Errorf("a broken download left %d batches", len(bs))
	}
	// Once the broken one is rolled back, the instance issues again: it is freed before
	// the break is logged, so an organizer who sees the break and retries is not refused.
	res = e.issueCodes(nil, other, map[string]any{})
	if b, err := io.ReadAll(res.Body); err != nil || res.StatusCode != 200 || len(readCodeList(t, b)) != 10 {
		t.Errorf("the next bulk issue: %d %v", res.StatusCode, err)
	}
	res.Body.Close()
	e.openPoll(p.ID)
	for _, l := range got[:5] {
		var out struct{ Error struct{ Code string } }
		e.api("", "GET", "/api/v1/ballot/"+l.code, nil, 404, &out)
		if out.Error.Code != ballot.ETOKENUNKNOWN {
			t.Errorf("code %s of a broken download: %+v", l.code, out)
		}
	}
}
