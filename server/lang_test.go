package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fetchWith GETs a path with the given headers and does not follow a redirect.
func (e *env) fetchWith(path string, header map[string]string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.base+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// The language of a page: the switch's cookie wins over Accept-Language; Chinese without either.
func TestI18nLanguageChoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		name   string
		header map[string]string
		want   string // text on the login page
		lang   string
	}{
		{"nothing asked", nil, "工作人员登录", `<html lang="zh-CN">`},
		{"browser prefers English", map[string]string{"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"}, "Staff sign-in", `<html lang="en">`},
		{"browser prefers Chinese", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "工作人员登录", `<html lang="zh-CN">`},
		{"switched to Chinese", map[string]string{"Accept-Language": "en", "Cookie": "lang=zh"}, "工作人员登录", `<html lang="zh-CN">`},
		{"switched to English", map[string]string{"Cookie": "lang=en"}, "Staff sign-in", `<html lang="en">`},
		{"pseudo-locale not offered", map[string]string{"Cookie": "lang=en-XA"}, "工作人员登录", `<html lang="zh-CN">`},
	}
	for _, c := range cases {
		res, page := e.fetchWith("/login", c.header)
		if res.StatusCode != 200 || !strings.Contains(page, c.want) || !strings.Contains(page, c.lang) {
			t.Errorf("%s: status %d, want %q and %q on: %.300s", c.name, res.StatusCode, c.want, c.lang, page)
		}
	}
	// The switch on a Chinese page leads to English and back to the same page.
	_, page := e.fetchWith("/login?next=%2Fpolls", nil)
	if !strings.Contains(page, `href="/lang/en?next=%2Flogin%3Fnext%3D%252Fpolls"`) || !strings.Contains(page, ">English</a>") {
		t.Errorf("no switch to English on the Chinese page: %s", page)
	}
	res, _ := e.fetchWith("/lang/en?next=%2Flogin%3Fnext%3D%252Fpolls", nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/login?next=%2Fpolls" || !strings.Contains(res.Header.Get("Set-Cookie"), "lang=en") {
		t.Errorf("switch: %d, Location %q, Set-Cookie %q", res.StatusCode, res.Header.Get("Location"), res.Header.Get("Set-Cookie"))
	}
	for _, next := range []string{"//evil.example", "https://evil.example/", "/\\evil.example"} {
		if res, _ := e.fetchWith("/lang/zh?next="+next, nil); res.Header.Get("Location") != "/" {
			t.Errorf("switch with next=%s goes to %q, not to this site", next, res.Header.Get("Location"))
		}
	}
	if res, _ := e.fetchWith("/lang/fr", nil); res.StatusCode != 404 || res.Header.Get("Set-Cookie") != "" {
		t.Errorf("an unknown language: %d, Set-Cookie %q", res.StatusCode, res.Header.Get("Set-Cookie"))
	}
}

// The API answers its message in the language of Accept-Language, with the same code.
func TestI18nAPIErrorLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for lang, want := range map[string]string{"": "用户名或密码不正确", "en-US,en;q=0.9": "The user name or password is wrong.", "zh-CN": "用户名或密码不正确"} {
		req, _ := http.NewRequest("POST", e.base+"/api/v1/sessions", strings.NewReader(`{"username":"admin","password":"wrong"}`))
		req.Header.Set("Content-Type", "application/json")
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Error struct{ Code, Message string }
		}
		json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if res.StatusCode != 401 || out.Error.Code != "unauthorized" || out.Error.Message != want {
			t.Errorf("Accept-Language %q: %d %+v, want unauthorized %q", lang, res.StatusCode, out.Error, want)
		}
	}
	// Fiber's own refusals (no such route) are said in English too.
	req, _ := http.NewRequest("POST", e.base+"/api/v1/nowhere", nil)
	req.Header.Set("Accept-Language", "en")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.Contains(string(b), `"code":"not_found"`) || !strings.Contains(string(b), "There is no such API endpoint.") {
		t.Errorf("unknown endpoint in English: %d %s", res.StatusCode, b)
	}
}
