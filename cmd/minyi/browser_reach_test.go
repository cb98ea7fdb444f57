package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"minyi/ballot"
)

// tabTo presses Tab until the focused element matches sel, as a keyboard user moves on.
func tabTo(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	for range 60 {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		if on {
			return
		}
	}
	t.Fatalf("Tab never reached %s", sel)
}

func evalBool(t *testing.T, ctx context.Context, js string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// shot saves a picture of one element, where a full page would be too tall to look at.
func shot(ctx context.Context, name, sel string) {
	dir := os.Getenv("MINYI_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.Screenshot(css(sel))); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// fits says whether the page has no sideways scroll on a screen w px wide. A mobile
// viewport widens to what overflows it, so innerWidth would not tell.
func fits(w int64) string {
	return fmt.Sprintf(`document.documentElement.scrollWidth <= %d && innerWidth <= %d`, w, w)
}

// A voter fills and casts a 民主测评 and a 民主推荐 with the keyboard alone: Tab to each
// line, Space or an arrow to mark, Enter on the submit button; the focused choice shows a
// visible outline. The count has what was typed. At 200 % zoom (640 px wide at device
// scale 2) the page has no sideways scroll and the submit button is in reach.
func TestA11yKeyboardAndZoom(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{
		"title": "键盘投票测试", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "全体", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵一", "post": "局长"}, {"name": "钱二", "post": "副局长"}}}},
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 2, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}, {"name": "王五"}}}}}},
		},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 1}, 201, &toks)
	a.openPoll(p.ID)
	ctx := browser(t)

	do(t, ctx, chromedp.EmulateViewport(640, 900, chromedp.EmulateScale(2)), chromedp.Navigate(toks.Tokens[0].URL), chromedp.WaitVisible(css("#ballot")))
	if !evalBool(t, ctx, fits(640)) {
		t.Fatal("the ballot scrolls sideways at 200 % zoom")
	}
	// 赵一: Space on the first grade; 钱二: the arrow moves to and marks the second.
	tabTo(t, ctx, `input[name="f1.s1"]`)
	do(t, ctx, chromedp.KeyEvent(" "))
	if !evalBool(t, ctx, `getComputedStyle(document.activeElement.nextElementSibling).outlineStyle === "solid"`) {
		t.Fatal("the focused grade shows no outline")
	}
	tabTo(t, ctx, `input[name="f1.s2"]`)
	do(t, ctx, chromedp.KeyEvent(kb.ArrowRight))
	// 张三 and 王五 of the three boxes.
	tabTo(t, ctx, `input[name="f2.p1"][value="c1"]`)
	do(t, ctx, chromedp.KeyEvent(" "))
	tabTo(t, ctx, `input[name="f2.p1"][value="c3"]`)
	do(t, ctx, chromedp.KeyEvent(" "))
	screenshot(ctx, "keyboard-zoom")
	tabTo(t, ctx, `button[type=submit]`)
	r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.activeElement.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom, innerWidth, innerHeight] })()`))
	if err != nil {
		t.Fatal(err)
	}
	if r[0] < 0 || r[1] > r[4] || r[2] < 0 || r[3] > r[5] {
		t.Fatalf("the focused submit button is out of the window at 200 %% zoom: %v", r)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(css("#done")))

	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	a.countPoll(p.ID, &tl)
	subs := tl.Forms[0].Evaluation.Subjects
	var rec []string
	for _, c := range tl.Forms[1].Recommendation.Positions[0].Candidates {
		rec = append(rec, fmt.Sprintf("%s:%d", c.Name, c.Votes.Total))
	}
	got := fmt.Sprint(subs[0].Total.Votes, subs[1].Total.Votes, rec)
	if want := "[1 0 0 0] [0 1 0 0] [张三:1 李四:0 王五:1]"; got != want {
		t.Fatalf("tally %s, want %s", got, want)
	}
}

// At 320 and 375 px, in standard and 大字 text, the ballot of every kind has no sideways
// scroll and no heading crosses its box. 大字 is remembered on the phone across a reload,
// and works without JavaScript from its link. An over-marked 民主推荐 sent back by the
// server says what to do and keeps chosen and unchosen names apart without colour; the
// blank-lines confirmation is a full-width button.
func TestA11yNarrowAndBigText(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{
		"title": "二〇二六年度县直机关领导班子和领导干部民主推荐、民主测评及选人用人工作评议会", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "班子成员和中层正职以上干部", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "县发展和改革局副局长人选民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "县发展和改革局党组成员、副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "欧阳明远", "post": "办公室主任"}, {"name": "李四"}, {"name": "王五"}, {"name": "赵九"}}}}}},
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "司马长风", "post": "县发展和改革局党组书记、局长"}}}},
			{"kind": "review", "title": "选人用人工作评议表", "review": map[string]any{"overall": "对本单位选人用人工作的总体评价", "cadres": []map[string]string{{"name": "孙三", "post": "科长"}}}},
			{"kind": "approval", "title": "表决票", "approval": map[string]any{"seats": 1, "nominees": []map[string]string{{"name": "吴五"}, {"name": "郑七"}}}},
			{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "rating", "title": "总体打分"}, {"kind": "matrix", "title": "各项工作", "options": []string{"满意", "基本满意", "不满意", "不了解"}, "rows": []string{"党风廉政建设"}}}}},
			{"kind": "scoring", "title": "述职打分表", "scoring": map[string]any{"subjects": []map[string]string{{"name": "冯八"}}}},
		},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &toks)
	a.openPoll(p.ID)
	ctx := browser(t)

	// Every line's heading inside its box, every heading inside the page.
	const inside = `[...document.querySelectorAll("fieldset.line")].every(f => { const b = f.getBoundingClientRect(), l = f.querySelector("legend"), s = getComputedStyle(f);
	  if (!l) return true; const r = l.getBoundingClientRect();
	  return r.top >= b.top + parseFloat(s.borderTopWidth) - 0.5 && r.left >= b.left && r.right <= b.right + 0.5 })
	  && [...document.querySelectorAll("h1,h2,h3")].every(h => h.getBoundingClientRect().right <= document.documentElement.clientWidth)`
	check := func(what string, w int64) {
		t.Helper()
		if !evalBool(t, ctx, fits(w)) {
			sw, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`[...document.querySelectorAll("main *")].filter(e => e.getBoundingClientRect().right > %d).slice(-4).map(e => e.tagName + "." + e.className + " " + e.textContent.slice(0, 10))`, w)))
			t.Fatalf("%s: the page scrolls sideways (%d px wide): %v", what, sw, wide)
		}
		if !evalBool(t, ctx, inside) {
			bad, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("fieldset.line legend, h1, h2, h3")].map(l => { const r = l.getBoundingClientRect(), f = l.closest("fieldset"), b = f ? f.getBoundingClientRect() : {top: 0, left: 0, right: innerWidth};
			  return l.textContent.slice(0, 12) + " " + [r.top, r.left, r.right, b.top, b.left, b.right].map(Math.round).join(",") })`))
			t.Fatalf("%s: a heading crosses its box: %v", what, bad)
		}
	}
	for _, w := range []int64{320, 375} {
		do(t, ctx, chromedp.EmulateViewport(w, 700, chromedp.EmulateMobile, chromedp.EmulateScale(2)), chromedp.Navigate(toks.Tokens[0].URL), chromedp.WaitVisible(css("#ballot")))
		check(fmt.Sprintf("%d px", w), w)
		if size := evalBool(t, ctx, `parseFloat(getComputedStyle(document.querySelector("legend .seats")).fontSize) >= parseFloat(getComputedStyle(document.body).fontSize)`); !size {
			t.Fatal("the seats are smaller than the page's text")
		}
		do(t, ctx, click(css("#bigtext")))
		if !evalBool(t, ctx, `document.documentElement.classList.contains("big") && parseFloat(getComputedStyle(document.body).fontSize) >= 22`) {
			t.Fatal("大字 did not make the text larger")
		}
		check(fmt.Sprintf("%d px, 大字", w), w)
		shot(ctx, fmt.Sprintf("big-%d", w), "#form-f1")
		// Remembered on this phone: a reload keeps it, and the switch says how to go back.
		do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(css("#ballot")))
		if !evalBool(t, ctx, `document.documentElement.classList.contains("big")`) || text(t, ctx, "#bigtext") != "标准字" {
			t.Fatal("大字 was forgotten on reload")
		}
		do(t, ctx, click(css("#bigtext")))
		if evalBool(t, ctx, `document.documentElement.classList.contains("big")`) {
			t.Fatal("标准字 did not switch back")
		}
	}

	// Without JavaScript: the link asks the server, and the form keeps it after a refusal.
	do(t, ctx, chromedp.EmulateViewport(320, 700, chromedp.EmulateMobile, chromedp.EmulateScale(2)), scripts(false),
		chromedp.Navigate(toks.Tokens[1].URL), chromedp.WaitVisible(css("#ballot")),
		click(css("#bigtext")), chromedp.WaitVisible(css("html.big #ballot")))
	box := func(line, value string) css {
		return css(fmt.Sprintf(`input[name="%s"][value="%s"] + span`, line, value))
	}
	do(t, ctx,
		click(box("f1.p1", "c1")), click(box("f1.p1", "c2")), click(box("f1.p1", "c3")),
		click(css(`button[type=submit]`)), chromedp.WaitVisible(css(".error")))
	if !evalBool(t, ctx, `document.documentElement.classList.contains("big")`) {
		t.Fatal("大字 without JavaScript was lost when the server sent the ballot back")
	}
	check("320 px, 大字, sent back", 320)
	if vs, err := axeRun(ctx); err != nil || len(vs) > 0 {
		t.Fatalf("axe at 320 px in 大字, sent back: %v %+v", err, vs)
	}
	do(t, ctx, scripts(false)) // axe turned scripts on to run
	if msg := text(t, ctx, "#form-f1 .line-error"); !strings.Contains(msg, "已选 3 人，超过应推荐的 2 人，请取消 1 人") {
		t.Fatalf("the over-marked line says %q", msg)
	}
	// Chosen names are ticked, bold and outlined thicker; the others are not: not colour alone.
	marks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input[name="f1.p1"] + span')].map(s => {
	  const c = getComputedStyle(s), b = getComputedStyle(s, "::before");
	  return [b.content, c.fontWeight, c.borderTopWidth].join(" ") })`))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range marks {
		if chosen := i < 3; chosen != strings.HasPrefix(m, `"✓ " 700 3px`) {
			t.Fatalf("name %d (chosen %v) is drawn %q: chosen and unchosen look alike", i+1, chosen, m)
		}
	}
	shot(ctx, "over-marked-320", "#form-f1 fieldset")
	// Taken back to two and sent with a blank line: the server's panel asks for a
	// confirmation with one button as wide as the form.
	do(t, ctx, click(box("f1.p1", "c3")), click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#accept-invalid")))
	if !evalBool(t, ctx, `(() => { const b = document.getElementById("accept-invalid").getBoundingClientRect(), f = document.getElementById("ballot").getBoundingClientRect();
	  return b.width >= f.width - 40 && b.height >= 44 })()`) {
		t.Fatal("the blank-lines confirmation is not a full-width button")
	}
	check("320 px, 大字, blank lines", 320)
	shot(ctx, "confirm-320", ".confirm.panel")
	do(t, ctx, click(css("#accept-invalid")), chromedp.WaitVisible(css("#done")), scripts(true))
}

// Every staff page fits a 375 px phone without sideways scrolling and passes axe there;
// wide tables scroll inside their own box, which the keyboard reaches.
func TestA11yStaffOnPhone(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	q, urls := a.evaluationPoll("手机上的组织者：计票结果", []string{"张三", "李四", "王五"}, 1)
	a.call("POST", "/api/v1/ballot/"+urls[0][strings.LastIndex(urls[0], "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"不称职"}, "s3": {"优秀"}}}}}}, 200, nil)
	a.call("POST", "/api/v1/polls/"+q.ID+"/close", nil, 200, nil)
	a.countPoll(q.ID, nil)
	open, _ := a.evaluationPoll("手机上的组织者：投票中", []string{"赵一"}, 1)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	u := units.Units[0].ID
	a.call("POST", "/api/v1/cadres", map[string]any{"unit_id": u, "cadres": []map[string]any{{"name": "欧阳明远", "gender": "男", "birth_year": 1975, "post": "县发展和改革局党组书记、局长"}}}, 201, nil)
	var cadres struct{ Cadres []struct{ ID string } }
	a.call("GET", "/api/v1/cadres?unit="+u, nil, 200, &cadres)
	var sel struct{ ID string }
	a.call("POST", "/api/v1/selections", map[string]any{"unit_id": u, "post": "县发展和改革局副局长"}, 201, &sel)
	a.call("POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-11-20", "poll_id": q.ID}, 201, nil)
	ctx := browser(t)
	login(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	var wide []string
	check := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		do(t, ctx, steps...)
		if w, culprits := phoneOverflow(t, ctx); w > 375 {
			wide = append(wide, fmt.Sprintf("%s: %d px (%v)", name, w, culprits))
			screenshot(ctx, "staff-wide"+strings.ReplaceAll(name, "/", "_"))
		}
		// On a phone too the page passes axe: a table that scrolls is reached by keyboard.
		vs, err := axeRun(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, v := range vs {
			wide = append(wide, fmt.Sprintf("%s: axe %s at %s — %s", name, v.ID, strings.Join(v.Targets, ", "), v.Summary))
		}
	}
	for _, path := range []string{"/", "/polls/new", "/polls/new?template=evaluation", "/polls/" + open.ID, "/polls/" + q.ID,
		"/polls/" + q.ID + "/tally", "/polls/" + q.ID + "/count", "/records", "/cadres", "/cadres/" + cadres.Cadres[0].ID, "/selections", "/selections/" + sel.ID, "/admin/units", "/admin/staff", "/admin/deliveries", "/account"} {
		check(path, chromedp.Navigate(app.base+path), chromedp.WaitVisible(css("main")))
	}
	// A teller holds a phone too: the key and the count, paper entry and /verify are
	// checked at 375 px in TestA11yAxe, state by state after each is checked at the desk.
	if len(wide) > 0 {
		t.Fatalf("staff pages on a 375 px phone:\n%s", strings.Join(wide, "\n"))
	}
}
