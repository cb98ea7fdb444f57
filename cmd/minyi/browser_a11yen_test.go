package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The organizer's, the tellers' and the hall's pages in English pass axe at WCAG 2.1 AA as
// the Chinese ones do: English words are longer (the nav, buttons, table headers), and the
// page must say it is English (lang), so the checks are run again with the switch set.
// Login, the poll page open and counted, the tally and the big screen on a desk's screen;
// then every staff page of the Chinese pass, a draft's page, the tellers' links and the
// ballot's preview on a 375 px phone, where each must also fit without sideways scrolling
// (a table scrolls inside its own box, a long link wraps). The English ballot of every kind
// fits 320 px with its headings inside their boxes, in standard and in 大字 text. The staff
// pages only this test reaches are checked on the phone in Chinese too.
func TestA11yAxeEnglish(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	u := units.Units[0].ID
	open, _ := a.evaluationPoll("无障碍检查（英文）：投票中", []string{"赵一", "钱二"}, 2)
	var screen struct{ URL string }
	a.call("POST", "/api/v1/polls/"+open.ID+"/screen", nil, 200, &screen)
	q, urls := a.evaluationPoll("无障碍检查（英文）：计票结果", []string{"张三", "李四", "王五"}, 1)
	a.call("POST", "/api/v1/ballot/"+urls[0][strings.LastIndex(urls[0], "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"不称职"}, "s3": {"优秀"}}}}}}, 200, nil)
	a.call("POST", "/api/v1/polls/"+q.ID+"/close", nil, 200, nil)
	a.countPoll(q.ID, nil)
	// A ballot of every kind with long titles, for the English ballot at 320 px.
	var long pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "二〇二六年度县直机关领导班子和领导干部民主推荐、民主测评及选人用人工作评议会", "unit_id": u, "lang": "en",
		"groups": []map[string]any{{"name": "班子成员和中层正职以上干部", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "县发展和改革局副局长人选民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "县发展和改革局党组成员、副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "欧阳明远", "post": "办公室主任"}, {"name": "李四"}, {"name": "王五"}}}}}},
			{"kind": "recommendation", "title": "民主推荐表（逐一表态）", "recommendation": map[string]any{"shape": "per_candidate", "positions": []map[string]any{
				{"title": "局长", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "赵六"}}}}}},
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "司马长风", "post": "县发展和改革局党组书记、局长"}}}},
			{"kind": "review", "title": "选人用人工作评议表", "review": map[string]any{"overall": "对本单位选人用人工作的总体评价", "cadres": []map[string]string{{"name": "孙三", "post": "科长"}}}},
			{"kind": "approval", "title": "表决票", "approval": map[string]any{"seats": 1, "nominees": []map[string]string{{"name": "吴五"}, {"name": "郑七"}}}},
			{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "multiple", "title": "最关心的工作", "options": []string{"作风", "民生", "发展"}, "min": 1, "max": 2},
				{"kind": "rating", "title": "总体打分"}, {"kind": "matrix", "title": "各项工作", "options": []string{"满意", "基本满意", "不满意", "不了解"}, "rows": []string{"党风廉政建设"}}}}},
			{"kind": "scoring", "title": "述职打分表", "scoring": map[string]any{"subjects": []map[string]string{{"name": "冯八"}}}},
		},
	}, 201, &long)
	var longToks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+long.ID+"/tokens", map[string]any{"group_id": long.Groups[0].ID, "count": 1}, 201, &longToks)
	a.openPoll(long.ID)
	var draft pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "无障碍检查（英文）：监票人链接", "unit_id": u, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}}}, 201, &draft)
	// A cadre of its own: the Chinese phone test, running beside it on the same server, files 欧阳明远.
	a.call("POST", "/api/v1/cadres", map[string]any{"unit_id": u, "cadres": []map[string]any{{"name": "上官明远", "gender": "男", "birth_year": 1976, "post": "县财政局党组书记、局长"}}}, 201, nil)
	var cadres struct{ Cadres []struct{ ID string } }
	a.call("GET", "/api/v1/cadres?unit="+u, nil, 200, &cadres)
	var sel struct{ ID string }
	a.call("POST", "/api/v1/selections", map[string]any{"unit_id": u, "post": "县发展和改革局副局长"}, 201, &sel)
	a.call("POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-11-20", "poll_id": q.ID}, 201, nil)

	en := func(sel string) css { return css(`html[lang="en"] ` + sel) }
	phone375 := chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	// englishStaff is a browser of its own (one browser's time is bounded), set to Chinese
	// as the meeting's are, switched to English and signed in, on a phone.
	englishStaff := func() context.Context {
		ctx := browser(t)
		do(t, ctx, phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(en(`input[name=username]`)))
		login(t, ctx)
		return ctx
	}
	c := &a11yCheck{t: t, ctx: browser(t), rules: map[string]int{}}
	var wide []string
	fitsPhone := func(name string) {
		t.Helper()
		w, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > 375 {
			culprits, _ := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 376 && !e.closest("table")).slice(0, 5).map(e => e.tagName + "." + e.className + " " + (e.textContent || "").trim().slice(0, 24))`))
			wide = append(wide, fmt.Sprintf("%s: %d px wide (%v)", name, w, culprits))
			screenshot(c.ctx, "staff-wide"+strings.ReplaceAll(name, "/", "_"))
		}
	}
	phonePages := func(paths ...string) {
		t.Helper()
		for _, path := range paths {
			c.page(path+" (English, 375 px)", chromedp.Navigate(app.base+path), chromedp.WaitVisible(en("main")))
			fitsPhone(path)
		}
	}
	c.page("login (English, 375 px)", phone375, chromedp.Navigate(app.base+"/lang/en?next=/login"), chromedp.WaitVisible(en(`input[name=username]`)))
	fitsPhone("/login")
	c.page("login (English)", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(en(`input[name=username]`)))
	login(t, c.ctx)
	c.page("poll page, open (English)", chromedp.Navigate(app.base+"/polls/"+open.ID), chromedp.WaitVisible(en("#turnout")))
	c.page("poll page, counted (English)", chromedp.Navigate(app.base+"/polls/"+q.ID), chromedp.WaitVisible(en("main")))
	c.page("tally (English)", chromedp.Navigate(app.base+"/polls/"+q.ID+"/tally"), chromedp.WaitVisible(en("table.tally")))
	c.page("big screen (English)", chromedp.EmulateViewport(1280, 720), chromedp.Navigate(screen.URL), chromedp.WaitVisible(en("#used")))

	// On a phone: axe again, and no sideways scroll.
	do(t, c.ctx, phone375)
	phonePages("/", "/polls/new", "/polls/new?template=evaluation", "/polls/"+open.ID, "/polls/"+q.ID,
		"/polls/"+q.ID+"/tally", "/polls/"+q.ID+"/count", "/polls/"+draft.ID, "/polls/"+open.ID+"/preview",
		"/polls/"+q.ID+"/next-round") // refused (no 民主推荐 to go on with): the staff error page
	// The tellers' links, as the organizer makes them from the draft's page (the browser
	// accepts the confirmation).
	c.page("teller links (English, 375 px)", chromedp.Navigate(app.base+"/polls/"+draft.ID), chromedp.WaitVisible(en("main")),
		click(css(`form[action$="/ceremony"] button`)), chromedp.WaitVisible(en(".share-sheet")))
	fitsPhone("teller links")

	c.ctx = englishStaff()
	// The English ballot at 320 px, in standard and in 大字 text: no sideways scroll, and
	// every line's heading inside its box (English words are longer and break less).
	headingsInside := `[...document.querySelectorAll("fieldset.line")].every(f => { const b = f.getBoundingClientRect(), l = f.querySelector("legend"), s = getComputedStyle(f);
	  if (!l) return true; const r = l.getBoundingClientRect();
	  return r.top >= b.top + parseFloat(s.borderTopWidth) - 0.5 && r.left >= b.left && r.right <= b.right + 0.5 })
	  && [...document.querySelectorAll("h1,h2,h3")].every(h => h.getBoundingClientRect().right <= document.documentElement.clientWidth)`
	narrow := func(what string) {
		t.Helper()
		if !evalBool(t, c.ctx, fits(320)) {
			culprits, _ := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > 321).slice(-4).map(e => e.tagName + "." + e.className + " " + (e.textContent || "").trim().slice(0, 24))`))
			wide = append(wide, fmt.Sprintf("%s: the ballot scrolls sideways at 320 px (%v)", what, culprits))
		}
		if !evalBool(t, c.ctx, headingsInside) {
			wide = append(wide, what+": a heading crosses its box at 320 px")
		}
	}
	do(t, c.ctx, chromedp.EmulateViewport(320, 700, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(longToks.Tokens[0].URL), chromedp.WaitVisible(en("#ballot")))
	narrow("ballot (English)")
	do(t, c.ctx, click(css("#bigtext")), chromedp.WaitVisible(css(`html.big[lang="en"] #ballot`)))
	narrow("ballot in large text (English)")
	do(t, c.ctx, click(css("#bigtext")), phone375)
	phonePages("/records", "/cadres", "/cadres/"+cadres.Cadres[0].ID, "/selections", "/selections/"+sel.ID,
		"/admin/units", "/admin/staff", "/admin/deliveries", "/account")
	// The staff pages the Chinese phone pass does not reach, in Chinese: a draft's page, the
	// ballot's preview, the error page and the tellers' links (made again).
	zh := func(sel string) css { return css(`html[lang="zh-CN"] ` + sel) }
	do(t, c.ctx, chromedp.Navigate(app.base+"/lang/zh?next=/"), chromedp.WaitVisible(zh("main")))
	for _, path := range []string{"/polls/" + draft.ID, "/polls/" + open.ID + "/preview", "/polls/" + q.ID + "/next-round"} {
		c.page(path+" (375 px)", chromedp.Navigate(app.base+path), chromedp.WaitVisible(zh("main")))
		fitsPhone(path)
	}
	c.page("监票人链接 (375 px)", chromedp.Navigate(app.base+"/polls/"+draft.ID), chromedp.WaitVisible(zh("main")),
		click(css(`form[action$="/ceremony"] button`)), chromedp.WaitVisible(zh(".share-sheet")))
	fitsPhone("监票人链接")

	// The key and the count, paper entry and /verify, each in the states it shows.
	c.ctx = englishStaff()
	for _, st := range ceremonyStops(t, a) {
		c.page(st.name+" (English, 375 px)", st.steps...)
		if !evalBool(t, c.ctx, `document.documentElement.lang === "en"`) {
			t.Fatalf("%s: the page is not in English", st.name)
		}
		fitsPhone(st.name)
	}

	if len(c.found) > 0 {
		t.Errorf("axe found %d violations (by rule: %v):\n%s", len(c.found), c.rules, strings.Join(c.found, "\n"))
	}
	if len(wide) > 0 {
		t.Errorf("staff pages on a 375 px phone, the ballot at 320 px:\n%s", strings.Join(wide, "\n"))
	}
}
