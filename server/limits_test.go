package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/server"
)

// loginAs tries a password through the API and returns the status and error code.
func (e *env) loginAs(username, pw string, header http.Header) (int, string, string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": pw})
	req, _ := http.NewRequest("POST", e.base+"/api/v1/sessions", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Error struct{ Code, Message string }
	}
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out.Error.Code, out.Error.Message
}

// Five wrong passwords in a row lock the account, even against the right one, until an
// administrator resets the password; another account is not affected.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	e.addStaff("zhang", "organizer", e.unitID)
	for i := range 4 {
		if st, code, _ := e.loginAs("zhang", "wrong", nil); st != 401 || code != ballot.EUNAUTHORIZED {
			t.Fatalf("wrong password %d: %d %s", i+1, st, code)
		}
	}
	if st, code, msg := e.loginAs("zhang", "wrong", nil); st != 429 || code != ballot.ETOOMANY || !strings.Contains(msg, "锁定") {
		t.Fatalf("fifth wrong password: %d %s %s", st, code, msg)
	}
	if st, code, _ := e.loginAs("zhang", password, nil); st != 429 || code != ballot.ETOOMANY {
		t.Fatalf("a locked account let the right password in: %d %s", st, code)
	}
	e.login("admin") // another account logs in
	hash, _ := server.HashPassword(password)
	st, err := e.st.StaffByUsername(ctx, "zhang")
	if err != nil || !st.Locked {
		t.Fatalf("account not shown locked: %+v %v", st, err)
	}
	if err := e.st.SetPassword(ctx, st.ID, hash); err != nil {
		t.Fatal(err)
	}
	e.login("zhang")
	if !strings.Contains(e.logs.String(), "account locked") || strings.Contains(e.logs.String(), "wrong") {
		t.Fatalf("the log should record the lock and never a typed password:\n%s", e.logs.String())
	}
}

// Failed logins from one address are slowed whatever the usernames; X-Real-IP from a
// client that is not a trusted proxy changes nothing.
func TestLoginRateLimitPerClient(t *testing.T) {
	e := newEnv(t)
	for i := range 10 {
		h := http.Header{"X-Real-Ip": {"10.0.0." + string(rune('1'+i%9))}, "X-Forwarded-For": {"10.9.9.9"}}
		if st, _, _ := e.loginAs("nobody"+string(rune('a'+i)), "x", h); st != 401 {
			t.Fatalf("attempt %d: %d", i+1, st)
		}
	}
	if st, code, msg := e.loginAs("admin", password, nil); st != 429 || code != ballot.ETOOMANY || !strings.Contains(msg, "分钟后再试") {
		t.Fatalf("after 10 failures from one address: %d %s %s", st, code, msg)
	}
}

// Unknown tokens from one address: 100 are answered, then the address waits, even with a
// real token; the hall's valid votes from the same address never count against it.
func TestTokenGuessRateLimit(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 3)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	form := url.Values{"f1.s1": {"称职"}}
	if st, _ := e.vote(codes[0], form); st != 200 {
		t.Fatalf("vote: %d", st)
	}
	for i := range 100 {
		tok, _ := ballot.NewToken()
		res, err := http.Get(e.base + "/api/v1/ballot/" + string(tok))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 404 {
			t.Fatalf("guess %d: %d", i+1, res.StatusCode)
		}
	}
	st, page := e.vote(codes[1], form)
	if st != 429 || !strings.Contains(page, "无效凭证过多") {
		t.Fatalf("after 100 guesses a vote from the same address got %d", st)
	}
	var out struct{ Error struct{ Code string } }
	e.api("", "GET", "/api/v1/ballot/"+codes[2], nil, 429, &out)
	if out.Error.Code != ballot.ETOOMANY {
		t.Fatalf("code %q", out.Error.Code)
	}
}

// Behind a trusted reverse proxy, X-Real-IP names the client: one guesser does not lock
// out the rest of the hall.
func TestTokenGuessLimitBehindProxy(t *testing.T) {
	e := newEnv(t)
	_, base, _ := startInstance(t, e.url, e.logs, func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	guess := func(client string) int {
		tok, _ := ballot.NewToken()
		req, _ := http.NewRequest("GET", base+"/api/v1/ballot/"+string(tok), nil)
		req.Header.Set("X-Real-IP", client)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for range 100 {
		guess("192.168.1.66")
	}
	if st := guess("192.168.1.66"); st != 429 {
		t.Fatalf("the guesser: %d", st)
	}
	if st := guess("192.168.1.67"); st != 404 {
		t.Fatalf("a neighbour behind the same proxy: %d", st)
	}
}

// Every page carries the CSP (own origin only: no third-party script, style, font or
// image) and names no other site in a src or href; HSTS is sent behind TLS only.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	code := e.tokens(p, 1)[0]
	client, _ := e.browser("admin")
	for _, path := range []string{"/login", "/v", "/v/" + code, "/", "/polls/" + p.ID, "/about", "/verify"} {
		c := http.DefaultClient
		if path == "/" || strings.HasPrefix(path, "/polls") {
			c = client
		}
		res, err := c.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("%s: CSP %q", path, csp)
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Fatalf("%s: HSTS over plain HTTP", path)
		}
		if m := regexp.MustCompile(`(?:src|href|action)="(?:https?:)?//[^"]*"`).FindString(string(b)); m != "" {
			t.Fatalf("%s links another site: %s", path, m)
		}
	}
	_, tlsBase, _ := startInstance(t, e.url, e.logs, func(c *server.Config) { c.SecureCookies = true })
	res, err := http.Get(tlsBase + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatal("no HSTS behind TLS")
	}
	for _, ck := range res.Cookies() {
		if !ck.Secure || !ck.HttpOnly {
			t.Fatalf("cookie %s not Secure and HttpOnly behind TLS", ck.Name)
		}
	}
}

// A body over the limit is refused with the stable code and a message in Chinese, before
// anything reads it; the token it named stays unused.
func TestRequestSizeLimit(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 1)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	// The answer comes from the headers alone (a client still sending the body may see
	// its connection reset instead, which a browser or an HTTP library reports itself).
	oversized := func(path, contentType string) string {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, contentType, server.BodyLimit+1)
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(conn)
		return string(b)
	}
	if got := oversized("/api/v1/ballot/"+codes[0], "application/json"); !strings.Contains(got, `"code":"invalid"`) || !strings.Contains(got, "提交的内容过大") {
		t.Fatalf("oversized ballot: %s", got)
	}
	if got := oversized("/v/"+codes[0], "application/x-www-form-urlencoded"); !strings.Contains(got, "提交的内容过大") {
		t.Fatalf("oversized form: %s", got)
	}
	e.api("", "POST", "/api/v1/ballot/"+codes[0], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, nil)
}
