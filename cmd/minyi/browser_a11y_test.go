package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axe-core (testdata/axe, MPL-2.0) checks pages against WCAG 2.1 AA in the browser. It is
// read by the tests only: the server never serves it.
var axeSource = func() string {
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// axeInTab marks the tabs that load axe into every page they open. Loading axe (660 kB
// sent over the debugging connection, parsed and run) cost as much as checking a page
// with it: a tab's first check sends it once, and the tab's browser loads it into each new
// page itself, before the page's own scripts, from the copy it keeps.
var axeInTab sync.Map // *chromedp.Target → true

// axeRun runs axe on the page now shown, at WCAG 2.1 A and AA, and gives its violations.
func axeRun(ctx context.Context) ([]axeViolation, error) {
	// A page looked at with JavaScript off is checked with it on again: axe is a script.
	if err := chromedp.Do(ctx, scripts(true), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// The pages' Content-Security-Policy allows only their own scripts.
		if _, err := cdp.Call(ctx, t, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
			return err
		}
		if _, loaded := axeInTab.LoadOrStore(t, true); !loaded {
			_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: axeSource})
			return err
		}
		return nil
	})); err != nil {
		return nil, err
	}
	// A page opened before the tab's first check, or with JavaScript off, has no axe yet.
	if has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`)); err != nil || !has {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
			return nil, fmt.Errorf("load axe: %w", err)
		}
	}
	js := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}, resultTypes: ['violations']})
	  .then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help,
	    targets: v.nodes.map(n => n.target.join(' ')),
	    summary: (v.nodes[0] && v.nodes[0].failureSummary || '').replace(/\s+/g, ' ')}))))`
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe: %w", err)
	}
	var out []axeViolation
	err = json.Unmarshal([]byte(s), &out)
	return out, err
}

// a11yCheck runs axe on a page and records its violations under the page's name.
type a11yCheck struct {
	t     *testing.T
	ctx   context.Context
	found []string
	rules map[string]int
}

func (a *a11yCheck) page(name string, steps ...chromedp.Action[chromedp.Void]) {
	a.t.Helper()
	do(a.t, a.ctx, steps...)
	start := time.Now()
	vs, err := axeRun(a.ctx)
	a.t.Logf("%s: axe %v", name, time.Since(start))
	if err != nil {
		a.t.Fatalf("%s: %v", name, err)
	}
	for _, v := range vs {
		a.rules[v.ID] += len(v.Targets)
		a.found = append(a.found, fmt.Sprintf("%s: %s (%s) at %s — %s: %s", name, v.ID, v.Impact, strings.Join(v.Targets, ", "), v.Help, v.Summary))
	}
}

// Every page a voter, an organizer, a teller or a hall sees passes axe at WCAG 2.1 AA: every
// kind of form, the ballot as the server sends it back refused, the notices of a used,
// voided or unknown token, the receipt, login, the organizer's pages, the tally, the big
// screen, the teller's page making the key and counting, paper entry, the count page and
// /verify.
func TestA11yAxe(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{
		"title": "无障碍检查：各类选票", "unit_id": units.Units[0].ID, "contact": "如有疑问请联系：组织部 张三 13800000000",
		"groups": []map[string]any{{"name": "职工代表", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "张三", "post": "科长"}, {"name": "李四"}, {"name": "王五"}}}}}},
			{"kind": "recommendation", "title": "民主推荐表（逐一表态）", "recommendation": map[string]any{"shape": "per_candidate", "positions": []map[string]any{
				{"title": "局长", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "赵六"}}}}}},
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵一", "post": "局长"}, {"name": "钱二", "post": "副局长"}}}},
			{"kind": "review", "title": "选人用人工作评议表", "review": map[string]any{"overall": "对本单位选人用人工作的总体评价",
				"cadres": []map[string]string{{"name": "孙三", "post": "科长"}}}},
			{"kind": "approval", "title": "表决票", "approval": map[string]any{"seats": 1, "nominees": []map[string]string{{"name": "吴五", "post": "局长"}, {"name": "郑七", "post": "副局长"}}}},
			{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "您的身份", "options": []string{"干部", "群众"}},
				{"kind": "multiple", "title": "最关心的工作", "options": []string{"作风", "民生", "发展"}, "min": 1, "max": 2},
				{"kind": "matrix", "title": "各项工作", "options": []string{"好", "较好", "一般", "差"}, "rows": []string{"党风廉政", "选人用人"}},
				{"kind": "rating", "title": "总体打分"},
				{"kind": "text", "title": "意见建议", "max_len": 100}}}},
			{"kind": "scoring", "title": "述职打分表", "scoring": map[string]any{"subjects": []map[string]string{{"name": "冯八", "post": "主任"}}}},
		},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL, Code string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 6}, 201, &toks)
	a.openPoll(p.ID)
	var screen struct{ URL string }
	a.call("POST", "/api/v1/polls/"+p.ID+"/screen", nil, 200, &screen)
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": toks.Tokens[3].Code}, 200, nil)

	ctx := browser(t)
	c := &a11yCheck{t: t, ctx: ctx, rules: map[string]int{}}
	box := func(line, value string) css {
		return css(fmt.Sprintf(`input[name="%s"][value="%s"] + span`, line, value))
	}
	c.page("选票", phone, chromedp.Navigate(toks.Tokens[0].URL), chromedp.WaitVisible(css("#ballot")))
	c.page("选票（大字）", click(css("#bigtext")), chromedp.WaitVisible(css("html.big #ballot")))
	// The over-marked 民主推荐 and a blank line, refused by the server with JavaScript off.
	c.page("选票（退回）", scripts(false), chromedp.Reload(), chromedp.WaitVisible(css("#ballot")),
		click(box("f1.p1", "c1")), click(box("f1.p1", "c2")), click(box("f1.p1", "c3")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css(".error")))
	c.page("选票（待确认空项）", scripts(false), click(box("f1.p1", "c3")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`.confirm`)))
	c.page("选票（页面内提示）", chromedp.Navigate(toks.Tokens[1].URL), chromedp.WaitVisible(css("#ballot")),
		click(box("f1.p1", "c1")), click(box("f1.p1", "c2")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#confirm-js")))
	c.page("投票成功", click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#done")))
	c.page("凭证已投票", chromedp.Navigate(toks.Tokens[1].URL), chromedp.WaitVisible(css("h1")))
	c.page("凭证已作废", chromedp.Navigate(toks.Tokens[3].URL), chromedp.WaitVisible(css("h1")))
	c.page("凭证无效", chromedp.Navigate(app.base+"/v/ABCDABCDABCDABCD"), chromedp.WaitVisible(css("h1")))
	c.page("输入凭证码", chromedp.Navigate(app.base+"/v"), chromedp.WaitVisible(css("h1")))
	c.page("找不到页面", chromedp.Navigate(app.base+"/v/"), chromedp.WaitVisible(css("h1")))
	c.page("查验回执", chromedp.Navigate(app.base+"/receipt?code=ABCD-ABCD-ABCD-ABCD"), chromedp.WaitVisible(css("h1")))
	c.page("关于", chromedp.Navigate(app.base+"/about"), chromedp.WaitVisible(css("h1")))

	// The voter's pages again in English, chosen with the switch on the ballot, in a
	// browser of their own: one browser's time is bounded.
	c.ctx = browser(t)
	c.page("ballot (English)", phone, chromedp.Navigate(toks.Tokens[4].URL), chromedp.WaitVisible(css("#ballot")),
		click(css("a.lang")), chromedp.WaitVisible(css(`html[lang="en"] #ballot`)))
	c.page("ballot, sent back (English)", scripts(false), chromedp.Reload(), chromedp.WaitVisible(css(`html[lang="en"] #ballot`)),
		click(box("f1.p1", "c1")), click(box("f1.p1", "c2")), click(box("f1.p1", "c3")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css(".error")))
	c.page("ballot, blank lines to confirm (English)", scripts(false), click(box("f1.p1", "c3")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`.confirm`)))
	c.page("ballot, hints on the page (English)", chromedp.Navigate(toks.Tokens[5].URL), chromedp.WaitVisible(css(`html[lang="en"] #ballot`)),
		click(box("f1.p1", "c1")), click(box("f1.p1", "c2")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#confirm-js")))
	c.page("vote cast (English)", click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`html[lang="en"] #done`)))
	c.page("code used (English)", chromedp.Navigate(toks.Tokens[5].URL), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("code voided (English)", chromedp.Navigate(toks.Tokens[3].URL), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("code unknown (English)", chromedp.Navigate(app.base+"/v/ABCDABCDABCDABCD"), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("code entry (English)", chromedp.Navigate(app.base+"/v"), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("receipt (English)", chromedp.Navigate(app.base+"/receipt?code=ABCD-ABCD-ABCD-ABCD"), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("about (English)", chromedp.Navigate(app.base+"/about"), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("verify (English)", chromedp.Navigate(app.base+"/verify"), chromedp.WaitVisible(css(`html[lang="en"] h1`)))
	c.page("大屏", chromedp.EmulateViewport(1280, 720), chromedp.Navigate(screen.URL), chromedp.WaitVisible(css("#used")))

	// The organizer's pages in a browser of their own: one browser's time is bounded.
	c.ctx = browser(t)
	c.page("登录", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(app.base+"/login"), chromedp.WaitVisible(css(`input[name=username]`)))
	login(t, c.ctx)
	c.page("投票活动列表", chromedp.Navigate(app.base+"/"), chromedp.WaitVisible(css("main")))
	c.page("投票活动", chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(css("#turnout")))
	c.page("新建投票", chromedp.Navigate(app.base+"/polls/new?template=evaluation"), chromedp.WaitVisible(css(`input[name=title]`)))

	// A counted poll for the tally page.
	q, urls := a.evaluationPoll("无障碍检查：计票结果", []string{"张三", "李四"}, 1)
	a.call("POST", "/api/v1/ballot/"+urls[0][strings.LastIndex(urls[0], "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"不称职"}}}}}}, 200, nil)
	a.call("POST", "/api/v1/polls/"+q.ID+"/close", nil, 200, nil)
	a.countPoll(q.ID, nil)
	c.page("计票结果", chromedp.Navigate(app.base+"/polls/"+q.ID+"/tally"), chromedp.WaitVisible(css("table.tally")))
	a.call("POST", "/api/v1/cadres", map[string]any{"unit_id": units.Units[0].ID, "cadres": []map[string]any{{"name": "张三", "gender": "男", "birth_year": 1980, "post": "副局长"}}}, 201, nil)
	var cadres struct{ Cadres []struct{ ID string } }
	a.call("GET", "/api/v1/cadres?unit="+units.Units[0].ID, nil, 200, &cadres)
	var sel struct{ ID string }
	a.call("POST", "/api/v1/selections", map[string]any{"unit_id": units.Units[0].ID, "post": "副局长"}, 201, &sel)
	a.call("POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-11-20", "poll_id": q.ID}, 201, nil)
	for _, path := range []string{"/records", "/cadres", "/cadres/" + cadres.Cadres[0].ID, "/selections", "/selections/" + sel.ID,
		"/admin/units", "/admin/staff", "/admin/deliveries", "/account"} {
		c.page(path, chromedp.Navigate(app.base+path), chromedp.WaitVisible(css("main")))
	}
	// The pages around the key and the count, each in the states it shows: at the desk's
	// width, then on the phone a teller holds, where each state also fits 375 px without
	// sideways scrolling (the other staff pages' phone check is TestA11yStaffOnPhone's).
	// The states are reached once, by steps taken at the desk's width.
	var wide []string
	for _, st := range ceremonyStops(t, a) {
		c.page(st.name, st.steps...)
		c.page(st.name+"（375 px）", phone375)
		if w, culprits := phoneOverflow(t, c.ctx); w > 375 {
			wide = append(wide, fmt.Sprintf("%s: %d px (%v)", st.name, w, culprits))
			screenshot(c.ctx, "staff-wide"+st.name)
		}
		do(t, c.ctx, chromedp.EmulateViewport(1280, 900))
	}

	if len(c.found) > 0 {
		t.Errorf("axe found %d violations (by rule: %v):\n%s", len(c.found), c.rules, strings.Join(c.found, "\n"))
	}
	if len(wide) > 0 {
		t.Errorf("the key and the count on a 375 px phone:\n%s", strings.Join(wide, "\n"))
	}
}

// phoneOverflow gives the page's width and, when it is wider than a 375 px phone, the
// first elements outside tables that reach past it.
func phoneOverflow(t *testing.T, ctx context.Context) (int, []string) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if w <= 375 {
		return w, nil
	}
	culprits, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 376 && !e.closest("table")).slice(0, 5).map(e => e.tagName + "." + e.className)`))
	return w, culprits
}

// a11yStop is a page in one of its states, reached by steps taken in order after the
// stops before it, in a browser where the admin is logged in.
type a11yStop struct {
	name  string
	steps []chromedp.Action[chromedp.Void]
}

// ceremonyStops sets up the pages around the key and the count and gives their states in
// order: a teller's seat before and after joining, with its check code and backup, and
// ready; the organizer's own seat making its key; paper ballots entered once; the count
// page before the count, waiting for the key, and done; the organizer's seat counting and
// done; and /verify empty and with a bundle's checks.
func ceremonyStops(t *testing.T, a *api) []a11yStop {
	t.Helper()
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	form := []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}}
	links := func(id string) []string {
		var out struct{ Links []struct{ URL string } }
		a.call("POST", "/api/v1/polls/"+id+"/ceremony", nil, 201, &out)
		var urls []string
		for _, l := range out.Links {
			urls = append(urls, l.URL)
		}
		return urls
	}
	var two, one, own pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "无障碍检查：两位监票人", "unit_id": units.Units[0].ID, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}}, "forms": form}, 201, &two)
	a.call("POST", "/api/v1/polls", map[string]any{"title": "无障碍检查：一位监票人", "unit_id": units.Units[0].ID, "tellers": []string{"丙监票"}, "teller_quorum": 1,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}}, "forms": form}, 201, &one)
	a.call("POST", "/api/v1/polls", map[string]any{"title": "无障碍检查：组织者密钥", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}}, "forms": form}, 201, &own)
	twoLinks, oneLinks, ownLinks := links(two.ID), links(one.ID), links(own.ID)

	// An open poll with a slip changed to paper, for the entry page and then the count.
	r, urls := a.evaluationPoll("无障碍检查：纸质选票和开箱", []string{"赵一", "钱二"}, 2)
	a.call("POST", "/api/v1/polls/"+r.ID+"/tokens/paper", map[string]string{"code": urls[1][strings.LastIndex(urls[1], "/")+1:]}, 200, nil)
	var cast struct{ Receipt string }
	a.call("POST", "/api/v1/ballot/"+urls[0][strings.LastIndex(urls[0], "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"优秀"}}}}}}, 200, &cast)
	backup, ok := ownCodes.Load(r.ID)
	if !ok {
		t.Fatal("no backup of the organizer's key")
	}
	bundle := filepath.Join(t.TempDir(), "bundle.zip")

	// setBackup types the backup shown on the seat's page into its check, as copied by hand.
	setBackup := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		code, err := chromedp.Text(css(`#share-code`))(ctx, tg)
		if err != nil {
			return err
		}
		_, err = chromedp.SetValue(css(`#verify-code`), code)(ctx, tg)
		return err
	})
	// status waits for the seat's status line to say words, in Chinese or in English.
	status := func(words ...string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var or []string
			for _, w := range words {
				or = append(or, `s.includes(`+"`"+w+"`"+`)`)
			}
			_, err := chromedp.Poll[bool](`(s => `+strings.Join(or, " || ")+`)(document.getElementById("status").textContent)`)(ctx, tg)
			return err
		})
	}
	return []a11yStop{
		{"监票人密钥生成", []chromedp.Action[chromedp.Void]{chromedp.Navigate(twoLinks[0]), chromedp.WaitVisible(css(`#start`))}},
		{"监票人密钥生成（等待其他监票人）", []chromedp.Action[chromedp.Void]{click(css(`#start`)), status("等待其他监票人", "Waiting for the other tellers")}},
		{"监票人密钥生成（核对码和备份）", []chromedp.Action[chromedp.Void]{chromedp.Navigate(oneLinks[0]), chromedp.WaitVisible(css(`#start`)),
			click(css(`#start`)), chromedp.WaitVisible(css(`#step-verify`))}},
		{"监票人密钥生成（已就绪）", []chromedp.Action[chromedp.Void]{setBackup, click(css(`#verify`)), chromedp.WaitVisible(css(`#step-done`))}},
		{"组织者密钥生成（备份）", []chromedp.Action[chromedp.Void]{chromedp.Navigate(ownLinks[0]), chromedp.WaitVisible(css(`#step-verify`))}},
		{"纸质选票录入", []chromedp.Action[chromedp.Void]{chromedp.Navigate(app.base + "/polls/" + r.ID + "/paper"), chromedp.WaitVisible(css(`#ballot`))}},
		{"纸质选票录入（待核对）", []chromedp.Action[chromedp.Void]{chromedp.SetValue(css(`#ballot select[name=group_id]`), r.Groups[0].ID),
			click(grade(1, "称职")), click(grade(2, "基本称职")), click(css(`#ballot button.primary`)),
			chromedp.WaitVisible(css(`form[action$="/paper/discard"]`))}},
		{"开箱计票（有未核对的纸质选票）", []chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			a.call("POST", "/api/v1/polls/"+r.ID+"/close", nil, 200, nil)
			return nil
		}), chromedp.Navigate(app.base + "/polls/" + r.ID + "/count"), chromedp.WaitVisible(css(`input[name=confirm_paper_pending]`))}},
		{"开箱计票（等待开箱）", []chromedp.Action[chromedp.Void]{click(css(`input[name=confirm_paper_pending]`)),
			click(css(`form[action$="/count"] button.primary`)), chromedp.WaitVisible(css(`#device-count`))}},
		{"组织者开箱", []chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Navigate(links(r.ID)[0])(ctx, tg)
			return err
		}), chromedp.WaitVisible(css(`#count-form`))}},
		{"组织者开箱（计票完成）", []chromedp.Action[chromedp.Void]{chromedp.SetValue(css(`#count-code`), backup.(string)),
			click(css(`#count-go`)), status("计票完成", "count is complete")}},
		{"开箱计票（计票完成）", []chromedp.Action[chromedp.Void]{chromedp.Navigate(app.base + "/polls/" + r.ID + "/count"), chromedp.WaitVisible(css(`#count-tally`))}},
		{"核验计票结果", []chromedp.Action[chromedp.Void]{chromedp.Navigate(app.base + "/verify"), chromedp.WaitVisible(css(`input[name=bundle]`))}},
		{"核验计票结果（结果）", []chromedp.Action[chromedp.Void]{chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			return os.WriteFile(bundle, getRaw(t, app.base+"/api/v1/polls/"+r.ID+"/bundle", a.token), 0o644)
		}), chromedp.SetUploadFiles(css(`input[name=bundle]`), []string{bundle}), chromedp.SetValue(css(`input[name=receipt]`), cast.Receipt),
			click(css(`form[action="/verify"] button`)), chromedp.WaitVisible(css(`ul.checks`))}},
	}
}
