package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func login(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(app.base+"/login"),
		chromedp.WaitVisible(css(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), "admin"),
		chromedp.SendKeys(css(`input[name=password]`), app.password),
		chromedp.Submit(css(`input[name=password]`)),
		chromedp.WaitVisible(css(`a[href="/polls/new"]`)),
	)
}

// The organizer's page shows the count rise as voters submit, without a reload; the big
// screen fits 1920×1080 and 1280×720 and follows too; a voided token gets its page.
func TestLiveTurnoutInBrowser(t *testing.T) {
	a := adminAPI(t)
	p, urls := a.evaluationPoll("大会民主测评", []string{"张三"}, 4)
	ctx := browser(t)
	login(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(css("#turnout")))
	if used := text(t, ctx, "#turnout tfoot .used"); used != "0" {
		t.Fatalf("used before voting: %q", used)
	}
	// Wait until the page's stream is up before voting.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live-status").textContent.indexOf("实时") === 0`)); err != nil {
		t.Fatal(err)
	}
	ballot := map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}
	start := time.Now()
	for _, u := range urls[:2] {
		a.call("POST", "/api/v1/ballot/"+u[strings.LastIndex(u, "/")+1:], ballot, 200, nil)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#turnout tfoot .used").textContent === "2"`)); err != nil {
		t.Fatalf("the count did not rise: %v", err)
	}
	t.Logf("two votes shown on the organizer's page after %v", time.Since(start))
	if q := text(t, ctx, "#quorum-status"); !strings.Contains(q, "还差") {
		t.Fatalf("quorum status %q", q)
	}

	// The big screen, opened from its read-only link.
	do(t, ctx, chromedp.Click(css(`form[action$="/screen"] button`)), chromedp.WaitVisible(css(`a[href^="/screen/"]`)))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href^="/screen/"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	for i, size := range [][2]int64{{1920, 1080}, {1280, 720}} {
		do(t, ctx, chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(app.base+href), chromedp.WaitVisible(css("#used")))
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth`))
		if err != nil || !fits {
			t.Fatalf("the screen overflows %dx%d: %v", size[0], size[1], err)
		}
		screenshot(ctx, fmt.Sprintf("screen-%dx%d", size[0], size[1]))
		if i == 0 {
			a.call("POST", "/api/v1/ballot/"+urls[2][strings.LastIndex(urls[2], "/")+1:], ballot, 200, nil)
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("used").textContent === "3"`)); err != nil {
				t.Fatalf("the screen did not follow: %v", err)
			}
		}
		if body := text(t, ctx, "body"); strings.Contains(body, "张三") || strings.Contains(body, "称职") {
			t.Fatal("the screen shows something other than turnout")
		}
	}

	// The paper entry page renders the same papers, every option a checkbox.
	do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(app.base+"/polls/"+p.ID+"/paper"), chromedp.WaitVisible(css(`select[name=group_id]`)))
	boxes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[type=checkbox][name="f1.s1"]').length`))
	if err != nil || boxes != 4 {
		t.Fatalf("paper entry checkboxes: %d %v", boxes, err)
	}
	screenshot(ctx, "paper-entry")

	// A voided slip.
	code := urls[3][strings.LastIndex(urls[3], "/")+1:]
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": code}, 200, nil)
	do(t, ctx, phone, chromedp.Navigate(urls[3]), chromedp.WaitVisible(css("h1")))
	if h := text(t, ctx, "h1"); h != "该凭证已作废" {
		t.Fatalf("voided token page: %q", h)
	}
}
