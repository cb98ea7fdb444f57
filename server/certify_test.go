package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
)

// The count is certified: a signed bundle that verifies on its own, a receipt each voter
// can look up once counted, and the signing key's fingerprint on /about.
func TestCertifiedTally(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	var cast struct{ Receipt string }
	e.api("", "POST", "/api/v1/ballot/"+codes[0], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"优秀"}, "s2": {"称职"}}}}}}, 200, &cast)
	if len(cast.Receipt) != 19 {
		t.Fatalf("receipt %q", cast.Receipt)
	}
	_, done := e.vote(codes[1], form("不称职", "称职"))
	if !strings.Contains(done, "回执码") {
		t.Fatal("the confirmation shows no receipt")
	}
	if _, page := e.get(nil, "/receipt?code="+strings.ToLower(cast.Receipt)); !strings.Contains(page, "没有找到") {
		t.Fatal("a receipt must not be found before the count")
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 403, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	checks, b, signed := checkBundle(t, raw)
	if !ballot.Verified(checks) || b.Version != ballot.BundleVersion5 || b.BallotCount() != 2 || len(b.Ballots) != 0 {
		t.Fatalf("bundle: %+v", checks)
	}
	// The voter finds their receipt in the file itself, and on the /verify page.
	if at, err := ballot.FindReceipt(bytes.NewReader(raw), int64(len(raw)), cast.Receipt); err != nil || at == 0 {
		t.Fatalf("the receipt %s is not in the bundle: %d %v", cast.Receipt, at, err)
	}
	if _, page := e.upload(raw, strings.ToLower(cast.Receipt)); !strings.Contains(page, "在本文件的票箱中（第 ") {
		t.Fatalf("/verify does not find the receipt %s in the file", cast.Receipt)
	}
	if _, page := e.upload(raw, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"); !strings.Contains(page, "不在本文件的票箱中") {
		t.Fatal("/verify finds a receipt not cast")
	}
	if _, page := e.get(nil, "/receipt?code="+cast.Receipt); !strings.Contains(page, "该回执在以下投票活动的计票结果中") || !strings.Contains(page, "年度民主测评") {
		t.Fatal("a counted receipt is not found")
	}
	if _, page := e.get(nil, "/receipt?code=ZZZZ-ZZZZ-ZZZZ-ZZZZ"); !strings.Contains(page, "没有找到") {
		t.Fatal("an unknown receipt is found")
	}
	if _, about := e.get(nil, "/about"); !strings.Contains(about, ballot.Fingerprint(signed.PublicKey)) {
		t.Fatal("/about does not show the signing key's fingerprint")
	}
	for _, c := range codes {
		if strings.Contains(string(signed.Bundle), strings.ReplaceAll(c, "-", "")) || strings.Contains(string(signed.Bundle), c) {
			t.Fatal("a token reached the bundle")
		}
	}
}

// The verify page checks an uploaded bundle as the command does.
func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	_, _, signed := checkBundle(t, raw)
	upload := func(content []byte) (int, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		fw, _ := w.CreateFormFile("bundle", "bundle.json")
		fw.Write(content)
		w.Close()
		res, err := http.Post(e.base+"/verify", w.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The check code printed on the paper report, to match the file with it.
	if status, page := upload(raw); status != 200 || !strings.Contains(page, "核验通过") || strings.Contains(page, "不是本服务器的") || !strings.Contains(page, "核验码：<code>"+ballot.CheckCode(signed.Bundle)) {
		t.Fatalf("verify page: %d", status)
	}
	signed.Signature[3] ^= 1
	bad, _ := json.Marshal(signed)
	if _, page := upload(bad); !strings.Contains(page, "核验失败") || !strings.Contains(page, "✗ 签名") {
		t.Fatal("a bad signature passes the page")
	}
	if status, _ := upload([]byte("not json")); status != 400 {
		t.Fatalf("garbage: %d", status)
	}
}

// Downloads of a counted meeting: a workbook (a sheet per table, 分类统计 included), the
// plain ballots as CSV with names, and a ZIP of both with the signed bundle.
func TestExports(t *testing.T) {
	e := newEnv(t)
	p := meetingPoll(e)
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	e.vote(codes[0], url.Values{"f1.p1": {"c1", "c2"}, "f2.s1": {"优秀"}, "f2.s2": {"称职"}, "f3.overall": {"好"}, "f4.n1": {"同意"}})
	e.vote(codes[1], url.Values{"f1.p1": {"c1"}, "f1.p1.w": {"赵六"}, "f2.s1": {"称职"}, "f2.s2": {"称职"}, "f3.c1": {"认同"}})
	c, _ := e.browser("admin")
	if status, _ := e.get(c, "/polls/"+p.ID+"/tally.xlsx"); status != 403 {
		t.Fatalf("export before the count: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)

	_, xl := e.get(c, "/polls/"+p.ID+"/tally.xlsx")
	book, err := excelize.OpenReader(strings.NewReader(xl))
	if err != nil {
		t.Fatal(err)
	}
	sheets := book.GetSheetList()
	all := ""
	for _, sh := range sheets {
		rows, _ := book.GetRows(sh)
		for _, r := range rows {
			all += strings.Join(r, "|") + "\n"
		}
	}
	if len(sheets) != 9 || sheets[0] != "参会情况" || sheets[1] != "1 民主推荐表 副局长" || sheets[3] != "2 民主测评表 分类统计" {
		t.Fatalf("sheets %v: want the turnout and one per table", sheets)
	}
	for _, want := range []string{"参会情况", "张三|", "|2|100.00%|2/2|", "分类统计", "赵六", "吴五", "未通过", "好+较好"} {
		if !strings.Contains(all, want) {
			t.Fatalf("workbook lacks %q (sheets %v)", want, sheets)
		}
	}
	// No plain ballot is ever listed: none is decrypted.
	if status, _ := e.get(c, "/polls/"+p.ID+"/ballots.csv"); status != 404 {
		t.Fatalf("ballots.csv: %d, want none", status)
	}
	_, zb := e.get(c, "/polls/"+p.ID+"/tally.zip")
	zr, err := zip.NewReader(strings.NewReader(zb), int64(len(zb)))
	if err != nil || len(zr.File) != 3 {
		t.Fatalf("zip: %v", err)
	}
	f, _ := zr.File[0].Open()
	inner, _ := io.ReadAll(f)
	if checks, _, _ := checkBundle(t, inner); zr.File[0].Name != "计票结果（签名）.zip" || !ballot.Verified(checks) {
		t.Fatalf("the bundle in the zip, %s: %+v", zr.File[0].Name, checks)
	}
}

// The 计票结果报告单 PDF: its text (read back with pdftotext) carries the poll, every form's
// figures, the signature lines and the box's root.
func TestTallyPDF(t *testing.T) {
	e := newEnv(t)
	p := meetingPoll(e)
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	e.vote(codes[0], url.Values{"f1.p1": {"c1", "c2"}, "f2.s1": {"优秀"}, "f2.s2": {"称职"}, "f3.overall": {"好"}, "f4.n1": {"同意"}})
	e.vote(codes[1], url.Values{"f1.p1": {"c1"}, "f2.s1": {"称职"}, "f2.s2": {"不称职"}, "f3.c1": {"认同"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	c, _ := e.browser("admin")
	res, err := c.Get(e.base + "/polls/" + p.ID + "/tally.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d", res.StatusCode)
	}
	file := t.TempDir() + "/report.pdf"
	os.WriteFile(file, pdf, 0o600)
	if dir := os.Getenv("MINYI_SCREENSHOTS"); dir != "" {
		os.WriteFile(dir+"/report.pdf", pdf, 0o644)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make test): %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"计票结果报告单", "2026年度干部工作会议", "民主推荐表", "张三", "100.00%（2/2）", "表决票", "未通过", "监票人（签字）", "计票人（签字）", "票箱默克尔根", "核验码"} {
		if !strings.Contains(text, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
}
