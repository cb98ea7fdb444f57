package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The teller's page is a module importing the cryptography. When one of those files does
// not arrive, as on a phone whose connection drops, the page loads itself once more and
// goes on; when it fails again, it says so instead of reading its progress for ever.
func TestTellerPageReloadsWhatFailedToLoad(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	form := []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}}
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "监票人页面：脚本未到", "unit_id": units.Units[0].ID, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}}, "forms": form}, 201, &p)
	var out struct{ Links []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/ceremony", nil, 201, &out)

	// Loaded whole, the page is not loaded again.
	ctx, cancel := context.WithTimeout(browser(t), 60*time.Second)
	defer cancel()
	do(t, ctx, chromedp.Navigate(out.Links[0].URL), chromedp.WaitVisible(css(`#start`)))
	if how, err := chromedp.Run(ctx, chromedp.Evaluate[string](`performance.getEntriesByType("navigation")[0].type + " " + sessionStorage.length`)); err != nil || how != "navigate 0" {
		t.Fatalf("a page that loaded whole was loaded again, or left a mark (%q, %v)", how, err)
	}

	// The first request for the curve's code fails as a dropped connection; the page loads
	// itself again and its seat can start.
	// Bounded well below the browser's own bound: a page that never goes on fails here.
	ctx, cancel = context.WithTimeout(browser(t), 60*time.Second)
	defer cancel()
	var failed, passed atomic.Int32
	chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if failed.Load() == 0 && strings.Contains(e.Request.URL, "/noble-curves-") {
				failed.Add(1)
				_, err := cdp.Call(ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
				return err
			}
			passed.Add(1)
			_, err := cdp.Call(ctx, tg, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
			return err
		}))
	})
	intercept := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/static/teller/vendor/*"}}})
		return err
	})
	do(t, ctx, intercept, chromedp.Navigate(out.Links[0].URL), chromedp.WaitVisible(css(`#start`)))
	if failed.Load() != 1 || passed.Load() == 0 {
		t.Fatalf("%d requests failed and %d passed: the test did not drop the curve's code once", failed.Load(), passed.Load())
	}

	// Every request for it fails: after its one reload the page says it did not load.
	ctx, cancel = context.WithTimeout(browser(t), 60*time.Second)
	defer cancel()
	block := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: "http://127.0.0.1:*/static/teller/vendor/noble-curves*", Block: true}}})
		return err
	})
	do(t, ctx, block, chromedp.Navigate(out.Links[1].URL))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").textContent.includes("本页未能完整加载")`)); err != nil {
		t.Fatalf("the page never says it did not load: %v\n%s", err, where(ctx))
	}
	if evalBool(t, ctx, `!document.getElementById("step-start").hidden`) {
		t.Fatal("the seat offers to start without its code")
	}
}

// The poll page's card of the tellers' keys shows where the ceremony stands as the page
// appears, from the page itself, not a moment later from its first reading of the status
// (which grew the card and moved its button from under a tap): with the status address
// blocked, the card still says that no links were made, then how many tellers are ready.
func TestCeremonyCardShownWithThePage(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "监票人卡片：随页面显示", "unit_id": units.Units[0].ID, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}}}, 201, &p)
	ctx := browser(t)
	login(t, ctx)
	block := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: "http://127.0.0.1:*/polls/" + p.ID + "/ceremony", Block: true}}})
		return err
	})
	note := func() string {
		t.Helper()
		do(t, ctx, chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(css("#ceremony-note")))
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("ceremony-note").textContent + " | " + document.querySelectorAll("#ceremony-seats li").length`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do(t, ctx, block)
	if got, want := note(), "尚未生成监票人链接。开始投票前，须由全部监票人生成密钥。 | 0"; got != want {
		t.Errorf("before the links: the card says %q, want %q", got, want)
	}
	a.call("POST", "/api/v1/polls/"+p.ID+"/ceremony", nil, 201, nil)
	if got, want := note(), "已就绪 0 / 2 位监票人。全部就绪后才能开始投票。 | 2"; got != want {
		t.Errorf("with the links made: the card says %q, want %q", got, want)
	}
}
