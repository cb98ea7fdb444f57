package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/server"
	"minyi/store"
	"minyi/store/dbtest"
)

func TestMain(m *testing.M) {
	code := dbtest.Main(m)
	stopBrowser()
	os.Exit(code)
}

// stopBrowser ends the chromium the browser tests share, once every test is done; the
// browser tests set it (they are not built under the race detector).
var stopBrowser = func() {}

var ctx = context.Background()

// env is a running server on a fresh database with an admin and a unit.
type env struct {
	t       *testing.T
	logs    *syncBuffer
	url     string
	st      *store.Store
	base    string
	metrics string // the instance's /metrics address
	unitID  string
	admin   string // bearer token
	casts   castLog
}

func newEnv(t *testing.T, tune ...func(*server.Config)) *env {
	t.Helper()
	return envOn(t, dbtest.URL(t), tune...)
}

// envOn runs an instance on the database at url, with a unit and a logged-in admin.
func envOn(t *testing.T, url string, tune ...func(*server.Config)) *env {
	t.Helper()
	logs := &syncBuffer{}
	st, base, metrics := startInstance(t, url, logs, tune...)
	e := &env{t: t, st: st, logs: logs, url: url, base: base, metrics: metrics}
	u, err := st.CreateUnit(ctx, "甲单位")
	if err != nil {
		t.Fatal(err)
	}
	e.unitID = u.ID
	e.addStaff("admin", "admin", "")
	e.admin = e.login("admin")
	return e
}

// startInstance runs one server instance on the database, as a deployment runs several.
func startInstance(t *testing.T, url string, logs io.Writer, tune ...func(*server.Config)) (*store.Store, string, string) {
	t.Helper()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := server.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	// One ballot prepared ahead a group: a group's first submit takes it and the next ones
	// encrypt their own, so both ways are used, and the tests' many polls (some of hundreds
	// of groups) do not keep the cores busy filling pools.
	cfg := server.Config{Keys: keys, Log: slog.New(slog.NewTextHandler(logs, nil)), PrepareAhead: 1,
		Delivery: server.DeliveryTiming{Tick: 50 * time.Millisecond, Lease: time.Second, Backoff: 100 * time.Millisecond}}
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := server.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := srv.App()
	sctx, cancel := context.WithCancel(ctx)
	if err := srv.Start(sctx); err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	met := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(func() { srv.Close(); app.Shutdown(); met.Close(); cancel(); st.Close() })
	return st, "http://" + ln.Addr().String(), met.URL
}

// noPools has an instance prepare no ballot ahead, every submit encrypting its own: for
// tests of hundreds of groups that look at pages or streams, where opening a poll would
// fill a pool for each group that hardly a vote takes from.
func noPools(c *server.Config) { c.PrepareAhead = -1 }

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const password = "correct horse battery"

func (e *env) addStaff(username string, role store.Role, unitID string) {
	e.t.Helper()
	hash, _ := server.HashPassword(password)
	if err := e.st.CreateStaff(ctx, &store.Staff{Username: username, Name: username, Role: role, UnitID: unitID, PasswordHash: hash}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) login(username string) string {
	e.t.Helper()
	var out struct{ Token string }
	e.api("", "POST", "/api/v1/sessions", map[string]string{"username": username, "password": password}, 201, &out)
	return out.Token
}

// api calls the JSON API and checks the status; out may be nil.
func (e *env) api(token, method, path string, body any, want int, out any) []byte {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return b
}

type poll struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Groups []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"groups"`
}

// evaluation creates a 民主测评 poll with the given subjects and one group of 30.
func (e *env) evaluation(subjects ...string) poll {
	e.t.Helper()
	var subs []map[string]string
	for _, s := range subjects {
		subs = append(subs, map[string]string{"name": s, "post": "副局长"})
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "年度民主测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": subs}}},
	}, 201, &p)
	return p
}

func (e *env) tokens(p poll, n int) []string {
	e.t.Helper()
	var out struct {
		Tokens []struct{ Code, URL string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": n}, 201, &out)
	var codes []string
	for _, t := range out.Tokens {
		codes = append(codes, t.Code)
	}
	return codes
}

// vote posts the ballot page's form as a browser without JavaScript would.
func (e *env) vote(code string, form url.Values) (int, string) {
	e.t.Helper()
	res, err := http.PostForm(e.base+"/v/"+code, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *env) get(client *http.Client, path string) (int, string) {
	e.t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Get(e.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// browser logs a staff member in through the login form and returns a client with the
// session cookie, and the CSRF token of the pages.
func (e *env) browser(username string) (*http.Client, string) {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	_, page := e.get(c, "/login")
	csrf := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		e.t.Fatal("no CSRF field on the login page")
	}
	res, err := c.PostForm(e.base+"/login", url.Values{"_csrf": {csrf[1]}, "username": {username}, "password": {password}})
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(b))
	if res.StatusCode != 200 || m == nil || !strings.Contains(string(b), "投票活动") {
		e.t.Fatalf("login as %s failed: %d %s", username, res.StatusCode, b)
	}
	return c, m[1]
}

// postPage posts a staff form as the browser c, with its CSRF token, and returns the
// status and the page.
func (e *env) postPage(c *http.Client, csrf, path string, v url.Values) (int, string) {
	e.t.Helper()
	v.Set("_csrf", csrf)
	res, err := c.PostForm(e.base+path, v)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// countedEvaluation is an evaluation of the subjects where the one voter expected voted
// marks, closed and counted.
func (e *env) countedEvaluation(marks url.Values, subjects ...string) poll {
	e.t.Helper()
	p := e.evaluation(subjects...)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]int{"expected": 1}, 200, nil)
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	e.vote(codes[0], marks)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	return p
}
