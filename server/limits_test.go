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

// Five wrong passwords in a row lock the username, even against the right password,
// until an administrator resets the password; another account is not affected. Every
// answer reads the same for a real account and an invented username, at each step: the
// lock, its end time and the wording cannot tell which usernames exist.
func TestLoginLockout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addStaff("zhang", "organizer", e.unitID)
	// Two clients, so that the per-address limit (10 failures) stays out of the way.
	_, base2, _ := startInstance(t, e.url, e.logs, func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1"} })
	other := &env{t: t, base: base2}
	try := func(who, pw string) (int, string, string) {
		if who == "zhang" {
			return e.loginAs(who, pw, nil)
		}
		return other.loginAs(who, pw, http.Header{"X-Real-Ip": {"10.1.1.1"}})
	}
	same := func(step string, real, unknown [3]string) {
		t.Helper()
		if real != unknown {
			t.Fatalf("%s: a real account is told %v, an unknown username %v", step, real, unknown)
		}
	}
	ask := func(who, pw string) [3]string {
		st, code, msg := try(who, pw)
		// The lock's end is given to the minute; both locks are made within the same test.
		return [3]string{fmt.Sprint(st), code, regexp.MustCompile(`\d\d:\d\d`).ReplaceAllString(msg, "HH:MM")}
	}
	for i := range 4 {
		real, unknown := ask("zhang", "wrong"), ask("zhang_x", "wrong")
		same(fmt.Sprintf("wrong password %d", i+1), real, unknown)
		if real != [3]string{"401", ballot.EUNAUTHORIZED, "用户名或密码不正确"} {
			t.Fatalf("wrong password %d: %v", i+1, real)
		}
	}
	_, _, msg := try("zhang", "wrong")
	real := ask("zhang", "wrong")
	unknown5, unknown6 := ask("zhang_x", "wrong"), ask("zhang_x", "wrong")
	same("fifth wrong password", ask("zhang", password), unknown5) // locked: the right password is refused alike
	same("wrong password while locked", real, unknown6)
	if real[0] != "429" || real[1] != ballot.ETOOMANY || !strings.Contains(real[2], "已锁定至HH:MM") {
		t.Fatalf("fifth wrong password: %v", real)
	}
	end := regexp.MustCompile(`(\d\d):(\d\d)`).FindStringSubmatch(msg)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	h, m := 0, 0
	fmt.Sscanf(end[1]+" "+end[2], "%d %d", &h, &m)
	if mins := ((h*60 + m) - (now.Hour()*60 + now.Minute()) + 24*60) % (24 * 60); mins < 15 || mins > 16 {
		t.Fatalf("the lock ends at %s:%s, %d minutes from now (%s), want 15", end[1], end[2], mins, now.Format("15:04"))
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
	if st, code, _ := try("zhang_x", password); st != 429 || code != ballot.ETOOMANY {
		t.Fatalf("a reset of one account unlocked another username: %d %s", st, code)
	}
	if !strings.Contains(e.logs.String(), "account locked") || strings.Contains(e.logs.String(), "wrong") || strings.Contains(e.logs.String(), "zhang_x") {
		t.Fatalf("the log should record the lock and never a typed password or unknown username:\n%s", e.logs.String())
	}
}

// Failed logins from one address are slowed whatever the usernames; X-Real-IP from a
// client that is not a trusted proxy changes nothing.
func TestLoginRateLimitPerClient(t *testing.T) {
	t.Parallel()
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

// Unknown tokens from one address: 100 are answered, then that address is refused
// unknown tokens, but never a valid one: a hall behind one NAT keeps voting while a
// guesser (or a hundred typos) shares its address.
func TestTokenGuessRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 3)
	e.openPoll(p.ID)
	form := url.Values{"f1.s1": {"称职"}}
	if st, _ := e.vote(codes[0], form); st != 200 {
		t.Fatalf("vote: %d", st)
	}
	guess := func() int {
		tok, _ := ballot.NewToken()
		res, err := http.Get(e.base + "/api/v1/ballot/" + string(tok))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	start, n := time.Now(), 0
	for ; ; n++ {
		st := guess()
		if st == 429 {
			break
		}
		if st != 404 {
			t.Fatalf("guess %d: %d", n+1, st)
		}
		if n+1 > guessesAllowed(start, 100) {
			t.Fatalf("%d unknown tokens answered in %v without a refusal", n+1, time.Since(start))
		}
	}
	refused := time.Now()
	if n < 100 {
		t.Fatalf("refused after %d guesses, want 100 at once", n)
	}
	var out struct{ Error struct{ Code string } }
	e.api("", "GET", "/api/v1/ballot/ZZZZ-ZZZZ-ZZZZ-ZZZZ", nil, 429, &out)
	if out.Error.Code != ballot.ETOOMANY {
		t.Fatalf("code %q", out.Error.Code)
	}
	if st, page := e.get(nil, "/v/ZZZZ-ZZZZ-ZZZZ-ZZZZ"); st != 429 || !strings.Contains(page, "无效凭证过多") {
		t.Fatalf("an unknown token on the voter's page after 100 guesses: %d", st)
	}
	// The hall's valid tokens: the ballot page, the API and the vote itself.
	if st, page := e.get(nil, "/v/"+codes[1]); st != 200 || strings.Contains(page, "无效凭证过多") {
		t.Fatalf("a valid token's ballot page after 100 guesses from its address: %d", st)
	}
	e.api("", "GET", "/api/v1/ballot/"+codes[2], nil, 200, nil)
	if st, _ := e.vote(codes[1], form); st != 200 {
		t.Fatalf("after 100 guesses a valid vote from the same address got %d", st)
	}
	e.api("", "POST", "/api/v1/ballot/"+codes[2], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, nil)
	if st, page := e.vote(codes[0], form); st != 409 || !strings.Contains(page, "该凭证已投票") {
		t.Fatalf("a used token after the guesses: %d", st)
	}
	// Still refused, but for the guesses the time since the first refusal has refilled.
	n = 0
	for st := guess(); st != 429; st, n = guess(), n+1 {
		if st != 404 || n+1 > guessesAllowed(refused, 0) {
			t.Fatalf("the guesser after the hall voted: %d after %d more guesses", st, n)
		}
	}
}

// guessesAllowed is how many unknown tokens one address may try from start: the burst,
// and one more for every 2 s since, which a slow machine's guesses earn as they go.
func guessesAllowed(start time.Time, burst int) int {
	return burst + int(time.Since(start)/(2*time.Second)) + 1
}

// Behind a trusted reverse proxy, X-Real-IP names the client: one guesser does not lock
// out the rest of the hall.
func TestTokenGuessLimitBehindProxy(t *testing.T) {
	t.Parallel()
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
	start, n := time.Now(), 0
	for st := guess("192.168.1.66"); st != 429; st, n = guess("192.168.1.66"), n+1 {
		if st != 404 || n+1 > guessesAllowed(start, 100) {
			t.Fatalf("the guesser: %d after %d guesses", st, n)
		}
	}
	if n < 100 {
		t.Fatalf("the guesser was refused after %d guesses, want 100 at once", n)
	}
	if st := guess("192.168.1.67"); st != 404 {
		t.Fatalf("a neighbour behind the same proxy: %d", st)
	}
}

// Every page carries the CSP (own origin only: no third-party script, style, font or
// image) and names no other site in a src or href; HSTS is sent behind TLS only.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	// The answer comes from the headers and the body's first 8 KB or so, which the server
	// reads before any handler (its bodies are streamed, for /verify's large uploads); the
	// rest is never read. A client still sending the body may see its connection reset
	// instead, which a browser or an HTTP library reports itself.
	oversized := func(path, contentType string) string {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", path, contentType, server.BodyLimit+1, strings.Repeat("x", 16<<10))
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
	// A chunked body says no length: it is read up to the limit and refused past it.
	res, err := http.Post(e.base+"/api/v1/ballot/"+codes[0], "application/json", io.MultiReader(strings.NewReader(`{"ballot":"`), strings.NewReader(strings.Repeat("x", server.BodyLimit))))
	if err == nil {
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(got), "提交的内容过大") {
			t.Fatalf("oversized chunked ballot: %d %s", res.StatusCode, got)
		}
	}
	e.api("", "POST", "/api/v1/ballot/"+codes[0], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, nil)
}
