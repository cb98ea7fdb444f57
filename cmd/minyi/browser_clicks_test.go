package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// organizer drives the staff pages as a person would and keeps the tally of what it took:
// every click (a confirmation's OK is a click), and apart from them every field filled
// (typed, pasted or a file chosen).
type organizer struct {
	t       *testing.T
	ctx     context.Context
	clicks  []string
	fields  []string
	dialogs atomic.Int32
}

func newOrganizer(t *testing.T, ctx context.Context) *organizer {
	o := &organizer{t: t, ctx: ctx}
	// browser accepts every confirmation, as a person clicking OK; each is counted here.
	if err := chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			o.dialogs.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return o
}

// click presses what, then waits for what follows.
func (o *organizer) click(what string, sel css, then ...chromedp.Action[chromedp.Void]) {
	o.t.Helper()
	before := o.dialogs.Load()
	do(o.t, o.ctx, append([]chromedp.Action[chromedp.Void]{click(sel)}, then...)...)
	o.clicks = append(o.clicks, what)
	for i := before; i < o.dialogs.Load(); i++ {
		o.clicks = append(o.clicks, what+"：确认对话框“确定”")
	}
}

func (o *organizer) fill(what string, sel css, value string) {
	o.t.Helper()
	do(o.t, o.ctx, chromedp.SetValue(sel, value))
	o.fields = append(o.fields, what)
}

func (o *organizer) choose(what string, sel css, file string) {
	o.t.Helper()
	do(o.t, o.ctx, chromedp.SetUploadFiles(sel, []string{file}))
	o.fields = append(o.fields, what)
}

func (o *organizer) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d clicks:\n", len(o.clicks))
	for i, c := range o.clicks {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, c)
	}
	fmt.Fprintf(&b, "%d fields filled:\n", len(o.fields))
	for i, f := range o.fields {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, f)
	}
	return b.String()
}

// waitFiles waits until dir holds a file matching pattern, fully written, and gives its path.
func waitFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got, _ := filepath.Glob(filepath.Join(dir, pattern))
		partial, _ := filepath.Glob(filepath.Join(dir, "*.crdownload"))
		if len(got) > 0 && len(partial) == 0 {
			return got
		}
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no %s downloaded to %s (%d files there)", pattern, dir, len(entries))
	return nil
}

// The annual review (年度考核民主测评) of four groups, from the template to voting open in
// at most 8 clicks: the organizer fills in what no template can know (the title, the
// groups' 应到, the cadres to evaluate), saves, makes the key on this device and checks
// its backup, downloads every group's slips in one PDF, and opens voting after the one
// confirmation. The download holds one slip per 应到 of each group, and its codes vote.
func TestTemplateToOpenInFewClicks(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	downloads := t.TempDir()
	login(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(app.base+"/"), chromedp.WaitVisible(css(`a[href="/polls/new"]`)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
				// the test's own browser context: the browser is shared by the tests
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
			return err
		}))
	o := newOrganizer(t, ctx)
	o.click("新建投票活动", `a[href="/polls/new"]`, chromedp.WaitVisible(css(`a[href="/polls/new?template=annual"]`)))
	o.click("模板：年度考核民主测评", `a[href="/polls/new?template=annual"]`, chromedp.WaitVisible(css(`textarea[name=f1_subjects]`)))
	o.fill("投票活动名称", `input[name=title]`, "2026年度县发改局领导班子和领导干部考核民主测评")
	want := map[string]int{"上级领导": 3, "班子成员": 6, "中层干部": 12, "职工代表": 21}
	o.fill("参评类别及应到人数", `textarea[name=groups]`, "上级领导 3\n班子成员 6\n中层干部 12\n职工代表 21")
	o.fill("被测评对象（领导干部）", `textarea[name=f1_subjects]`, "赵一\t局长\n钱二\t副局长\n孙三\t副局长")
	o.click("保存", `form[action="/polls"] button.primary`, chromedp.WaitVisible(css(`#turnout`)))
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := url[strings.LastIndex(url, "/")+1:]

	// The key: made on this device as the button says, its backup saved as a file and
	// checked by choosing that file; the page then goes back to the poll.
	o.click("在本设备上生成密钥", `#own-key form button`, chromedp.WaitVisible(css(`#step-verify`)))
	o.click("保存为文件", `#download`)
	backup := waitFiles(t, downloads, "*.txt")[0]
	o.choose("核验备份：选择保存的文件", `#verify-file`, backup)
	do(t, ctx, chromedp.WaitVisible(css(`#issue-all-form`)))
	if body := text(t, ctx, "#own-key"); !strings.Contains(body, "已就绪") {
		t.Fatalf("the poll page after the backup was checked:\n%s", body)
	}

	o.click("生成全部凭证并下载", `#issue-all-form button`)
	slips := waitFiles(t, downloads, "*.pdf")
	if len(slips) != 1 {
		t.Fatalf("downloads: %v, want one PDF", slips)
	}
	// The page reloads for the next batch; voting is opened from it, after the confirmation.
	do(t, ctx, chromedp.Sleep(2*time.Second), chromedp.WaitVisible(css(`form[action$="/open"] button`)))
	o.click("开始投票", `form[action$="/open"] button`, chromedp.WaitVisible(css(`form[action$="/close"]`)))
	t.Logf("from the polls list to voting open:\n%s", o.report())
	if len(o.clicks) > 8 {
		t.Errorf("the path took %d clicks, want at most 8:\n%s", len(o.clicks), o.report())
	}
	// The confirmation before opening stays: voting opens only after its OK.
	if last := o.clicks[len(o.clicks)-1]; !strings.HasPrefix(last, "开始投票：确认") {
		t.Fatalf("开始投票 opened voting without asking: the last click was %q", last)
	}

	// One slip per 应到 of each group: each group's slips start on a page of their own.
	b, err := os.ReadFile(slips[0])
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "slips.pdf")
	os.WriteFile(f, b, 0o644)
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils, installed by make test): %v", err)
	}
	codeRE := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)
	got := map[string]int{}
	first := map[string]string{}
	for i, pg := range strings.Split(string(out), "\f") {
		codes := codeRE.FindAllString(pg, -1)
		if len(codes) == 0 {
			continue
		}
		var on []string
		for g := range want {
			if strings.Contains(pg, g) {
				on = append(on, g)
			}
		}
		if len(on) != 1 {
			t.Fatalf("page %d of the slips names groups %v, want exactly one:\n%s", i+1, on, pg)
		}
		got[on[0]] += len(codes)
		if first[on[0]] == "" {
			first[on[0]] = codes[0]
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("slips per group in the download: %v, want %v", got, want)
	}

	// Voting is open, and a slip of each group opens its ballot.
	a := adminAPI(t)
	var p struct{ State string }
	a.call("GET", "/api/v1/polls/"+id, nil, 200, &p)
	if p.State != "open" {
		t.Fatalf("poll state %q after 开始投票, want open", p.State)
	}
	for g, code := range first {
		var bl struct{ Forms []any }
		a.call("GET", "/api/v1/ballot/"+code, nil, 200, &bl)
		if len(bl.Forms) != 2 {
			t.Fatalf("a %s slip's ballot has %d forms, want 2", g, len(bl.Forms))
		}
	}
}
