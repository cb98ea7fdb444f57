package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/server"
	"minyi/store/dbtest"
)

// The tests of this package run the real binary's Main: a private PostgreSQL started the
// same way as `make run`, migrations, the first admin account, the HTTP server on a free
// port. Browser tests drive it with Debian's chromium, side by side, each on polls of its
// own, and the fault tests run beside them on clusters and servers of their own; the
// benches, which load the shared server, and the tests that change the process (an
// environment variable) run alone.

var app struct {
	base     string
	password string
	data     string
}

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" { // a fault test's server process
		os.Exit(runChild(args))
	}
	// The commands speak an English locale's language: the tests that read their Chinese
	// must not depend on the locale of whoever runs them (a command run as a child keeps
	// the locale its test gave it).
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if strings.HasPrefix(strings.ToLower(os.Getenv(k)), "en") {
			os.Unsetenv(k)
		}
	}
	os.Unsetenv("DATABASE_URL")
	os.Unsetenv("MINYI_SECRET")
	// A few ballots prepared ahead, in every server the tests start: both ways a submit
	// encrypts are used, and the tests' many polls do not keep the cores busy filling pools.
	os.Setenv("MINYI_PREPARE", "2")
	os.Unsetenv("MINYI_BASE_URL")
	dir, err := os.MkdirTemp(dbtest.TempDir(), "minyi-main-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(dir, 0o755)
	app.data = dir
	var logs io.Writer = &serverLog
	if os.Getenv("MINYI_TEST_LOG") != "" {
		logs = io.MultiWriter(os.Stderr, &serverLog)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Main(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data", dir}, pw, logs)
		pw.CloseWithError(fmt.Errorf("server stopped: %v", err))
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for app.base == "" && sc.Scan() {
		line := sc.Text()
		if m := firstPassword.FindStringSubmatch(line); m != nil {
			app.password = m[1]
		}
		if m := loginAddress.FindStringSubmatch(line); m != nil {
			app.base = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	code := 1
	if app.base == "" || app.password == "" {
		fmt.Fprintln(os.Stderr, "the server did not start:", sc.Err(), <-done)
	} else {
		code = m.Run()
	}
	chromium.Stop()
	removeFaultTemplate()
	cancel()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "the server did not stop")
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// firstPassword and loginAddress read what `minyi serve` prints at start, in either
// language: the first admin's password, and the first address organizers log in at.
var (
	firstPassword = regexp.MustCompile(`admin(?:, password|，密码) (\S+)`)
	loginAddress  = regexp.MustCompile(`(http://\S+)/login`)
)

// api calls the JSON API as the first admin.
type api struct {
	t     *testing.T
	token string
}

func adminAPI(t *testing.T) *api {
	a := &api{t: t}
	var out struct{ Token string }
	a.call("POST", "/api/v1/sessions", map[string]string{"username": "admin", "password": app.password}, 201, &out)
	a.token = out.Token
	return a
}

func (a *api) call(method, path string, body any, want int, out any) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, app.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatal(err)
		}
	}
}

type pollRef struct {
	ID     string
	Groups []struct{ ID string }
}

// evaluationPoll sets up an open 民主测评 poll with tokens for its one group.
func (a *api) evaluationPoll(title string, subjects []string, tokens int) (pollRef, []string) {
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var subs []map[string]string
	for _, s := range subjects {
		subs = append(subs, map[string]string{"name": s, "post": "副局长"})
	}
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": title, "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "职工代表", "expected": 10}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": subs}}},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": tokens}, 201, &toks)
	a.openPoll(p.ID)
	var urls []string
	for _, t := range toks.Tokens {
		if !strings.HasPrefix(t.URL, app.base+"/v/") {
			a.t.Fatalf("token URL %s is not on this server", t.URL)
		}
		urls = append(urls, t.URL)
	}
	return p, urls
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"version"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "minyi ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := Main(context.Background(), []string{"frobnicate"}, io.Discard, io.Discard); err == nil {
		t.Fatal("an unknown command must fail")
	}
}

// `minyi audit verify` checks the running installation's log from the command line.
func TestAuditVerifyCommand(t *testing.T) {
	a := adminAPI(t)
	a.evaluationPoll("审计测试", []string{"张三"}, 1)
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"audit", "verify", "-data", app.data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^审计日志完好：共 [1-9][0-9]* 条记录`).MatchString(out.String()) {
		t.Fatalf("%q", out.String())
	}
}

// A locked account, the administrator's own included, is never locked out of the command
// line: `minyi admin password` sets a new password and lifts the lock at once.
func TestAdminPasswordUnlocks(t *testing.T) {
	a := adminAPI(t)
	a.call("POST", "/api/v1/staff", map[string]string{"username": "admin_locked", "name": "值班管理员", "role": "admin", "password": "first password 1"}, 201, nil)
	login := func(pw string) int {
		b, _ := json.Marshal(map[string]string{"username": "admin_locked", "password": pw})
		res, err := http.Post(app.base+"/api/v1/sessions", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for range 5 {
		login("wrong")
	}
	if st := login("first password 1"); st != 429 {
		t.Fatalf("after five wrong passwords the right one got %d, want the lock (429)", st)
	}
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"admin", "password", "admin_locked", "-data", app.data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`admin_locked 的新密码：(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("%q", out.String())
	}
	if st := login(m[1]); st != 201 {
		t.Fatalf("the new password after the reset: %d", st)
	}
}

// aboutFingerprint reads the signing key's fingerprint off an instance's /about page, as
// an evaluator would copy it.
func aboutFingerprint(t *testing.T, base string) string {
	t.Helper()
	page := string(getRaw(t, base+"/about", ""))
	m := regexp.MustCompile(`<code>([0-9A-F]{4}(?: [0-9A-F]{4}){7})</code>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("/about shows no fingerprint:\n%s", page)
	}
	return m[1]
}

// `minyi verify` checks a downloaded bundle with no database, against the key it is told
// to trust: one changed byte fails it, and so does a forgery re-signed with another key,
// whose signature is valid but whose signer is not the one pinned.
func TestVerifyCommand(t *testing.T) {
	a := adminAPI(t)
	p, urls := a.evaluationPoll("核验测试", []string{"张三"}, 1)
	code := urls[0][strings.LastIndex(urls[0], "/")+1:]
	var cast struct{ Receipt string }
	a.call("POST", "/api/v1/ballot/"+code, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, &cast)
	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	a.countPoll(p.ID, nil)
	raw := getRaw(t, app.base+"/api/v1/polls/"+p.ID+"/bundle", a.token)
	dir := t.TempDir()
	file := dir + "/bundle.zip"
	os.WriteFile(file, raw, 0o600)
	fp := aboutFingerprint(t, app.base)
	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Main(context.Background(), append([]string{"verify"}, args...), &out, io.Discard)
		return out.String(), err
	}
	for _, key := range []string{fp, strings.ToLower(strings.ReplaceAll(fp, " ", ""))} {
		if out, err := verify("-key", key, file); err != nil || !strings.Contains(out, "核验通过") {
			t.Fatalf("verify -key %s: %v\n%s", key, err, out)
		}
	}
	// The public key as /about shows it, saved to a file.
	about := html.UnescapeString(string(getRaw(t, app.base+"/about", "")))
	m := regexp.MustCompile(`<code>([A-Za-z0-9+/]{43}=)</code>`).FindStringSubmatch(about)
	if m == nil {
		t.Fatal("/about shows no public key")
	}
	os.WriteFile(dir+"/key.pub", []byte(m[1]+"\n"), 0o600)
	if out, err := verify("-keyfile", dir+"/key.pub", file); err != nil || !strings.Contains(out, "核验通过") {
		t.Fatalf("verify -keyfile: %v\n%s", err, out)
	}
	// No key named: the signature holds, but who signed is unknown; not a pass.
	if out, err := verify(file); err == nil || strings.Contains(out, "核验通过") || !strings.Contains(out, ballot.UnknownSigner) {
		t.Fatalf("verify with no key: %v\n%s", err, out)
	}

	_, _, manifest := ballot.VerifyFile(bytes.NewReader(raw), int64(len(raw)), func(ed25519.PublicKey) bool { return false })
	if manifest == nil || !ballot.IsBundle5(raw) {
		t.Fatal("the download is not a version 5 bundle")
	}
	signed := *manifest
	if out, _ := verify("-key", fp, file); !strings.Contains(out, "核验码 "+ballot.CheckCode(signed.Bundle)) {
		t.Fatalf("verify prints no check code:\n%s", out)
	}
	// The voter's receipt is found in the file; one not cast is not.
	if out, err := verify("-key", fp, "-receipt", cast.Receipt, file); err != nil || !strings.Contains(out, "在票箱中：第 1 张选票") {
		t.Fatalf("verify -receipt %s: %v\n%s", cast.Receipt, err, out)
	}
	if out, err := verify("-key", fp, "-receipt", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", file); err == nil || !strings.Contains(out, "不在本文件的票箱中") {
		t.Fatalf("verify -receipt of a receipt not cast: %v\n%s", err, out)
	}
	var b ballot.Bundle
	json.Unmarshal(signed.Bundle, &b)
	b.Tally.Forms[0].Evaluation.Subjects[0].Total.Votes[1] = 0
	b.Tally.Forms[0].Evaluation.Subjects[0].Total.Votes[3] = 1 // 称职 becomes 不称职
	_, forger, _ := ed25519.GenerateKey(nil)
	forged, _ := ballot.Sign(&b, forger)
	os.WriteFile(file, withManifest(t, raw, forged), 0o600)
	for _, args := range [][]string{{file}, {"-key", fp, file}, {"-keyfile", dir + "/key.pub", file}} {
		out, err := verify(args...)
		if err == nil || strings.Contains(out, "核验通过") || !strings.Contains(out, "[通过] 签名") || !strings.Contains(out, "[失败] 签名者") || strings.Contains(out, ballot.CheckRecount) {
			t.Fatalf("a forgery signed by another key, verify %v: %v\n%s", args[:len(args)-1], err, out)
		}
	}

	// Change a sum of the box inside the (base64) bundle: the signature no longer holds,
	// and nothing unsigned is recounted.
	at := strings.Index(string(signed.Bundle), `"sums":["`)
	if at < 0 {
		t.Fatal("the box's sums are not in the bundle")
	}
	raw2 := []byte(string(signed.Bundle))
	at += len(`"sums":["`)
	raw2[at] = map[bool]byte{true: 'A', false: 'B'}[raw2[at] != 'A']
	signed.Bundle = raw2
	os.WriteFile(file, withManifest(t, raw, &signed), 0o600)
	if out, err := verify("-key", fp, file); err == nil || !strings.Contains(out, "[失败] 签名") || strings.Contains(out, ballot.CheckRecount) {
		t.Fatalf("a tampered bundle: %v\n%s", err, out)
	}
	if _, err := verify("-key", "ABCD", file); err == nil {
		t.Fatal("a malformed fingerprint is accepted")
	}
}

// `minyi bench` runs voters over HTTP against a server it starts and audits the box. Only
// its accounting is asserted here; its speed is what it reports.
func TestBenchCommand(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"bench", "-data", app.data, "-n", "60", "-c", "8", "-runs", "2", "-json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r struct {
		OK           int
		BallotsInBox int            `json:"ballots_in_box"`
		TokensUsed   int            `json:"tokens_used"`
		AuditOK      bool           `json:"audit_ok"`
		Errors       map[string]int `json:"errors"`
		Ceiling      float64        `json:"db_ceiling_per_sec"`
		CountMs      float64        `json:"count_ms"`
		CountChecked string         `json:"count_checked"`
		Runs         []struct {
			OK      int
			AuditOK bool `json:"audit_ok"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.AuditOK || r.OK != 60 || r.BallotsInBox != 60 || r.TokensUsed != 60 || len(r.Errors) != 0 || r.Ceiling <= 0 {
		t.Fatalf("%+v", r)
	}
	// The bench counts its poll, from the sums kept as its ballots were sealed.
	if r.CountMs <= 0 || r.CountChecked != "0" {
		t.Fatalf("the count: %.0f ms, %q ballots checked one by one", r.CountMs, r.CountChecked)
	}
	if len(r.Runs) != 2 || r.Runs[0].OK != 60 || r.Runs[1].OK != 60 || !r.Runs[0].AuditOK || !r.Runs[1].AuditOK {
		t.Fatalf("two runs asked, got %+v", r.Runs)
	}
	// The administrator each run counted as is disabled once the count is done, and its
	// password is not one made from its poll's id: the bench leaves no account anyone
	// could log in with.
	var polls struct {
		Polls []struct{ ID, Title, State string }
	}
	adminAPI(t).call("GET", "/api/v1/polls", nil, 200, &polls)
	o := common{data: app.data, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	st, err := o.openStore(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer o.close(st)
	counted := 0
	for _, p := range polls.Polls {
		if p.Title != "压测民主测评" || p.State != string(ballot.Counted) {
			continue // the ceiling's poll is not counted
		}
		counted++
		name := "bench-" + strings.ReplaceAll(p.ID, "-", "")[:12]
		admin, err := st.StaffByUsername(context.Background(), name)
		if err != nil {
			t.Fatalf("the bench's administrator %s: %v", name, err)
		}
		if !admin.Disabled || server.CheckPassword(admin.PasswordHash, "bench-"+p.ID) {
			t.Fatalf("the bench's administrator %s: disabled %v, its password made from its poll's id %v", name, admin.Disabled, server.CheckPassword(admin.PasswordHash, "bench-"+p.ID))
		}
	}
	if counted < 2 {
		t.Fatalf("%d bench polls found, want the 2 runs'", counted)
	}
}

// withManifest is a version 5 bundle file with its signed manifest replaced.
func withManifest(t *testing.T, file []byte, signed *ballot.Signed) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == "bundle.json" {
			json.NewEncoder(w).Encode(signed)
			continue
		}
		r, _ := f.Open()
		io.Copy(w, r)
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// serverLog keeps the shared server's last log lines, for a browser step that fails to
// say what the server answered meanwhile.
var serverLog logTail

// logTail keeps the last lines written to it, with the time each was written.
type logTail struct {
	mu    sync.Mutex
	lines []logLine
	part  []byte
}

type logLine struct {
	at   time.Time
	text string
}

const logTailLines = 300

func (l *logTail) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, logLine{time.Now(), string(l.part[:i])})
		l.part = l.part[i+1:]
	}
	if over := len(l.lines) - logTailLines; over > 0 {
		l.lines = append(l.lines[:0], l.lines[over:]...)
	}
	return len(b), nil
}

// last gives the lines kept from the last d.
func (l *logTail) last(d time.Duration) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := time.Now().Add(-d)
	var out []string
	for _, line := range l.lines {
		if !line.at.Before(since) {
			out = append(out, line.at.Format("15:04:05.000")+" "+line.text)
		}
	}
	return strings.Join(out, "\n")
}
