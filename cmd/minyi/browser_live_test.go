package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func login(t *testing.T, ctx context.Context) {
	t.Helper()
	loginAt(t, ctx, app.base)
}

func loginAt(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
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
	t.Parallel()
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
	do(t, ctx, click(css(`form[action$="/screen"] button`)), chromedp.WaitVisible(css(`a[href^="/screen/"]`)))
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

// The poll page's turnout stays live: slips issued from the page's download form (the page
// stays, the stream too), votes shown as they come, the time in 24-hour 北京时间 on a
// computer set to New York in English, and a lost connection said plainly and recovered.
func TestLiveTurnoutSurvivesDownloadsAndDrops(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	p, urls := a.evaluationPoll("实时参会测试", []string{"张三"}, 4)
	wifi := newCutter(t, strings.TrimPrefix(app.base, "http://"))
	ctx := browser(t)
	downloads := t.TempDir()
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "en_US"}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads,
			// the test's own browser context: the browser is shared by the tests
			BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		return err
	}))
	loginAt(t, ctx, wifi.base)
	do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(wifi.base+"/polls/"+p.ID), chromedp.WaitVisible(css("#turnout")))
	// read asks the page for a text; while the page reloads (it does after issuing slips)
	// the question may fail, and the loops below ask again.
	read := func(sel string) string {
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			return "（" + err.Error() + "）"
		}
		return v
	}
	label := func() string { return read("#live-status") }
	waitLabel := func(prefix string, within time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			l := label()
			if strings.HasPrefix(l, prefix) {
				return l
			}
			if time.Now().After(deadline) {
				t.Fatalf("the label is %q, waited %v for %q", l, within, prefix)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitText := func(sel, want string, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for read(sel) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s is %q, want %q; the label says %q", sel, read(sel), want, label())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	l := waitLabel("实时更新中", 10*time.Second)
	m := regexp.MustCompile(`^实时更新中 · 最后更新 (\d\d:\d\d:\d\d)$`).FindStringSubmatch(l)
	if m == nil {
		t.Fatalf("label %q", l)
	}
	shown, _ := time.ParseInLocation("15:04:05", m[1], time.UTC)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	if d := (now.Hour()*3600 + now.Minute()*60 + now.Second()) - (shown.Hour()*3600 + shown.Minute()*60 + shown.Second()); d < -5 || d > 30 {
		t.Fatalf("label %q is not 北京时间 (now %s)", l, now.Format("15:04:05"))
	}

	// Slips from the page: a form post answered with a download, after which the page
	// reloads for the next batch; its turnout keeps coming, the new slips counted on it.
	do(t, ctx, chromedp.SetValue(css(`#issue-form input[name=count]`), "3"),
		click(css(`#issue-form button`)))
	waitText("#turnout tfoot .issued", "7", 15*time.Second)
	// The reload itself, so that it cannot fall into the cut below.
	for deadline := time.Now().Add(15 * time.Second); !strings.HasPrefix(read("#issue-status"), "已生成并下载"); {
		if time.Now().After(deadline) {
			t.Fatalf("the issue form says %q", read("#issue-status"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for deadline := time.Now().Add(15 * time.Second); read("#issue-status") != ""; {
		if time.Now().After(deadline) {
			t.Fatalf("the page did not reload after the download: %q", read("#issue-status"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if files, _ := os.ReadDir(downloads); len(files) == 0 {
		time.Sleep(time.Second) // the file may still be being written
		if files, _ = os.ReadDir(downloads); len(files) == 0 {
			t.Fatal("no slips were downloaded")
		}
	}
	ballot := map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}
	vote := func(u string) { a.call("POST", "/api/v1/ballot/"+u[strings.LastIndex(u, "/")+1:], ballot, 200, nil) }
	waitLabel("实时更新中 · 最后更新 ", 10*time.Second)
	vote(urls[0])
	vote(urls[1])
	waitText("#turnout tfoot .used", "2", 10*time.Second)
	waitLabel("实时更新中 · 最后更新 ", time.Second)

	// The network drops: the page says so at once, and comes back by itself.
	wifi.cut()
	waitLabel("连接中断，正在重连", 5*time.Second)
	screenshot(ctx, "poll-live-lost")
	vote(urls[2])
	time.Sleep(500 * time.Millisecond)
	if used := read("#turnout tfoot .used"); used != "2" {
		t.Fatalf("used %s while cut off", used)
	}
	wifi.restore()
	waitText("#turnout tfoot .used", "3", 30*time.Second)
	waitLabel("实时更新中 · 最后更新 ", time.Second)
	vote(urls[3])
	waitText("#turnout tfoot .used", "4", 5*time.Second)
}

// cutter is a TCP relay to the server that can drop every connection through it, and
// refuse new ones, as a Wi-Fi that goes away and comes back.
type cutter struct {
	base  string
	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c := &cutter{base: "http://" + ln.Addr().String(), conns: map[net.Conn]bool{}}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			if c.down {
				c.mu.Unlock()
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				c.mu.Unlock()
				in.Close()
				continue
			}
			c.conns[in], c.conns[out] = true, true
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = true
	for conn := range c.conns {
		conn.Close()
	}
	c.conns = map[net.Conn]bool{}
}

func (c *cutter) restore() {
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
}
