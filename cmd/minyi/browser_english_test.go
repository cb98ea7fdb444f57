package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"minyi/ballot"
	"minyi/ballot/elgamal"
)

// inEnglish is a selector that matches only on a page that says it is English.
func inEnglish(sel string) css { return css(`html[lang="en"] ` + sel) }

// phone375 is the organizer's phone: 375 px wide at twice the pixels.
var phone375 = chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))

// postForm sends a form as one of the page's own would, with the page's CSRF token. The
// form is submitted without a submit event, so the page's scripts (which would fetch a
// download instead) stay out of the way: the server's answer is the next page.
func postForm(action string, fields map[string]string) chromedp.Action[chromedp.Void] {
	fs, _ := json.Marshal(fields)
	js := fmt.Sprintf(`(() => { const f = document.createElement("form"); f.method = "post"; f.action = %q;
	  const add = (n, v) => { const i = document.createElement("input"); i.type = "hidden"; i.name = n; i.value = v; f.appendChild(i) };
	  add("_csrf", document.querySelector("input[name=_csrf]").value);
	  for (const [n, v] of Object.entries(%s)) add(n, v);
	  document.body.appendChild(f); f.submit(); return true })()`, action, fs)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](js)(ctx, tg)
		return err
	})
}

// newPage runs steps that load a new page, and waits until the new page has come: a
// question asked while the page navigates fails, and one asked too soon reads the old page.
func newPage(steps ...chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.Evaluate[any](`window.stalePage = true`)(ctx, tg); err != nil {
			return err
		}
		for _, s := range steps {
			if _, err := s(ctx, tg); err != nil {
				return err
			}
		}
		for {
			if ok, err := chromedp.Evaluate[bool](`!window.stalePage && document.readyState === "complete"`)(ctx, tg); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// cjk finds Chinese characters in a page's words; glossed finds the official terms the
// English pages keep in Chinese beside their gloss (“称职 / competent”).
var cjk, glossed = regexp.MustCompile(`[\p{Han}，。：；（）“”、]+`), regexp.MustCompile(`[\p{Han}“”]+ / `)

// chineseLeft gives the Chinese the page shows outside the language switch (which names
// Chinese in Chinese), the glossed terms, the given fixture words and the elements data
// selects.
func chineseLeft(t *testing.T, ctx context.Context, scope, data string, fixture ...string) []string {
	t.Helper()
	drop := "a.lang, option, textarea, input"
	if data != "" {
		drop += ", " + data
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const m = document.querySelector(%q).cloneNode(true);
	  m.querySelectorAll(%q).forEach(e => e.remove()); return m.innerText })()`, scope, drop)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixture {
		s = strings.ReplaceAll(s, f, "")
	}
	s = glossed.ReplaceAllString(s, "")
	return cjk.FindAllString(s, -1)
}

// Every staff page and state the other English passes do not reach, on a 375 px phone in
// English: no sideways scroll, axe at WCAG 2.1 AA, and no Chinese of the application's own
// left on a page whose fixtures are English. The states: a failed login; the builder with
// a form of every kind, refusing a wrong list and an import without a file; a draft whose
// key the organizer holds, a rehearsal, a closed poll not yet counted; tokens and codes
// issued again; an unknown poll; the account's new API token and a wrong password; a new
// staff account's password; a failed register import; a unit refused (a name taken, an
// empty one); paper ballots entered twice by two people who differ, and a sheet refused;
// the count with those entries unchecked, with a share typed on its page refused, and
// waiting for the tellers; the count on the key holder's device refusing a wrong share;
// and the refusals (403) a teller and an organizer meet. Its accounts are named afresh
// each run: the tests beside it, and a second run, share the server.
func TestEnglishStaffStatesOnPhone(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID, Name string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	u := units.Units[0].ID
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffff)
	tellerName, organizerName, readerName := "en375_teller_"+run, "en375_organizer_"+run, "en375_reader_"+run
	form := []map[string]any{{"kind": "evaluation", "title": "Leadership review form", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Ouyang Mingyuan-Longname", "post": "Deputy Director of the County Development and Reform Bureau"}}}}}
	var draft, rehearsal, issued pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "English phone check: a draft with its key kept by the organizer", "unit_id": u, "lang": "en",
		"groups": []map[string]any{{"name": "Staff reps of county bureaus", "expected": 30}}, "forms": form}, 201, &draft)
	a.call("POST", "/api/v1/polls", map[string]any{"title": "English phone check: rehearsal", "unit_id": u, "lang": "en",
		"groups": []map[string]any{{"name": "Staff representatives", "expected": 30}}, "forms": form}, 201, &rehearsal)
	ownKey(t, app.base, a.token, rehearsal.ID)
	a.call("POST", "/api/v1/polls/"+rehearsal.ID+"/rehearsal", nil, 200, nil)
	a.call("POST", "/api/v1/polls", map[string]any{"title": "English phone check: slips and codes issued again", "unit_id": u, "lang": "en",
		"groups": []map[string]any{{"name": "Staff representatives", "expected": 30}}, "forms": form}, 201, &issued)
	slipsKey, codesKey := "en375-slips-"+run, "en375-codes-"+run
	a.call("POST", "/api/v1/polls/"+issued.ID+"/tokens", map[string]any{"group_id": issued.Groups[0].ID, "count": 2, "idempotency_key": slipsKey}, 201, nil)
	a.call("POST", "/api/v1/polls/"+issued.ID+"/codes", map[string]any{"per_group": 3, "idempotency_key": codesKey}, 200, nil)
	closed, _ := a.evaluationPoll("English phone check: closed, not counted", []string{"Zhao Yi"}, 1)
	a.call("POST", "/api/v1/polls/"+closed.ID+"/close", nil, 200, nil)
	// A teller and an organizer of the unit, for the refusals.
	for _, st := range []map[string]string{{"username": tellerName, "name": "Teller Smith", "role": "teller"}, {"username": organizerName, "name": "Organizer Jones", "role": "organizer"}} {
		st["unit_id"], st["password"] = u, "en375 password 1"
		a.call("POST", "/api/v1/staff", st, 201, nil)
	}
	// An open poll with a slip turned to paper, for the paper entries and then the count.
	var paper pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "English phone check: paper ballots and the count", "unit_id": u, "lang": "en",
		"groups": []map[string]any{{"name": "Staff representatives", "expected": 30}}, "forms": form}, 201, &paper)
	var paperSlips struct{ Tokens []struct{ Code string } }
	a.call("POST", "/api/v1/polls/"+paper.ID+"/tokens", map[string]any{"group_id": paper.Groups[0].ID, "count": 2}, 201, &paperSlips)
	a.openPoll(paper.ID)
	a.call("POST", "/api/v1/polls/"+paper.ID+"/tokens/paper", map[string]string{"code": paperSlips.Tokens[1].Code}, 200, nil)

	// What the fixtures and the server's seed name in Chinese: the unit, the first admin,
	// the closed poll's group, form and post.
	seeded := []string{units.Units[0].Name, "管理员", "职工代表", "领导干部民主测评表", "副局长"}
	fixture := seeded
	c := &a11yCheck{t: t, ctx: browser(t), rules: map[string]int{}}
	var wide, chinese []string
	// data names the cells of a list that the tests running beside this one fill with
	// their own Chinese names (the staff list, the cadre register): not the page's words.
	data := ""
	check := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c.page(name+" (English, 375 px)", steps...)
		if !evalBool(t, c.ctx, `document.documentElement.lang === "en"`) {
			t.Fatalf("%s: the page is not in English", name)
		}
		if !evalBool(t, c.ctx, fits(375)) {
			w, _ := chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			culprits, _ := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 376 && !e.closest("table")).slice(0, 5).map(e => e.tagName + "." + e.className + " " + (e.textContent || "").trim().slice(0, 24))`))
			wide = append(wide, fmt.Sprintf("%s: %d px wide (%v)", name, w, culprits))
			screenshot(c.ctx, "en375-wide-"+strings.ReplaceAll(name, " ", "_"))
		}
		if left := chineseLeft(t, c.ctx, "body", data, fixture...); len(left) > 0 {
			chinese = append(chinese, fmt.Sprintf("%s: %q", name, left))
		}
		screenshot(c.ctx, "en375-"+strings.ReplaceAll(name, " ", "_"))
	}
	signIn := func(user, password string) {
		t.Helper()
		if err := chromedp.Do(c.ctx, chromedp.Navigate(app.base+"/login"), chromedp.WaitVisible(inEnglish(`input[name=username]`)),
			chromedp.SendKeys(css(`input[name=username]`), user), chromedp.SendKeys(css(`input[name=password]`), password),
			chromedp.Submit(css(`input[name=password]`)), chromedp.WaitVisible(css(`a[href="/account"]`))); err != nil {
			screenshot(c.ctx, "en375-signin-"+user)
			t.Fatalf("sign in as %s: %v", user, err)
		}
	}

	do(t, c.ctx, phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(inEnglish(`input[name=username]`)))
	// A wrong password for an account of this test's own: five in a row would lock it.
	check("login, wrong password", chromedp.SendKeys(css(`input[name=username]`), organizerName), chromedp.SendKeys(css(`input[name=password]`), "not the password"),
		chromedp.Submit(css(`input[name=password]`)), chromedp.WaitVisible(inEnglish(`.error`)))
	signIn("admin", app.password)

	// A browser's time is bounded: the pages go in three browsers, each switched to English.
	fresh := func() {
		c.ctx = browser(t)
		do(t, c.ctx, phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(inEnglish(`input[name=username]`)))
		signIn("admin", app.password)
	}
	// The builder with every kind of form, then its refusals.
	do(t, c.ctx, chromedp.Navigate(app.base+"/polls/new?template=evaluation"), chromedp.WaitVisible(inEnglish(`textarea[name=f0_subjects]`)))
	for i, kind := range []string{"recommendation", "approval", "review", "scoring", "survey"} {
		do(t, c.ctx, click(css(`button[name=add][value=`+kind+`]`)), chromedp.WaitReady(css(fmt.Sprintf(`input[name=f%d_kind][value=%s]`, i+1, kind))))
	}
	// The builder says in Chinese what is typed in Chinese: a title's year, the review's
	// choices, the survey's kinds of question.
	fixture = append(seeded, "年度", "认同", "基本认同", "不认同", "不了解", "单选", "多选", "量表", "评分", "矩阵", "等次：好", "较好", "一般", "差", "填空")
	check("builder, a form of every kind")
	check("builder, a wrong list refused", chromedp.SetValue(css(`input[name=title]`), "English phone check: the builder"),
		chromedp.SetValue(css(`textarea[name=groups]`), "Staff reps of county bureaus many"),
		chromedp.SetValue(css(`textarea[name=f0_subjects]`), "Zhao Yi\tDirector"),
		click(css(`form[action="/polls"] button.primary`)), chromedp.WaitVisible(inEnglish(`main .error`)))
	// The refused list's page shows an error already: wait for the page that answers the
	// import to replace it, not for the error still there.
	check("builder, an import without a file", newPage(click(css(`button[name=import][value=f0_subjects]`))), chromedp.WaitVisible(inEnglish(`main .error`)))

	// The poll page in the states the other passes do not show.
	fixture = seeded
	fresh()
	check("poll page, draft, key with the organizer", chromedp.Navigate(app.base+"/polls/"+draft.ID), chromedp.WaitVisible(inEnglish("main h1")))
	check("poll page, rehearsal", chromedp.Navigate(app.base+"/polls/"+rehearsal.ID), chromedp.WaitVisible(inEnglish("main h1")))
	check("poll page, closed", chromedp.Navigate(app.base+"/polls/"+closed.ID), chromedp.WaitVisible(inEnglish("main h1")))
	// A second post of the issuing forms issues nothing and says where the first went.
	do(t, c.ctx, chromedp.Navigate(app.base+"/polls/"+issued.ID), chromedp.WaitVisible(inEnglish("#turnout")))
	check("slips issued again", postForm("/polls/"+issued.ID+"/tokens", map[string]string{"issue_key": slipsKey, "group_id": issued.Groups[0].ID, "count": "2"}),
		chromedp.WaitVisible(inEnglish("#issued-again")))
	do(t, c.ctx, chromedp.Navigate(app.base+"/polls/"+issued.ID), chromedp.WaitVisible(inEnglish("#turnout")))
	check("codes issued again", postForm("/polls/"+issued.ID+"/codes", map[string]string{"issue_key": codesKey, "per_group": "3"}),
		chromedp.WaitVisible(inEnglish("#issued-again")))
	if body := text(t, c.ctx, "#issued-again"); !strings.Contains(body, "the file downloaded then holds this batch") || !strings.Contains(body, "Staff representatives") {
		t.Errorf("codes issued again:\n%s", body)
	}
	check("unknown poll", chromedp.Navigate(app.base+"/polls/00000000-0000-0000-0000-000000000000"), chromedp.WaitVisible(inEnglish("section.narrow h1")))

	fresh()
	check("account, a new API token", chromedp.Navigate(app.base+"/account"), chromedp.WaitVisible(inEnglish("main h1")),
		click(css(`form[action="/account/api-token"] button`)), chromedp.WaitVisible(inEnglish("code.secret")))
	check("account, wrong password", chromedp.SendKeys(css(`input[name=current]`), "not the password"), chromedp.SendKeys(css(`input[name=new]`), "a new password 2"),
		click(css(`form[action="/account/password"] button`)), chromedp.WaitVisible(inEnglish("main .error")))
	data = "table td"
	check("staff, a new account's password", chromedp.Navigate(app.base+"/admin/staff"), chromedp.WaitVisible(inEnglish("main h1")),
		chromedp.SendKeys(css(`input[name=username]`), readerName), chromedp.SendKeys(css(`input[name=name]`), "Reader Brown-Featherstonehaugh"),
		chromedp.SetValue(css(`select[name=unit_id]`), u), click(css(`form[action="/admin/staff"] button`)), chromedp.WaitVisible(inEnglish("code.secret")))
	register := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(register, []byte("Name,Gender,Born,Post\nLi Si,unknown,next year,Director\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("cadres, a failed import", chromedp.Navigate(app.base+"/cadres"), chromedp.WaitVisible(inEnglish("main h1")),
		chromedp.SetUploadFiles(css(`input[name=register]`), []string{register}),
		click(css(`form[enctype="multipart/form-data"] button`)), chromedp.WaitVisible(inEnglish("main .error")))

	// A unit refused: a name already taken (the seeded unit's, typed as it is), an empty
	// one. The list holds the units of every test: not the page's words.
	fresh()
	check("units, a name already taken", chromedp.Navigate(app.base+"/admin/units"), chromedp.WaitVisible(inEnglish("main h1")),
		chromedp.SendKeys(css(`input[name=name]`), units.Units[0].Name), click(css(`form[action="/admin/units"] button`)), chromedp.WaitVisible(inEnglish("main .error")))
	check("units, an empty name", chromedp.SetValue(css(`input[name=name]`), "   "),
		newPage(click(css(`form[action="/admin/units"] button`))), chromedp.WaitVisible(inEnglish("main .error")))
	data = ""

	// Paper ballots: the admin enters a sheet, then a sheet with no group is refused.
	// pending is how many entries the page says wait for their second.
	pending := func() string {
		t.Helper()
		n, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`document.querySelectorAll("main section.card p strong")[2].textContent`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	check("paper entry, one entry waiting for its second", chromedp.Navigate(app.base+"/polls/"+paper.ID+"/paper"), chromedp.WaitVisible(inEnglish("#ballot")),
		chromedp.SetValue(css(`#ballot select[name=group_id]`), paper.Groups[0].ID), click(grade(1, "称职")),
		newPage(click(css(`#ballot button.primary`))), chromedp.WaitVisible(inEnglish(`form[action$="/paper/discard"]`)))
	if n := pending(); n != "1" || evalBool(t, c.ctx, `!!document.getElementById("paper-differ")`) {
		t.Errorf("after one entry the paper page says %s wait for their second, or that entries differ", n)
	}
	check("paper entry, a sheet without its group refused", postForm("/polls/"+paper.ID+"/paper", map[string]string{"f1.s1": "称职"}),
		chromedp.WaitVisible(inEnglish("main .error")))

	// Refused: a teller making a poll, an organizer at the admin's pages.
	do(t, c.ctx, click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(inEnglish(`input[name=username]`)))
	signIn(tellerName, "en375 password 1")
	check("a teller refused the builder (403)", chromedp.Navigate(app.base+"/polls/new"), chromedp.WaitVisible(inEnglish("section.narrow h1")))
	// The organizer's pages go in a browser of their own: a browser's time is bounded.
	c.ctx = browser(t)
	do(t, c.ctx, phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(inEnglish(`input[name=username]`)))
	signIn(organizerName, "en375 password 1")
	check("an organizer refused the staff list (403)", chromedp.Navigate(app.base+"/admin/staff"), chromedp.WaitVisible(inEnglish("section.narrow h1")))

	// The organizer enters the same sheet otherwise: the two entries differ, both wait.
	check("paper entry, two entries that differ", chromedp.Navigate(app.base+"/polls/"+paper.ID+"/paper"), chromedp.WaitVisible(inEnglish("#ballot")),
		chromedp.SetValue(css(`#ballot select[name=group_id]`), paper.Groups[0].ID), click(grade(1, "基本称职")),
		newPage(click(css(`#ballot button.primary`))), chromedp.WaitVisible(inEnglish(`form[action$="/paper/discard"]`)))
	if n := pending(); n != "2" || !evalBool(t, c.ctx, `!!document.getElementById("paper-differ")`) {
		t.Errorf("after two entries that differ the paper page says %s wait for their second, or does not say that they differ", n)
	}
	// The count: the entries not checked, a share typed on the page refused, then started
	// and waiting for the key's holder, who types a share that is not this seat's.
	a.call("POST", "/api/v1/polls/"+paper.ID+"/close", nil, 200, nil)
	check("count, paper entries not checked", chromedp.Navigate(app.base+"/polls/"+paper.ID+"/count"), chromedp.WaitVisible(inEnglish(`input[name=confirm_paper_pending]`)))
	check("count, a share typed on its page refused", postForm("/polls/"+paper.ID+"/count", map[string]string{"share": "ABCD-EFGH-JKMN-PQRS", "confirm_paper_pending": "1"}),
		chromedp.WaitVisible(inEnglish(`main .error`)))
	check("count, waiting for the tellers", postForm("/polls/"+paper.ID+"/count", map[string]string{"confirm_paper_pending": "1"}),
		chromedp.WaitVisible(inEnglish(`#device-count`)))
	var seat struct{ Links []struct{ URL string } }
	postJSON(t, app.base+"/api/v1/polls/"+paper.ID+"/ceremony", a.token, nil, &seat)
	if len(seat.Links) != 1 {
		t.Fatalf("the organizer's seat at the count: %d links", len(seat.Links))
	}
	wrong, err := elgamal.NewScalar(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	check("count on the key holder's device, a wrong share", chromedp.Navigate(seat.Links[0].URL), chromedp.WaitVisible(inEnglish(`#count-form`)),
		chromedp.SetValue(css(`#count-code`), elgamal.EncodeShare(paper.ID, 1, wrong)), click(css(`#count-go`)), chromedp.WaitVisible(inEnglish(`#error`)))
	if e := text(t, c.ctx, "#error"); !strings.Contains(e, "does not match this seat") {
		t.Errorf("a wrong share on the key holder's device: %q", e)
	}

	if len(c.found) > 0 {
		t.Errorf("axe found %d violations (by rule: %v):\n%s", len(c.found), c.rules, strings.Join(c.found, "\n"))
	}
	if len(wide) > 0 {
		t.Errorf("English staff pages scroll sideways on a 375 px phone:\n%s", strings.Join(wide, "\n"))
	}
	if len(chinese) > 0 {
		t.Errorf("Chinese left on English pages:\n%s", strings.Join(chinese, "\n"))
	}
}

// A voter with the keyboard alone, at 200 % zoom, fills and casts an English ballot of
// every kind of form: Tab to each line, Space or the arrows to mark, typing in the boxes,
// Enter on the submit button. The page has no sideways scroll, the focused choice is
// outlined, the submit button is in the window, and the count has what was typed. Then
// the large-text switch, in English, by the keyboard at 375 and 320 px: it says what it
// does in English, enlarges the text without a sideways scroll, is kept over a reload,
// and works from its link without JavaScript.
func TestEnglishBallotByKeyboard(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{
		"title": "Keyboard-only ballot of every kind, in English", "unit_id": units.Units[0].ID, "lang": "en",
		"groups": []map[string]any{{"name": "Everyone", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Zhao Yi", "post": "Director"}}}},
			{"kind": "recommendation", "title": "Recommendation", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy Director", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "Zhang"}, {"name": "Li"}, {"name": "Wang"}}}}}},
			{"kind": "recommendation", "title": "One by one", "recommendation": map[string]any{"shape": "per_candidate", "positions": []map[string]any{
				{"title": "Director", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "Zhao"}}}}}},
			{"kind": "review", "title": "Review of appointments", "review": map[string]any{"overall": "The unit's appointments overall", "cadres": []map[string]string{{"name": "Sun", "post": "Section chief"}}}},
			{"kind": "approval", "title": "Approval", "approval": map[string]any{"seats": 1, "nominees": []map[string]string{{"name": "Wu"}, {"name": "Zheng"}}}},
			{"kind": "survey", "title": "Survey", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "You are", "options": []string{"Cadre", "Public"}},
				{"kind": "multiple", "title": "What matters most", "options": []string{"Conduct", "Livelihood", "Growth"}, "min": 1, "max": 2},
				{"kind": "matrix", "title": "Work", "options": []string{"Good", "Fair", "Poor", "Bad"}, "rows": []string{"Integrity"}},
				{"kind": "rating", "title": "Overall score"},
				{"kind": "text", "title": "Suggestions", "max_len": 100}}}},
			{"kind": "scoring", "title": "Scoring", "scoring": map[string]any{"subjects": []map[string]string{{"name": "Feng"}}}},
		},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 3}, 201, &toks)
	a.openPoll(p.ID)
	ctx := browser(t)

	do(t, ctx, chromedp.EmulateViewport(640, 900, chromedp.EmulateScale(2)), chromedp.Navigate(toks.Tokens[0].URL), chromedp.WaitVisible(inEnglish("#ballot")))
	if !evalBool(t, ctx, fits(640)) {
		t.Fatal("the English ballot scrolls sideways at 200 % zoom")
	}
	if left := chineseLeft(t, ctx, "main", ""); len(left) > 0 {
		t.Errorf("Chinese left on the English ballot: %q", left)
	}
	// pick marks the n-th choice of a line: Space on the first, else the arrow n times
	// (each press moves to and marks the next).
	pick := func(name string, n int) {
		t.Helper()
		tabTo(t, ctx, fmt.Sprintf(`input[name=%q]`, name))
		if n == 0 {
			do(t, ctx, chromedp.KeyEvent(" "))
		}
		for range n {
			do(t, ctx, chromedp.KeyEvent(kb.ArrowRight))
		}
		if !evalBool(t, ctx, `getComputedStyle(document.activeElement.nextElementSibling).outlineStyle === "solid" && document.activeElement.checked`) {
			t.Fatalf("%s: the focused choice is not marked and outlined", name)
		}
	}
	tick := func(name, value string) {
		t.Helper()
		tabTo(t, ctx, fmt.Sprintf(`input[name=%q][value=%q]`, name, value))
		do(t, ctx, chromedp.KeyEvent(" "))
	}
	typeIn := func(sel, s string) {
		t.Helper()
		tabTo(t, ctx, sel)
		do(t, ctx, chromedp.KeyEvent(s))
	}
	pick("f1.s1", 1) // 称职
	tick("f2.p1", "c1")
	typeIn(`input[name="f2.p1.w"]`, "Smith")
	pick("f3.p1/c1", 1) // 不同意
	typeIn(`input[name="f3.p1/c1.w"]`, "Brown")
	pick("f4.overall", 1) // 较好
	pick("f4.c1", 0)      // 认同
	pick("f5.n1", 0)      // 同意
	pick("f5.n2", 1)      // 不同意
	pick("f6.q1", 1)
	tick("f6.q2", "Conduct")
	tick("f6.q2", "Growth")
	pick("f6.q3/r1", 2)
	pick("f6.q4", 8)
	typeIn(`textarea[name="f6.q5"]`, "More buses")
	typeIn(`input[name="f7.s1"]`, "85")
	if !evalBool(t, ctx, fits(640)) {
		t.Fatal("the filled English ballot scrolls sideways at 200 % zoom")
	}
	// Every line is filled, the written answer too: the count says so.
	if p := text(t, ctx, "#progress"); p != "12 of 12 filled in" {
		t.Fatalf("the progress of a filled ballot says %q", p)
	}
	screenshot(ctx, "en-keyboard-zoom")
	tabTo(t, ctx, `#ballot .submit-bar button[type=submit]`)
	r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.activeElement.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom, innerWidth, innerHeight] })()`))
	if err != nil {
		t.Fatal(err)
	}
	if r[0] < 0 || r[1] > r[4] || r[2] < 0 || r[3] > r[5] {
		t.Fatalf("the focused submit button is out of the window at 200 %% zoom: %v", r)
	}
	if b := text(t, ctx, "#ballot .submit-bar button"); b != "Submit ballot" {
		t.Fatalf("the submit button says %q", b)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(inEnglish("#done")))

	// The large-text switch, by the keyboard, in English.
	for _, w := range []int64{375, 320} {
		do(t, ctx, chromedp.EmulateViewport(w, 700, chromedp.EmulateMobile, chromedp.EmulateScale(2)), chromedp.Navigate(toks.Tokens[1].URL), chromedp.WaitVisible(inEnglish("#ballot")))
		if s := text(t, ctx, "#bigtext"); s != "Large text" {
			t.Fatalf("%d px: the large-text switch says %q", w, s)
		}
		tabTo(t, ctx, "#bigtext")
		do(t, ctx, chromedp.KeyEvent(kb.Enter))
		if !evalBool(t, ctx, `document.documentElement.classList.contains("big") && parseFloat(getComputedStyle(document.body).fontSize) >= 22`) {
			t.Fatalf("%d px: Large text did not make the text larger", w)
		}
		if !evalBool(t, ctx, fits(w)) {
			t.Fatalf("%d px: the English ballot in large text scrolls sideways", w)
		}
		if s := text(t, ctx, "#bigtext"); s != "Normal text" {
			t.Fatalf("%d px: the switch in large text says %q", w, s)
		}
		screenshot(ctx, fmt.Sprintf("en-big-%d", w))
		do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(inEnglish("#ballot")))
		if !evalBool(t, ctx, `document.documentElement.classList.contains("big")`) || text(t, ctx, "#bigtext") != "Normal text" {
			t.Fatalf("%d px: large text was forgotten on reload", w)
		}
		tabTo(t, ctx, "#bigtext")
		do(t, ctx, chromedp.KeyEvent(kb.Enter))
		if evalBool(t, ctx, `document.documentElement.classList.contains("big")`) || text(t, ctx, "#bigtext") != "Large text" {
			t.Fatalf("%d px: Normal text did not switch back", w)
		}
	}
	// Without JavaScript the switch is a link the server answers.
	do(t, ctx, scripts(false), chromedp.Navigate(toks.Tokens[2].URL), chromedp.WaitVisible(inEnglish("#ballot")),
		click(css("#bigtext")), chromedp.WaitVisible(css(`html.big[lang="en"] #ballot`)))
	if s := text(t, ctx, "#bigtext"); s != "Normal text" || !evalBool(t, ctx, fits(320)) {
		t.Fatalf("large text without JavaScript: the switch says %q, or the page scrolls sideways", s)
	}
	do(t, ctx, scripts(true))

	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	a.countPoll(p.ID, &tl)
	f := tl.Forms
	var rec, one []string
	for _, c := range f[1].Recommendation.Positions[0].Candidates {
		rec = append(rec, fmt.Sprintf("%s:%d", c.Name, c.Votes.Total))
	}
	for _, c := range f[2].Recommendation.Positions[0].Candidates {
		one = append(one, fmt.Sprintf("%s:%d/%d", c.Name, c.Votes.Total, c.Disagree.Total))
	}
	sv := f[5].Survey.Questions
	got := fmt.Sprint(f[0].Evaluation.Subjects[0].Total.Votes, rec, one,
		f[3].Review.OverallCounts.Options[1].Total, f[3].Review.Cadres[0].Counts.Options[0].Total,
		f[4].Approval.Nominees[0].Counts.Options[0].Total, f[4].Approval.Nominees[1].Counts.Options[1].Total,
		sv[0].Counts.Options, sv[1].Counts.Options, sv[2].Rows[0].Counts.Options, sv[3].Sum, sv[4].Texts,
		f[6].Scoring.Subjects[0].Scored, float64(f[6].Scoring.Subjects[0].Mean.Num)/float64(f[6].Scoring.Subjects[0].Mean.Den))
	if want := "[0 1 0 0] [Zhang:1 Li:0 Wang:0 Smith:1] [Zhao:0/1 Brown:1/0] 1 1 1 1 [0 1] [1 0 1] [0 0 1 0] 8 [More buses] 1 85"; got != want {
		t.Fatalf("the count of the keyboard's ballot:\n got %s\nwant %s", got, want)
	}
}

// An English-speaking organizer walks a counted English poll on a desk's screen and on a
// 375 px phone: the poll page, the tally, the big screen while voting runs and the
// voter's ballot say nothing of the application's own in Chinese, and neither on the
// phone nor on the desk does any of them, nor the records, the poll list or the builder,
// scroll sideways (English column heads are longer).
func TestEnglishOrganizerWalk(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID, Name string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "English walk: leadership review 2026", "unit_id": units.Units[0].ID, "lang": "en",
		"groups": []map[string]any{{"name": "Team members", "expected": 3}, {"name": "Staff", "expected": 5}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Leadership evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Zhao", "post": "Director"}, {"name": "Qian", "post": "Deputy director"}}}},
			{"kind": "recommendation", "title": "Recommendation", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy director", "seats": 1, "candidates": []map[string]string{{"name": "Zhang"}, {"name": "Li"}}}}}},
		}}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &toks)
	a.openPoll(p.ID)
	var screen struct{ URL string }
	a.call("POST", "/api/v1/polls/"+p.ID+"/screen", nil, 200, &screen)
	a.call("POST", "/api/v1/ballot/"+toks.Tokens[0].URL[strings.LastIndex(toks.Tokens[0].URL, "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{
		{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"优秀"}}}, {"form": "f2", "lines": map[string][]string{"p1": {"c1"}}}}}}, 200, nil)

	seeded := []string{units.Units[0].Name, "管理员"}
	ctx := browser(t)
	var problems []string
	look := func(name string, w int64, own bool, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		do(t, ctx, steps...)
		if !evalBool(t, ctx, `document.documentElement.lang === "en"`) {
			problems = append(problems, name+": not in English")
		}
		if !evalBool(t, ctx, fits(w)) {
			problems = append(problems, fmt.Sprintf("%s: scrolls sideways at %d px", name, w))
		}
		if left := chineseLeft(t, ctx, "body", "", seeded...); own && len(left) > 0 {
			problems = append(problems, fmt.Sprintf("%s: Chinese left %q", name, left))
		}
		screenshot(ctx, fmt.Sprintf("walk-%d-%s", w, strings.ReplaceAll(name, " ", "_")))
	}
	desk := chromedp.EmulateViewport(1280, 900)
	do(t, ctx, phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(inEnglish(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), "admin"), chromedp.SendKeys(css(`input[name=password]`), app.password),
		chromedp.Submit(css(`input[name=password]`)), chromedp.WaitVisible(css(`a[href="/account"]`)))
	for _, v := range []struct {
		w    int64
		size chromedp.Action[chromedp.Void]
	}{{375, phone375}, {1280, desk}} {
		look("big screen, voting", v.w, true, v.size, chromedp.Navigate(screen.URL), chromedp.WaitVisible(inEnglish("#used")))
		look("ballot", v.w, true, chromedp.Navigate(toks.Tokens[1].URL), chromedp.WaitVisible(inEnglish("#ballot")))
		look("poll page, voting", v.w, true, chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(inEnglish("#turnout")))
		look("polls", v.w, false, chromedp.Navigate(app.base+"/"), chromedp.WaitVisible(inEnglish("main h1")))
		look("builder", v.w, false, chromedp.Navigate(app.base+"/polls/new?template=evaluation"), chromedp.WaitVisible(inEnglish("main h1")))
	}
	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	a.countPoll(p.ID, nil)
	a.call("POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, nil)
	for _, v := range []struct {
		w    int64
		size chromedp.Action[chromedp.Void]
	}{{375, phone375}, {1280, desk}} {
		look("poll page, counted", v.w, true, v.size, chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(inEnglish("main h1")))
		look("tally", v.w, true, chromedp.Navigate(app.base+"/polls/"+p.ID+"/tally"), chromedp.WaitVisible(inEnglish("table.tally")))
		look("records", v.w, false, chromedp.Navigate(app.base+"/records"), chromedp.WaitVisible(inEnglish("main h1")))
	}
	if len(problems) > 0 {
		t.Errorf("an English organizer's walk:\n%s", strings.Join(problems, "\n"))
	}
}
