package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// doubleClick clicks twice in quick succession, as a person's double click does: two
// presses and releases, the second with a click count of 2.
func doubleClick(sel css) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		type point struct{ X, Y float64 }
		p, err := chromedp.Evaluate[point](`(() => { const b = document.querySelector(`+"`"+string(sel)+"`"+`);
			b.scrollIntoView({block: "center"}); const r = b.getBoundingClientRect();
			return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`)(ctx, t)
		if err != nil {
			return err
		}
		if _, err := chromedp.MouseClickXY(p.X, p.Y)(ctx, t); err != nil {
			return err
		}
		_, err = chromedp.MouseClickXY(p.X, p.Y, chromedp.ClickCount(2))(ctx, t)
		return err
	})
}

// An organizer picks a group and sees its remaining number in the box, then double-clicks
// 生成并下载: the button holds 「正在生成…」, one PDF arrives, and the poll has exactly one
// new batch, listed with its hint after the page reloads.
func TestIssueSlipsInBrowser(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "凭证发放浏览器测试", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "班子成员", "expected": 5}, {"name": "职工代表", "expected": 20}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "局长"}}}}},
	}, 201, &p)
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, nil)

	ctx := browser(t)
	downloads := t.TempDir()
	do(t, ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(app.base+"/login"),
		chromedp.WaitVisible(css(`input[name=username]`)),
		chromedp.SendKeys(css(`input[name=username]`), "admin"),
		chromedp.SendKeys(css(`input[name=password]`), app.password),
		chromedp.Submit(css(`input[name=password]`)),
		chromedp.WaitVisible(css(`a[href="/polls/new"]`)),
		chromedp.Navigate(app.base+"/polls/"+p.ID),
		chromedp.WaitVisible(css(`#issue-form`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
				// the test's own browser context: the browser is shared by the tests
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
			return err
		}),
	)
	value := func() string {
		v, err := chromedp.Run(ctx, chromedp.Value(css(`#issue-form input[name=count]`)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := value(); v != "3" {
		t.Fatalf("数量 for 班子成员 (5, 2 issued) shows %q, want 3", v)
	}
	do(t, ctx, chromedp.SendKeys(css(`#issue-form select[name=group_id]`), kb.ArrowDown))
	if v := value(); v != "20" {
		t.Fatalf("数量 after choosing 职工代表 shows %q, want 20", v)
	}
	do(t, ctx, doubleClick(`#issue-form button`))
	busy, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const b = document.querySelector("#issue-form button"); return b.disabled + " " + b.textContent; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if busy != "true 正在生成…" {
		t.Fatalf("button while the PDF is made: %q", busy)
	}
	screenshot(ctx, "issuing")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("issue-status").textContent.includes("已生成并下载")`)); err != nil {
		t.Fatalf("no word of the download: %v (%q)", err, text(t, ctx, "#issue-status"))
	}
	var files []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files = files[:0]
		entries, _ := os.ReadDir(downloads)
		done := len(entries) > 0
		for _, e := range entries {
			files = append(files, e.Name())
			done = done && strings.HasSuffix(e.Name(), ".pdf")
		}
		if done {
			break
		}
	}
	if len(files) != 1 || !strings.HasSuffix(files[0], ".pdf") {
		t.Fatalf("downloads: %v, want one PDF", files)
	}
	var bs struct {
		Batches []struct {
			GroupName string `json:"group_name"`
			Count     int
			Hint      string
		}
	}
	a.call("GET", "/api/v1/polls/"+p.ID+"/batches", nil, 200, &bs)
	var staff []string
	for _, b := range bs.Batches {
		if b.GroupName == "职工代表" {
			staff = append(staff, b.Hint)
			if b.Count != 20 {
				t.Fatalf("职工代表 batch of %d, want 20", b.Count)
			}
		}
	}
	if len(staff) != 1 {
		t.Fatalf("a double click made %d batches for 职工代表: %+v", len(staff), bs.Batches)
	}
	// The page reloads for the next batch: a fresh form, and the batch listed by its hint.
	rows := 0
	for deadline := time.Now().Add(20 * time.Second); rows != 2 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		// Errors while the page reloads are expected; the loop asks again.
		rows, _ = chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#batches tbody tr").length`))
	}
	if rows != 2 {
		t.Fatalf("batch list after the reload has %d rows, want 2", rows)
	}
	if body := text(t, ctx, "#batches"); !strings.Contains(body, staff[0]) {
		t.Fatalf("batch list lacks the hint %s:\n%s", staff[0], body)
	}
	if v := value(); v != "3" {
		t.Fatalf("数量 after the reload shows %q, want 3 (班子成员 first with slips due)", v)
	}
	screenshot(ctx, "issued")

	// Without JavaScript the form posts as it is: the first click downloads 班子成员's three
	// slips, a second click of the same form issues nothing and says where the slips are.
	do(t, ctx, scripts(false), chromedp.Reload(), chromedp.WaitVisible(css(`#issue-form`)))
	if v := value(); v != "" {
		t.Fatalf("数量 without JavaScript shows %q, want it blank for the server to fill", v)
	}
	do(t, ctx, click(css(`#issue-form button`)))
	for deadline := time.Now().Add(20 * time.Second); len(bs.Batches) != 3 && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		a.call("GET", "/api/v1/polls/"+p.ID+"/batches", nil, 200, &bs)
	}
	if len(bs.Batches) != 3 || bs.Batches[2].GroupName != "班子成员" || bs.Batches[2].Count != 3 {
		t.Fatalf("the plain form's first post: %+v", bs.Batches)
	}
	do(t, ctx, click(css(`#issue-form button`)), chromedp.WaitVisible(css(`#issued-again`)))
	if body := text(t, ctx, "#issued-again"); !strings.Contains(body, "第一次提交下载的文件中就是这批凭证") || !strings.Contains(body, bs.Batches[2].Hint) {
		t.Fatalf("second post of the plain form:\n%s", body)
	}
	screenshot(ctx, "issued-again")
	do(t, ctx, click(css(`#issued-again form button`)), chromedp.WaitVisible(css(`#turnout`)))
	if body := text(t, ctx, "main"); !strings.Contains(body, "已作废凭证批次（班子成员，3 张，"+bs.Batches[2].Hint+"）中 3 张凭证。") {
		t.Fatalf("after voiding the lost batch:\n%s", body)
	}
	a.call("GET", "/api/v1/polls/"+p.ID+"/batches", nil, 200, &bs)
	if len(bs.Batches) != 3 {
		t.Fatalf("batches after the second post and the void: %+v", bs.Batches)
	}
	do(t, ctx, scripts(true))
}
