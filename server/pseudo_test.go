package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"minyi/server"
	"minyi/store/dbtest"
)

// The pseudo-locale test: every page of pseudoPages is rendered in i18n.Pseudo, where each
// message of the catalogue comes out as ⟦Áççéñtéd Éñglísh⟧. Chinese left anywhere else is
// text that bypasses the catalogue. The fixture's own data (titles, names, options) is
// ASCII, so whatever Chinese remains is the page's.

// pseudoFixture is a server offering the pseudo-locale, with a poll of every kind of form.
type pseudoFixture struct {
	*env
	voter *http.Client // a voter's browser: no session, the lang cookie only
	staff *http.Client // the admin signed in, with the lang cookie
	csrf  string
	poll  poll     // every kind of form, open
	codes []string // its voting codes, unused
}

// pseudoPage is one page to check: its address in the fixture and, for a page answering
// a form, the form posted to it.
type pseudoPage struct {
	name   string
	staff  bool // fetched as the signed-in admin
	path   func(f *pseudoFixture) string
	form   func(f *pseudoFixture) url.Values // nil: GET
	status int                               // 0: 200
}

func at(p string) func(*pseudoFixture) string { return func(*pseudoFixture) string { return p } }

// pseudoPages are the pages checked. Staff pages join this list as they are converted.
var pseudoPages = []pseudoPage{
	{name: "login", path: at("/login")},
	{name: "login, wrong password", path: at("/login"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"_csrf": {f.field("/login", "_csrf")}, "username": {"nobody"}, "password": {"wrong"}}
	}, status: 401},
	{name: "error page", path: at("/no-such-page"), status: 404},
	// the poll page, the big screen, the teller's and the organizer's key pages
	{name: "poll page, open", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID }},
	{name: "poll page, flash after contact change", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/contact" },
		form: func(f *pseudoFixture) url.Values { return url.Values{"contact": {"Call Ann 555-0100"}} }},
	{name: "poll page, expected refused", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/expected" },
		form: func(f *pseudoFixture) url.Values {
			return url.Values{"group_id": {f.poll.Groups[0].ID}, "expected": {"many"}}
		}, status: 400},
	{name: "poll page, closing time refused", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/schedule" },
		form: func(f *pseudoFixture) url.Values { return url.Values{"close_at": {"soon"}} }, status: 400},
	{name: "poll page, draft with tellers", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().tellers.ID }},
	{name: "poll page, draft with the organizer's key", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().organizer.ID }},
	{name: "poll page, closed", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().closed.ID }},
	{name: "teller links", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().tellers.ID + "/ceremony" },
		form: func(f *pseudoFixture) url.Values { return url.Values{} }},
	{name: "teller key page", path: func(f *pseudoFixture) string { return f.tellerSeat() }},
	{name: "organizer key page", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().organizer.ID + "/ceremony" },
		form: func(f *pseudoFixture) url.Values { return url.Values{} }},
	{name: "big screen", path: func(f *pseudoFixture) string { return "/screen/" + f.pollArea().screen }},
}

func newPseudoFixture(t *testing.T) *pseudoFixture {
	t.Helper()
	logs := &syncBuffer{}
	url0 := dbtest.URL(t)
	st, base, metrics := startInstance(t, url0, logs, func(c *server.Config) { c.PseudoLocale = true })
	e := &env{t: t, st: st, logs: logs, url: url0, base: base, metrics: metrics}
	u, err := st.CreateUnit(ctx, "Unit A")
	if err != nil {
		t.Fatal(err)
	}
	e.unitID = u.ID
	e.addStaff("admin", "admin", "")
	e.admin = e.login("admin")
	f := &pseudoFixture{env: e}
	f.staff, f.csrf = e.browser("admin")
	jar, _ := cookiejar.New(nil)
	f.voter = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b, _ := url.Parse(base)
	for _, c := range []*http.Client{f.voter, f.staff} {
		c.Jar.SetCookies(b, []*http.Cookie{{Name: "lang", Value: "en-XA", Path: "/"}})
	}
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Annual review", "unit_id": e.unitID, "lang": "en",
		"groups": []map[string]any{{"name": "Staff reps", "expected": 5}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice", "post": "Director"}}}},
			{"kind": "recommendation", "title": "Recommendation", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "Bob", "post": "Head"}, {"name": "Carol"}}}}}},
			{"kind": "recommendation", "title": "One by one", "recommendation": map[string]any{"shape": "per_candidate", "positions": []map[string]any{
				{"title": "Secretary", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "Dan"}, {"name": "Eve"}}}}}},
			{"kind": "approval", "title": "Vote", "approval": map[string]any{"nominees": []map[string]string{{"name": "Frank", "post": "Head"}}}},
			{"kind": "review", "title": "Review", "review": map[string]any{"overall": "Overall",
				"cadres": []map[string]string{{"name": "Grace", "post": "Chief"}}}},
			{"kind": "survey", "title": "Survey", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "Role", "options": []string{"Staff", "Public"}},
				{"kind": "multiple", "title": "Topics", "options": []string{"A", "B", "C"}, "max": 2},
				{"kind": "matrix", "title": "Work", "options": []string{"Good", "Poor"}, "rows": []string{"Row one", "Row two"}},
				{"kind": "rating", "title": "Score"},
				{"kind": "text", "title": "Ideas", "max_len": 100}}}},
			{"kind": "scoring", "title": "Scores", "scoring": map[string]any{"subjects": []map[string]string{{"name": "Heidi", "post": "Chief"}}}},
		}}, 201, &f.poll)
	f.codes = e.tokensIn(f.poll.ID, f.poll.Groups[0].ID, 5)
	e.openPoll(f.poll.ID)
	return f
}

// field reads a form field's value from a page, as the voter's browser gets it.
func (f *pseudoFixture) field(path, name string) string {
	f.t.Helper()
	res, err := f.voter.Get(f.base + path)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindSubmatch(b)
	if m == nil {
		f.t.Fatalf("no field %s on %s", name, path)
	}
	return string(m[1])
}

// outside finds the Chinese of a page outside the pseudo-locale's markers: the markers'
// text, the values a form sends back (a grade's value stays Chinese, as the count reads it)
// and the switch's name of Chinese itself are not the page's to translate.
var (
	markers    = regexp.MustCompile(`⟦[^⟧]*⟧`)
	sentValues = regexp.MustCompile(`value="[^"]*"`)
)

func outside(page string) []string {
	page = markers.ReplaceAllString(page, "⟦⟧")
	page = sentValues.ReplaceAllString(page, `value=""`)
	page = strings.ReplaceAll(page, `hreflang="zh-CN">中文</a>`, "")
	var found []string
	rs := []rune(page)
	for i := 0; i < len(rs); i++ {
		if !cjk(rs[i]) {
			continue
		}
		j := i
		for j < len(rs) && (cjk(rs[j]) || rs[j] == ' ') {
			j++
		}
		from, to := max(0, i-40), min(len(rs), j+20)
		found = append(found, string(rs[i:j])+"   in …"+string(rs[from:to])+"…")
		i = j
	}
	return found
}

// cjk is a Chinese character or punctuation (，。：“” are Chinese too on an English page).
func cjk(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) ||
		r == '“' || r == '”' || r == '‘' || r == '’' || r == '…'
}

func TestPseudoLocale(t *testing.T) {
	t.Parallel()
	f := newPseudoFixture(t)
	for _, pg := range pseudoPages {
		t.Run(pg.name, func(t *testing.T) {
			c := f.voter
			if pg.staff {
				c = f.staff
			}
			var res *http.Response
			var err error
			if pg.form != nil {
				form := pg.form(f)
				if pg.staff {
					form.Set("_csrf", f.csrf)
				}
				res, err = c.PostForm(f.base+pg.path(f), form)
			} else {
				res, err = c.Get(f.base + pg.path(f))
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			page := string(b)
			if want := max(pg.status, 200); res.StatusCode != want {
				t.Fatalf("status %d, want %d: %.400s", res.StatusCode, want, page)
			}
			if !strings.Contains(page, `<html lang="en-XA"`) {
				t.Errorf("the page is not marked as the pseudo-locale's: %.200s", page)
			}
			if !strings.Contains(page, "⟦") {
				t.Errorf("no message of the catalogue on the page: %.400s", page)
			}
			for _, s := range outside(page) {
				t.Errorf("Chinese outside the catalogue: %s", s)
			}
		})
	}
}
