//go:build !race

// The browser tests are built without -race: the race detector's pass of this package
// runs the tests of concurrent work (make test's RACE_HTTP), none of which opens a
// browser, and its binary need not build the browser driver.

package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Three tellers make the key on their pages, voters vote, and after close the organizer
// starts the count; two tellers open their links again and type their backup codes on
// their pages, which decrypt the sums there: the tally has what was cast and names them,
// and the third teller's page says the count is done.
func TestDeviceCountInBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	voters := e.tokens(p, 5)
	links := e.seatLinks(p.ID)
	// Three tellers' phones, and the organizer's computer.
	tabs := tellerTabs(t, 4)
	org := tabs[3]
	tabs = tabs[:3]
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d opens the link", i+1), chromedp.Navigate(links[i]), chromedp.WaitVisible(css("#start")), click(css("#start")))
	}
	var shares [3]string
	var files [3]string // the backup files the page offers, as the tellers saved them
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d reaches the backup", i+1), chromedp.WaitVisible(css("#step-verify")))
		shares[i] = text(t, tab, "#share-code")
		files[i] = saveBackup(t, tab, fmt.Sprintf("监票人份额-第%d位.txt", i+1))
		if saved, err := os.ReadFile(files[i]); err != nil || !strings.Contains(string(saved), shares[i]) {
			t.Fatalf("teller %d's backup file: %v %q", i+1, err, saved)
		}
	}
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d proves the backup", i+1), chromedp.SetValue(css("#verify-code"), shares[i]),
			click(css("#verify")), chromedp.WaitVisible(css("#step-done")))
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	cast := []string{"优秀", "优秀", "称职", "不称职", "优秀"}
	for i, v := range voters {
		if code, _ := e.vote(v, form(cast[i])); code != 200 {
			t.Fatalf("vote %d: %d", i+1, code)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	// The tellers come back to their links: the page waits for the organizer.
	for i, tab := range tabs[:2] {
		run(t, tab, fmt.Sprintf("teller %d opens the link at the count", i+1), chromedp.Navigate(links[i]), chromedp.WaitVisible(css("#step-count")))
	}
	if msg := text(t, tabs[0], "#status"); !strings.Contains(msg, "等待组织者开始开箱计票") {
		t.Fatalf("before the start the page says %q", msg)
	}
	// The organizer starts the count on the count page, which then follows the tellers
	// without being reloaded (count.js): a mark left on the page stays to the end.
	run(t, org, "the organizer logs in", chromedp.Navigate(e.base+"/login"), chromedp.WaitVisible(css(`input[name="password"]`)),
		chromedp.SetValue(css(`input[name="username"]`), "admin"), chromedp.SetValue(css(`input[name="password"]`), password),
		chromedp.Submit(css(`input[name="password"]`)), chromedp.WaitNotPresent(css(`input[name="password"]`)))
	run(t, org, "the organizer starts the count", chromedp.Navigate(e.base+"/polls/"+p.ID+"/count"),
		click(css(`form[action$="/count"] button.primary`)), chromedp.WaitVisible(css("#count-seats")))
	if seats := text(t, org, "#count-seats"); strings.Count(seats, "未开箱") != 3 || !strings.Contains(text(t, org, "#count-note"), "已开箱 0 / 2") {
		t.Fatalf("the count page at the start: %q", seats)
	}
	if _, err := chromedp.Run(org, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	organizerSees := func(want ...string) {
		t.Helper()
		var seats string
		for range 100 {
			seats = text(t, org, "#device-count")
			if !slices.ContainsFunc(want, func(w string) bool { return !strings.Contains(seats, w) }) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		same, err := chromedp.Run(org, chromedp.Evaluate[bool](`window.notReloaded === true`))
		if err != nil || !same {
			t.Fatalf("the count page was reloaded (%v), not refreshed in place", err)
		}
		for _, w := range want {
			if !strings.Contains(seats, w) {
				t.Fatalf("the count page says %q, not %q", seats, w)
			}
		}
	}
	var st deviceStatus
	// A code of another seat is refused on the device, before anything is sent.
	run(t, tabs[0], "teller 1 types teller 2's code", chromedp.WaitVisible(css("#count-form")), chromedp.SetValue(css("#count-code"), shares[1]),
		click(css("#count-go")), chromedp.WaitVisible(css("#error")))
	shot(tabs[0], "teller-count-form")
	if msg := text(t, tabs[0], "#error"); !strings.Contains(msg, "第2位监票人的备份") {
		t.Fatalf("another seat's code on seat 1's page: %q", msg)
	}
	run(t, tabs[0], "teller 1 counts", chromedp.SetValue(css("#count-code"), strings.ToLower(shares[0])), click(css("#count-go")),
		chromedp.WaitNotVisible(css("#count-form")))
	poll := func(tab context.Context, want string) string {
		t.Helper()
		var msg string
		for range 100 {
			if msg = text(t, tab, "#status"); strings.Contains(msg, want) {
				return msg
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("the page says %q, not %q", msg, want)
		return ""
	}
	poll(tabs[0], "已开箱 1 / 2")
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "open" || st.Decrypted != 1 || !st.Seats[0].Done {
		t.Fatalf("after one teller: %+v", st)
	}
	organizerSees("甲：已提交", "乙：未开箱", "丙：未开箱", "已开箱 1 / 2")
	if hidden, _ := chromedp.Run(org, chromedp.Evaluate[bool](`document.getElementById('count-tally').hidden`)); !hidden {
		t.Fatal("the link to the tally shows before the count is done")
	}
	// Teller 2 counts with the backup file instead of typing the code; teller 1's file,
	// chosen by mistake, is refused on the device and nothing is posted.
	run(t, tabs[1], "teller 2 chooses teller 1's backup file", chromedp.WaitVisible(css("#count-form")), chromedp.SetUploadFiles(css("#count-file"), []string{files[0]}),
		click(css("#count-go")), chromedp.WaitVisible(css("#error")))
	if msg := text(t, tabs[1], "#error"); !strings.Contains(msg, "这是第1位监票人的备份，不是您的") {
		t.Fatalf("teller 1's backup file on seat 2's page: %q", msg)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.Decrypted != 1 || st.Seats[1].Done {
		t.Fatalf("a wrong backup file posted something: %+v", st)
	}
	run(t, tabs[1], "teller 2 counts with their backup file", chromedp.SetUploadFiles(css("#count-file"), []string{files[1]}), click(css("#count-go")))
	poll(tabs[1], "计票完成")
	poll(tabs[0], "计票完成")
	shot(tabs[1], "teller-count-done")
	organizerSees("计票完成", "甲：已提交", "乙：已提交", "丙：未开箱")
	if href, err := chromedp.Run(org, chromedp.Evaluate[string](`(() => { const a = document.querySelector('#count-tally a'); return a && !document.getElementById('count-tally').hidden ? a.getAttribute('href') : ''; })()`)); err != nil || href != "/polls/"+p.ID+"/tally" {
		t.Fatalf("the link to the tally once done: %q %v", href, err)
	}
	shot(org, "organizer-count-done")
	run(t, tabs[2], "teller 3 opens the link after the count", chromedp.Navigate(links[2]), chromedp.WaitVisible(css("#step-count")))
	poll(tabs[2], "计票完成")
	tl := e.countedTally(p.ID)
	want := [4]int{3, 1, 0, 1} // 优秀, 称职, 基本称职, 不称职 as cast above
	got := tl.Forms[0].Evaluation.Subjects[0].Total.Votes
	if tl.Ballots != len(cast) || strings.Join(tl.OpenedBy, ",") != "甲,乙" || len(got) < 4 || [4]int(got[:4]) != want {
		t.Fatalf("tally: %d ballots, opened by %v, votes %v; cast %v", tl.Ballots, tl.OpenedBy, got, cast)
	}
}

// saveBackup clicks the teller page's 保存为文件 and returns the path of the file the
// browser saved, named as the page names it.
func saveBackup(t *testing.T, tab context.Context, name string) string {
	t.Helper()
	dir := t.TempDir()
	// Each teller's phone is a browser context of its own: the setting is that context's.
	if _, err := chromedp.CallBrowser(tab, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow,
		BrowserContextID: chromedp.FromContext(tab).BrowserContextID, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	run(t, tab, "save the backup as a file", click(css("#download")))
	path := filepath.Join(dir, name)
	for range 100 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return path
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no backup file %s saved: %v", name, entries)
	return ""
}
