package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
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
	// The staff layout names the signed-in person and role in the page's language.
	c, _ := e.browser("admin")
	if _, page := e.get(c, "/"); !strings.Contains(page, ">admin（管理员）</a>") {
		t.Errorf("the Chinese layout does not name admin（管理员）: %.2000s", page)
	}
	if _, page := e.get(c, "/lang/en?next=/"); !strings.Contains(page, ">admin (Administrator)</a>") || !strings.Contains(page, ">Sign out</button>") {
		t.Errorf("the English layout does not name admin (Administrator): %.2000s", page)
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

// A voter's pages follow the poll's language unless the voter switched; a ballot cast from
// the English page counts the same marks (its values stay the rule's Chinese terms).
func TestI18nVoterFollowsPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mk := func(lang string) (poll, []string) {
		var p poll
		e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Review " + lang, "unit_id": e.unitID, "lang": lang,
			"groups": []map[string]any{{"name": "Reps", "expected": 3}},
			"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice"}}}}}}, 201, &p)
		codes := e.tokensIn(p.ID, p.Groups[0].ID, 3)
		e.openPoll(p.ID)
		return p, codes
	}
	en, enCodes := mk("en")
	_, zhCodes := mk("zh")
	var got struct{ Lang string }
	e.api(e.admin, "GET", "/api/v1/polls/"+en.ID, nil, 200, &got)
	if got.Lang != "en" {
		t.Errorf("the API answers lang %q for an English poll", got.Lang)
	}
	cases := []struct {
		name, code string
		header     map[string]string
		want, lang string
	}{
		{"English poll", enCodes[0], nil, "Submit ballot", `<html lang="en"`},
		{"English poll, browser in Chinese", enCodes[0], map[string]string{"Accept-Language": "zh-CN"}, "Submit ballot", `<html lang="en"`},
		{"English poll, voter switched to Chinese", enCodes[0], map[string]string{"Cookie": "lang=zh"}, "提交选票", `<html lang="zh-CN"`},
		{"Chinese poll, browser in English", zhCodes[0], map[string]string{"Accept-Language": "en"}, "提交选票", `<html lang="zh-CN"`},
		{"Chinese poll, voter switched to English", zhCodes[0], map[string]string{"Cookie": "lang=en"}, "Submit ballot", `<html lang="en"`},
	}
	for _, c := range cases {
		res, page := e.fetchWith("/v/"+c.code, c.header)
		if res.StatusCode != 200 || !strings.Contains(page, c.want) || !strings.Contains(page, c.lang) {
			t.Errorf("%s: %d, want %q and %q: %.300s", c.name, res.StatusCode, c.want, c.lang, page)
		}
	}
	// A grade is shown with its English beside it; the English page's box for it is what
	// the voter sends.
	_, page := e.fetchWith("/v/"+enCodes[1], nil)
	m := regexp.MustCompile(`name="f1\.s1" value="([^"]*)"[^>]*><span>称职 / competent</span>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the English ballot does not offer 称职 / competent: %s", page)
	}
	// Voting from the English page, then refused in English: the used code names its state.
	if status, body := e.vote(enCodes[1], url.Values{"f1.s1": {m[1]}}); status != 200 || !strings.Contains(body, "Vote cast") {
		t.Fatalf("vote with the English page's 称职 (%q): %d %.300s", m[1], status, body)
	}
	if res, body := e.fetchWith("/v/"+enCodes[1], nil); res.StatusCode != 409 || !strings.Contains(body, "This voting code has voted") {
		t.Errorf("the used code of an English poll: %d %.400s", res.StatusCode, body)
	}
	if status, body := e.vote(enCodes[2], url.Values{}); status != 422 || !strings.Contains(body, "1 item below is not filled in as required") || !strings.Contains(body, "Alice (no grade chosen)") {
		t.Errorf("a blank line on the English page: %d %s", status, body)
	}
	// The API says the same in the language its client asks for; codes and ids stay.
	req, _ := http.NewRequest("POST", e.base+"/api/v1/ballot/"+enCodes[2], strings.NewReader(`{"ballot":{"forms":[{"form":"f1","lines":{}}]}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en-US")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 422 || !strings.Contains(string(b), `"code":"spoilt_lines"`) || !strings.Contains(string(b), `"line":"s1","label":"Alice","reason":"no grade chosen"`) {
		t.Errorf("a blank line through the API in English: %d %s", res.StatusCode, b)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+en.ID+"/close", nil, 200, nil)
	e.countPoll(en.ID, nil)
	// 称职 is the second grade: the English page's ballot counts as a Chinese one would.
	if got := e.countedTally(en.ID).Forms[0].Evaluation.Subjects[0].Total.Votes; len(got) != 4 || got[1] != 1 || got[0]+got[2]+got[3] != 0 {
		t.Errorf("the English ballot counted as %v, want one 称职", got)
	}
}

// The big screen speaks its poll's language, as the poll's voters' pages do, until someone
// at the projector switches; its switch is on the page.
func TestI18nScreenFollowsPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Review en", "unit_id": e.unitID, "lang": "en",
		"groups": []map[string]any{{"name": "Reps", "expected": 3}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice"}}}}}}, 201, &p)
	var screen struct{ URL string }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/screen", nil, 200, &screen)
	path := screen.URL[strings.Index(screen.URL, "/screen/"):]
	for _, c := range []struct {
		name    string
		header  map[string]string
		lang    string
		switch_ string
	}{
		{"English poll, projector's browser in Chinese", map[string]string{"Accept-Language": "zh-CN"}, `<html lang="en"`, `href="/lang/zh?next=` + url.QueryEscape(path) + `"`},
		{"English poll, switched to Chinese", map[string]string{"Cookie": "lang=zh"}, `<html lang="zh-CN"`, `href="/lang/en?next=` + url.QueryEscape(path) + `"`},
	} {
		res, page := e.fetchWith(path, c.header)
		if res.StatusCode != 200 || !strings.Contains(page, c.lang) || !strings.Contains(page, c.switch_) {
			t.Errorf("%s: %d, want %q and the switch %q: %.600s", c.name, res.StatusCode, c.lang, c.switch_, page)
		}
	}
	var live struct {
		StateLabel string `json:"state_label"`
	}
	res, body := e.fetchWith(path+"/turnout", map[string]string{"Accept-Language": "zh-CN"})
	if err := json.Unmarshal([]byte(body), &live); err != nil || res.StatusCode != 200 || live.StateLabel == "" || strings.ContainsFunc(live.StateLabel, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("the English poll's screen turnout: %d, state label %q (%v)", res.StatusCode, live.StateLabel, err)
	}
}
