package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"minyi/ballot"
	"minyi/store/dbtest/browsertest"
)

// One chromium serves every browser test: each test gets a tab in a browser context of
// its own.
var chromium browsertest.Shared

// browser opens a tab for the test in a fresh browser context of the shared chromium,
// closed when the test ends.
func browser(t *testing.T) context.Context {
	t.Helper()
	root, err := chromium.Start()
	if err != nil {
		t.Fatal(err)
	}
	bctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Accept the organizer's confirmation dialogs, as a person clicking OK would.
	if err := chromedp.Listen(bctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}); err != nil {
		t.Fatalf("open a tab in chromium: %v", err)
	}
	// A browser that asks for less motion, as a phone can: the pages then jump where they
	// would glide. A click is aimed at where its element is when the click starts, so one
	// made while the page glides lands beside it; a person waits for the page to stop.
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	})); err != nil {
		t.Fatalf("ask chromium for less motion: %v", err)
	}
	// The tab remembers the last input events its pages saw, for where() to tell.
	if err := chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: eventLog})
		return err
	})); err != nil {
		t.Fatalf("have the tab remember its input events: %v", err)
	}
	if err := chromedp.Do(bctx, browsertest.Unwatched()); err != nil {
		t.Fatalf("turn off the tab's CSS and Network domains: %v", err)
	}
	// A bound on a hung browser, not a speed budget: make test runs its passes side by side.
	ctx, cancel3 := context.WithTimeout(bctx, 300*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// scripts turns JavaScript on or off in the page, as on a phone with it disabled.
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

var phone = chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))

type css = chromedp.CSS

// grade is the big button for a grade of a subject.
func grade(subject int, label string) css {
	return css(fmt.Sprintf(`input[name="f1.s%d"][value="%s"] + span`, subject, label))
}

func screenshot(ctx context.Context, name string) {
	dir := os.Getenv("MINYI_SCREENSHOTS")
	if dir == "" {
		return
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

func text(t *testing.T, ctx context.Context, sel css) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("read %s: %v\n%s", sel, err, where(ctx))
	}
	return s
}

// do runs the steps one after the other. A step refused with "No node with given id" is
// run again, twice at most: the node ids chromedp holds go stale when chromium replaces
// the document under them (a form's answer arriving), and the command that said so did
// nothing: it is refused before any input reaches the page. A step is one action: a
// chromedp.Func that clicked and then queried would be run again whole, its click too.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, s := range steps {
		start := time.Now()
		err := chromedp.Do(ctx, s)
		for try := 0; err != nil && try < 2 && strings.Contains(err.Error(), "No node with given id"); try++ {
			t.Logf("a step named a node of a replaced document (%v): once more", err)
			err = chromedp.Do(ctx, s)
		}
		if err != nil {
			t.Fatalf("step %d of %d, after %v: %v\n%s\nthe server's log meanwhile (its last lines):\n%s",
				i+1, len(steps), time.Since(start).Round(time.Millisecond), err, where(ctx), serverLog.last(time.Since(start)+time.Second))
		}
	}
}

// eventLog keeps a page's last input events in window.minyiEvents: kind, target, where
// the pointer was and how far the page was scrolled.
const eventLog = `(() => {
  const log = window.minyiEvents = [];
  const name = e => e && e.tagName ? e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[" + e.name + "=" + e.value + "]" : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ")[0] : "") : String(e);
  for (const k of ["pointerdown", "click", "change", "submit", "input", "scroll"]) {
    addEventListener(k, ev => {
      log.push(Math.round(performance.now()) + "ms " + k + " " + name(ev.target) + (ev.clientX !== undefined ? " at " + ev.clientX + "," + ev.clientY : "") + " y=" + Math.round(scrollY) + (ev.defaultPrevented ? " prevented" : ""));
      if (log.length > 30) log.shift();
    }, { capture: true, passive: true });
  }
})();`

// where tells what the tab shows, for a step that failed or ran out of time: its address,
// whether the page still moves, what has focus, and the start of its text.
func where(ctx context.Context) string {
	// The tab outlives the test's deadline: look with a deadline of its own.
	look, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(look, chromedp.Evaluate[string](`new Promise(done => {
	  const y = scrollY; requestAnimationFrame(() => requestAnimationFrame(() =>
	    done(location.href + "\nscrolled " + y + (scrollY !== y ? " → " + scrollY + " (still moving)" : "") +
	      ", focus " + (document.activeElement ? document.activeElement.tagName + "#" + document.activeElement.id : "none") +
	      "\n" + (document.body ? document.body.innerText : "").replace(/\s+/g, " ").slice(0, 600) +
	      "\nits last events:\n" + (window.minyiEvents || []).join("\n") +
	      "\nwhat it loaded (ms after the page began, ms taken):\n" + performance.getEntriesByType("resource").map(r =>
	        Math.round(r.startTime) + " " + Math.round(r.duration) + " " + r.name.replace(location.origin, "")).join("\n"))));
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		return "the tab does not answer: " + err.Error()
	}
	screenshot(look, "failed")
	return "the tab shows " + s
}

// A voter opens the token URL on a phone, votes, sees the confirmation, and sees "already
// used" on reload; a second voter leaves a subject blank and must confirm it; a third
// votes with JavaScript off. The tally after close matches what they cast.
func TestVoterInBrowser(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	p, urls := a.evaluationPoll("浏览器测试民主测评", []string{"张三", "李四", "王五"}, 3)
	ctx := browser(t)

	do(t, ctx, phone,
		chromedp.Navigate(urls[0]),
		chromedp.WaitVisible(css("#ballot")),
		click(grade(1, "优秀")),
		click(grade(2, "称职")),
		click(grade(3, "不称职")),
	)
	if p := text(t, ctx, "#progress"); p != "已填 3 / 3" {
		t.Fatalf("progress %q", p)
	}
	screenshot(ctx, "ballot")
	do(t, ctx, click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#done")))
	if h := text(t, ctx, "#done h1"); h != "投票成功" {
		t.Fatalf("confirmation heading %q", h)
	}
	screenshot(ctx, "done")
	do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(css("h1")))
	if body := text(t, ctx, "body"); !strings.Contains(body, "该凭证已投票") {
		t.Fatalf("after reload: %q", body)
	}

	// Second voter: a subject left blank is caught before sending, then confirmed.
	do(t, ctx,
		chromedp.Navigate(urls[1]),
		chromedp.WaitVisible(css("#ballot")),
		click(grade(1, "优秀")),
		click(grade(2, "基本称职")),
		click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css("#confirm-js")),
	)
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset.missing").length`))
	if err != nil {
		t.Fatal(err)
	}
	if c := text(t, ctx, "#confirm-js"); !strings.Contains(c, "还有 1 项未选择等次") || missing != 1 {
		t.Fatalf("blank line warning %q, %d highlighted", c, missing)
	}
	screenshot(ctx, "confirm")
	do(t, ctx, click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#done")))

	// Third voter, JavaScript off: a plain form post.
	do(t, ctx,
		scripts(false),
		chromedp.Navigate(urls[2]),
		chromedp.WaitVisible(css("#ballot")),
		click(grade(1, "称职")),
		click(grade(2, "称职")),
		click(grade(3, "不称职")),
		click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css("#done")),
		scripts(true),
	)

	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	a.countPoll(p.ID, &tl)
	subs := tl.Forms[0].Evaluation.Subjects
	got := fmt.Sprint(subs[0].Total.Votes, subs[1].Total.Votes, subs[2].Total.Votes, subs[2].Total.Invalid)
	if want := "[2 1 0 0] [0 2 1 0] [0 0 0 2] 1"; got != want || tl.Ballots != 3 {
		t.Fatalf("tally %s (%d ballots), want %s", got, tl.Ballots, want)
	}
	// 3 of 10 came (7 needed): 王五's two 不称职 draw no 建议免职; the line says why
	if len(subs[2].Flags) != 1 || subs[2].Flags[0].Code != ballot.RuleNoQuorum {
		t.Fatalf("王五 flags %+v, want only 未达法定人数", subs[2].Flags)
	}
}

// An organizer logs in, sets a poll up with the form (pasting lists), opens it, and after
// a vote and close, counts it and reads the tally in the browser.
func TestOrganizerInBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	do(t, ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(app.base+"/"),
		chromedp.WaitVisible(css(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), "admin"),
		chromedp.SendKeys(css(`input[name=password]`), app.password),
		chromedp.Submit(css(`input[name=password]`)),
		chromedp.WaitVisible(css(`a[href="/polls/new"]`)),
		click(css(`a[href="/polls/new"]`)),
		chromedp.WaitVisible(css(`a[href="/polls/new?template=evaluation"]`)),
		click(css(`a[href="/polls/new?template=evaluation"]`)),
		chromedp.WaitVisible(css(`textarea[name=f0_subjects]`)),
		click(css(`button[name=add][value=recommendation]`)),
		chromedp.WaitVisible(css(`textarea[name=f1_positions]`)),
	)
	screenshot(ctx, "builder")
	do(t, ctx,
		click(css(`button[name=remove][value="1"]`)),
		chromedp.WaitNotPresent(css(`textarea[name=f1_positions]`)),
		chromedp.SetValue(css(`input[name=title]`), "组织者浏览器测试"),
		chromedp.SetValue(css(`textarea[name=f0_subjects]`), "赵一\t局长\n钱二\t副局长"),
		chromedp.SetValue(css(`textarea[name=groups]`), "班子成员 5\n职工代表 20"),
		click(css(`form[action="/polls"] button.primary`)),
		chromedp.WaitVisible(css(`#turnout`)),
	)
	body := text(t, ctx, "main")
	for _, want := range []string{"组织者浏览器测试", "未开始", "班子成员", "钱二", "法定人数：实到不少于 17 人"} {
		if !strings.Contains(body, want) {
			t.Fatalf("poll page lacks %q:\n%s", want, body)
		}
	}
	screenshot(ctx, "organizer-poll")
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := url[strings.LastIndex(url, "/")+1:]
	// Without tellers the key is made on this browser: the poll page's button leads to the
	// one seat, which makes the key at once and needs the backup checked before voting can open.
	do(t, ctx,
		click(css(`#own-key form button`)),
		chromedp.WaitVisible(css(`#step-verify`)),
	)
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("step-check").hidden && document.getElementById("roster-card").hidden`)); err != nil || !v {
		t.Fatal("the organizer's seat shows a roster or a check code to compare")
	}
	backup := text(t, ctx, "#share-code")
	screenshot(ctx, "organizer-key")
	do(t, ctx,
		chromedp.SetValue(css(`#verify-code`), backup),
		click(css(`#verify`)),
		chromedp.WaitVisible(css(`#step-done`)),
		chromedp.Navigate(app.base+"/polls/"+id),
		chromedp.WaitVisible(css(`form[action$="/open"]`)),
		click(css(`form[action$="/open"] button`)),
		chromedp.WaitVisible(css(`form[action$="/close"]`)),
	)
	a := adminAPI(t)
	var p pollRef
	a.call("GET", "/api/v1/polls/"+id, nil, 200, &p)
	var toks struct{ Tokens []struct{ Code string } }
	a.call("POST", "/api/v1/polls/"+id+"/tokens", map[string]any{"group_id": p.Groups[1].ID, "count": 1}, 201, &toks)
	a.call("POST", "/api/v1/ballot/"+toks.Tokens[0].Code, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"不称职"}, "s2": {"优秀"}}}}}}, 200, nil)
	do(t, ctx,
		chromedp.Navigate(app.base+"/polls/"+id),
		chromedp.WaitVisible(css(`form[action$="/close"]`)),
		click(css(`form[action$="/close"] button`)),
		chromedp.WaitVisible(css(`a[href$="/count"]`)),
		click(css(`a[href$="/count"]`)),
		chromedp.WaitVisible(css(`form[action$="/count"] button`)),
		click(css(`form[action$="/count"] button`)),
		chromedp.WaitVisible(css(`#device-count`)),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name=share]').length`)); err != nil || n != 0 {
		t.Fatalf("the count page asks for the backup (%d fields): the server must never take it", n)
	}
	// The organizer's own device decrypts the sums: a fresh link to the one seat from the
	// poll page, the backup typed there.
	do(t, ctx,
		chromedp.Navigate(app.base+"/polls/"+id),
		chromedp.WaitVisible(css(`#own-key form button`)),
		click(css(`#own-key form button`)),
		chromedp.WaitVisible(css(`#count-form`)),
		chromedp.SetValue(css(`#count-code`), backup),
		click(css(`#count-go`)),
	)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById('status').textContent.includes('计票完成')`)); err != nil {
		t.Fatalf("the organizer's device did not finish the count: %v", err)
	}
	do(t, ctx,
		chromedp.Navigate(app.base+"/polls/"+id+"/tally"),
		chromedp.WaitVisible(css(`table.tally`)),
	)
	body = text(t, ctx, "main")
	for _, want := range []string{"计票结果报告", "赵一", "建议免职", "未达法定人数，结果无效", "监票人", "密钥由组织者本人的设备保管"} {
		if !strings.Contains(body, want) {
			t.Fatalf("tally page lacks %q:\n%s", want, body)
		}
	}
	screenshot(ctx, "tally")
}

// click clicks what sel names as a person would (browsertest.Click).
func click[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return browsertest.Click(sel)
}
