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
	// draftCode is a voting code of a poll not yet open.
	draftCode string
}

// pseudoPage is one page to check: its address in the fixture and, for a page answering
// a form, the form posted to it.
type pseudoPage struct {
	name   string
	staff  bool // fetched as the signed-in admin
	path   func(f *pseudoFixture) string
	form   func(f *pseudoFixture) url.Values // nil: GET
	status int                               // 0: 200
	// do fetches the page itself (an upload, another person's browser) instead of form
	do  func(f *pseudoFixture, c *http.Client) (*http.Response, error)
	api bool // a JSON answer (in English: the API speaks by Accept-Language only), no page
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
	{name: "teller key page", path: func(f *pseudoFixture) string { return f.tellerSeat() }},
	{name: "organizer key page", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.pollArea().organizer.ID + "/ceremony" },
		form: func(f *pseudoFixture) url.Values { return url.Values{} }},
	{name: "big screen", path: func(f *pseudoFixture) string { return "/screen/" + f.pollArea().screen }},
	{name: "big screen turnout JSON", path: func(f *pseudoFixture) string { return "/screen/" + f.pollArea().screen + "/turnout" }, api: true},
	{name: "poll page, 300 groups by region", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.scaleArea().regions.ID }},
	{name: "big screen, 300 groups by region", path: func(f *pseudoFixture) string { return "/screen/" + f.scaleArea().regionsScreen }},
	{name: "big screen, 300 groups without regions", path: func(f *pseudoFixture) string { return "/screen/" + f.scaleArea().flatScreen }},

	// The voter's side. Codes 0–2 of f.codes are used here (2 votes); 3 and 4 are free.
	{name: "code entry", path: at("/v")},
	{name: "code entry, bad code", path: at("/v"), form: func(*pseudoFixture) url.Values { return url.Values{"code": {"12"}} }, status: 400},
	{name: "unknown token", path: at("/v/ABCD-EFGH-JKMN-PQRS"), status: 404},
	{name: "ballot, every kind of form", path: func(f *pseudoFixture) string { return "/v/" + f.codes[0] }},
	{name: "ballot in large text", path: func(f *pseudoFixture) string { return "/v/" + f.codes[0] + "?big=1" }},
	{name: "ballot, blank lines to confirm", path: func(f *pseudoFixture) string { return "/v/" + f.codes[0] },
		form: func(*pseudoFixture) url.Values { return url.Values{} }, status: 422},
	{name: "ballot, too many recommended", path: func(f *pseudoFixture) string { return "/v/" + f.codes[1] },
		form: func(*pseudoFixture) url.Values {
			return url.Values{"f1.s1": {"称职"}, "f2.p1": {"c1", "c2"}, "f4.n1": {"同意", "不同意"}}
		}, status: 400},
	{name: "ballot, score off its step", path: func(f *pseudoFixture) string { return "/v/" + f.codes[1] },
		form: func(*pseudoFixture) url.Values { return url.Values{"f1.s1": {"称职"}, "f7.s1": {"101"}} }, status: 400},
	{name: "done, with receipt", path: func(f *pseudoFixture) string { return "/v/" + f.codes[2] },
		form: func(*pseudoFixture) url.Values { return url.Values{"f1.s1": {"称职"}} }},
	{name: "token used", path: func(f *pseudoFixture) string { return "/v/" + f.codes[2] }, status: 409},
	{name: "voting not open", path: func(f *pseudoFixture) string { return "/v/" + f.draftCode }, status: 409},
	{name: "receipt check", path: at("/receipt")},
	{name: "receipt check, bad code", path: at("/receipt?code=12")},
	{name: "receipt check, not found", path: at("/receipt?code=ABCD-EFGH-JKMN-PQRS")},
	{name: "about", path: at("/about")},
	{name: "verify", path: at("/verify")},
	{name: "verify, no file", path: at("/verify"), form: func(*pseudoFixture) url.Values { return url.Values{"receipt": {""}} }, status: 400},
	// the poll's staff pages (the poll page, the big screen and the teller pages aside)
	{name: "polls", staff: true, path: at("/")},
	{name: "poll templates", staff: true, path: at("/polls/new")},
	{name: "builder, recommendation", staff: true, path: at("/polls/new?template=recommendation")},
	{name: "builder, annual", staff: true, path: at("/polls/new?template=annual")},
	{name: "builder, probation", staff: true, path: at("/polls/new?template=probation")},
	{name: "builder, review", staff: true, path: at("/polls/new?template=review")},
	{name: "builder, approval", staff: true, path: at("/polls/new?template=approval")},
	{name: "builder, survey", staff: true, path: at("/polls/new?template=survey")},
	{name: "builder, scoring", staff: true, path: at("/polls/new?template=scoring")},
	{name: "builder, mutual", staff: true, path: at("/polls/new?template=mutual")},
	{name: "builder, form added", staff: true, path: at("/polls"), form: builderForm(map[string]string{"add": "survey"})},
	{name: "builder, no title", staff: true, path: at("/polls"), form: builderForm(map[string]string{"title": "", "save": "1"}), status: 400},
	{name: "builder, bad group line", staff: true, path: at("/polls"), form: builderForm(map[string]string{"groups": "Staff forty", "save": "1"}), status: 400},
	{name: "builder, bad subject", staff: true, path: at("/polls"), form: builderForm(map[string]string{"f0_subjects": "\n", "save": "1"}), status: 400},
	{name: "builder, bad threshold", staff: true, path: at("/polls"), form: builderForm(map[string]string{"f0_t_adjust": "two thirds", "save": "1"}), status: 400},
	{name: "builder, no file to import", staff: true, path: at("/polls"), form: builderForm(map[string]string{"import": "f0_subjects"}), status: 400},
	{name: "count", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/count" }},
	{name: "codes issued again", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/tokens" },
		form: (*pseudoFixture).issuedTwice, status: 409},
	{name: "teller links", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.tellerPoll() + "/ceremony" },
		form: func(*pseudoFixture) url.Values { return url.Values{} }},
	{name: "deliveries", staff: true, path: at("/admin/deliveries")},
	{name: "deliveries, bad receiver", staff: true, path: at("/admin/receivers"), form: func(*pseudoFixture) url.Values {
		return url.Values{"name": {"Archive"}, "url": {"ftp://x"}, "secret": {"short"}}
	}, status: 400},
	// records, cadres, selections and administration (the empty states first: the rows
	// after them make the data, f.records)
	{name: "cadres, empty register", staff: true, path: at("/cadres")},
	{name: "records, empty year", staff: true, path: at("/records")},
	{name: "selections, none", staff: true, path: at("/selections")},
	{name: "cadres, add refused", staff: true, path: at("/cadres"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"unit_id": {f.unitID}, "name": {""}, "birth_year": {"1800"}}
	}, status: 400},
	{name: "cadres, added", staff: true, path: at("/cadres"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"unit_id": {f.unitID}, "name": {"Judy"}, "gender": {"女"}, "birth_year": {"1980"}, "post": {"Clerk"}}
	}},
	{name: "cadres, register", staff: true, path: func(f *pseudoFixture) string { f.records(); return "/cadres" }},
	{name: "cadre history", staff: true, path: func(f *pseudoFixture) string { return "/cadres/" + f.records().cadre }},
	{name: "selection", staff: true, path: func(f *pseudoFixture) string { return "/selections/" + f.records().selection }},
	{name: "selections", staff: true, path: at("/selections")},
	{name: "selection, created", staff: true, path: at("/selections"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"unit_id": {f.unitID}, "post": {"Head"}}
	}},
	{name: "selection, create refused", staff: true, path: at("/selections"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"unit_id": {f.unitID}, "post": {""}}
	}, status: 400},
	{name: "selection, step recorded", staff: true, path: func(f *pseudoFixture) string { return "/selections/" + f.records().selection + "/steps" },
		form: func(f *pseudoFixture) url.Values {
			return url.Values{"kind": {"考察"}, "date": {"2026-03-03"}, "note": {"Talks"}}
		}},
	{name: "selection, step refused", staff: true, path: func(f *pseudoFixture) string { return "/selections/" + f.records().selection + "/steps" },
		form: func(f *pseudoFixture) url.Values { return url.Values{"kind": {"考察"}, "date": {"March"}} }, status: 400},
	// the count's conclusions: flags, rule sentences, notes and filed summaries
	{name: "tally page with flags", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.flagged().counted + "/tally" }},
	{name: "tally page below quorum", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.flagged().below + "/tally" }},
	{name: "records with flags", staff: true, path: func(f *pseudoFixture) string { f.flagged(); return "/records?year=2019" }},
	{name: "account", staff: true, path: at("/account")},
	{name: "account, wrong password", staff: true, path: at("/account/password"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"current": {"wrong"}, "new": {"0123456789ab"}}
	}, status: 400},
	{name: "account, short password", staff: true, path: at("/account/password"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"current": {password}, "new": {"short"}}
	}, status: 400},
	{name: "account, API token", staff: true, path: at("/account/api-token"), form: func(*pseudoFixture) url.Values { return url.Values{} }},
	{name: "units", staff: true, path: at("/admin/units")},
	{name: "units, name taken", staff: true, path: at("/admin/units"), form: func(*pseudoFixture) url.Values {
		return url.Values{"name": {"Unit A"}}
	}, status: 400},
	{name: "staff", staff: true, path: at("/admin/staff")},
	{name: "staff, created", staff: true, path: at("/admin/staff"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"username": {"clerk1"}, "name": {"Kim"}, "role": {"organizer"}, "unit_id": {f.unitID}}
	}},
	{name: "staff, refused", staff: true, path: at("/admin/staff"), form: func(f *pseudoFixture) url.Values {
		return url.Values{"username": {"bad name"}, "name": {"Lee"}, "role": {"teller"}, "unit_id": {f.unitID}}
	}, status: 400},
	// the last strings built in code: verify notes, refusals by role, a survey sheet's bad row
	{name: "verify, bundle passes", path: at("/verify"), do: verifyUpload(func(a *restArea) []byte { return a.bundle })},
	{name: "verify, bundle changed", path: at("/verify"), do: verifyUpload(func(a *restArea) []byte { return a.broken })},
	{name: "refused by role, page", path: at("/polls/new"), do: refusedPage, status: 403},
	{name: "refused by role, API", path: at("/api/v1/polls"), do: refusedAPI, api: true, status: 403},
	{name: "builder, survey sheet with a bad row", staff: true, path: at("/polls"), do: surveySheet, status: 400},
	// the count and after it: a counted poll's pages, the pages of a count waiting for the
	// tellers' or the organizer's devices, the ballot's preview and paper entry, and the
	// voter's notices of a code refused for its poll's or its own state (f.countArea)
	{name: "poll page, counted", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().counted.ID }},
	{name: "count page, counted", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().counted.ID + "/count" }},
	{name: "next round of a recommendation", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().counted.ID + "/next-round" }},
	{name: "poll page, count waiting for the tellers", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().tellers.ID }},
	{name: "count page, waiting for the tellers", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().tellers.ID + "/count" }},
	{name: "teller page at count time", path: func(f *pseudoFixture) string { return f.countArea().seat }},
	{name: "organizer key page at count time", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().ownerKey.ID + "/ceremony" },
		form: func(f *pseudoFixture) url.Values { return url.Values{} }},
	{name: "ballot preview", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/preview" }},
	{name: "paper entry", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.poll.ID + "/paper" }},
	{name: "token of a poll over", path: func(f *pseudoFixture) string { return "/v/" + f.countArea().closedCode }, status: 409},
	{name: "token voided", path: func(f *pseudoFixture) string { return "/v/" + f.countArea().voidCode }, status: 410},
	{name: "staff error page (next round of a poll not counted)", staff: true, path: func(f *pseudoFixture) string { return "/polls/" + f.countArea().ownerKey.ID + "/next-round" }, status: 403},
	{name: "token changed to paper", path: func(f *pseudoFixture) string { return "/v/" + f.countArea().paperCode }, status: 409},
}

func newPseudoFixture(t *testing.T) *pseudoFixture {
	t.Helper()
	logs := &syncBuffer{}
	url0 := dbtest.URL(t)
	st, base, metrics := startInstance(t, url0, logs, func(c *server.Config) { c.PseudoLocale = true }, noPools)
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
	var draft poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Later", "unit_id": e.unitID, "lang": "en",
		"groups": []map[string]any{{"name": "Staff reps", "expected": 5}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Ivan"}}}}}}, 201, &draft)
	f.draftCode = e.tokensIn(draft.ID, draft.Groups[0].ID, 1)[0]
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
	codes      = regexp.MustCompile(`<code>[^<]*</code>`)
)

func outside(page string) []string {
	page = markers.ReplaceAllString(page, "⟦⟧")
	page = sentValues.ReplaceAllString(page, `value=""`)
	page = codes.ReplaceAllString(page, "<code></code>") // a batch's hint (ABCD…WXYZ) is data, as printed on its slips
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
		r == '“' || r == '”' || r == '‘' || r == '’'
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
			if pg.do != nil {
				res, err = pg.do(f, c)
			} else if pg.form != nil {
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
			if !pg.api && !strings.Contains(page, `<html lang="en-XA"`) {
				t.Errorf("the page is not marked as the pseudo-locale's: %.200s", page)
			}
			if !pg.api && !strings.Contains(page, "⟦") {
				t.Errorf("no message of the catalogue on the page: %.400s", page)
			}
			for _, s := range outside(page) {
				t.Errorf("Chinese outside the catalogue: %s", s)
			}
		})
	}
}
