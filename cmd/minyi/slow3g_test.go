package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// slow3G throttles every request as Chromium's developer tools' "Slow 3G" preset does:
// 2 s of latency, 50,000 bytes a second each way.
var slow3G = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
		return err
	}
	_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: 2000, DownloadThroughput: 50000, UploadThroughput: 50000}},
	})
	return err
})

// A voter on a slow 3G phone opens a six-person 民主测评 ballot: the page arrives in at
// most 3 requests and 30 KB, and the voter can fill it in and cast it over that network.
func TestVoterOnSlow3G(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	_, urls := a.evaluationPoll("慢速网络民主测评", []string{"张三", "李四", "王五", "赵六", "孙七", "周八"}, 1)
	ctx := browser(t)

	var mu sync.Mutex
	requests := map[network.RequestID]string{}
	var bytes float64
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests[ev.RequestID] = ev.Request.URL
		case *network.EventLoadingFinished:
			bytes += ev.EncodedDataLength
		}
	})

	start := time.Now()
	do(t, ctx, phone, slow3G,
		chromedp.Navigate(urls[0]),
		chromedp.WaitVisible(css("#ballot")),
	)
	loaded := time.Since(start)
	mu.Lock()
	n, kb := len(requests), bytes/1024
	var list []string
	for _, u := range requests {
		list = append(list, u[strings.LastIndex(u, "/"):])
	}
	mu.Unlock()
	t.Logf("slow 3G: ballot shown after %v; %d requests, %.1f KB transferred", loaded.Round(time.Millisecond), n, kb)
	if n > 3 || kb > 30 {
		t.Fatalf("the voter page took %d requests (%v) and %.1f KB, budget 3 and 30 KB", n, list, kb)
	}

	for i := 1; i <= 6; i++ {
		do(t, ctx, click(grade(i, "称职")))
	}
	if p := text(t, ctx, "#progress"); p != "已填 6 / 6" {
		t.Fatalf("progress %q: the page's script is not working on a slow network", p)
	}
	do(t, ctx, click(css(`button[type=submit]`)), chromedp.WaitVisible(css("#done")))
	t.Logf("slow 3G: cast and confirmed %v after the page was opened", time.Since(start).Round(time.Millisecond))
	if h := text(t, ctx, "#done h1"); h != "投票成功" {
		t.Fatalf("confirmation heading %q", h)
	}
}
