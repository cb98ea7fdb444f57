package server_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/cloudflare/circl/group"
	_ "github.com/lib/pq"

	"minyi/ballot"
	"minyi/ballot/elgamal"
)

// seatURLs keeps the latest seat links of every poll whose ceremony a test started, so a
// test can count with the tellers' devices later.
var seatURLs sync.Map // poll id → []string

// deviceStatus is a device count as the organizer sees it.
type deviceStatus struct {
	State     string
	Quorum    int
	Decrypted int
	Seats     []struct {
		Seat   int
		Teller string
		Done   bool
		Label  string
	}
	Tally string
}

// tellerCountJSON is what a seat's device reads at the count.
type tellerCountJSON struct {
	State       string   `json:"state"`
	Poll        string   `json:"poll"`
	Seat        int      `json:"seat"`
	Quorum      int      `json:"quorum"`
	Decrypted   int      `json:"decrypted"`
	Posted      bool     `json:"posted"`
	PublicShare string   `json:"public_share"`
	Points      []string `json:"points"`
	Context     string   `json:"context"`
}

// seatDevice is the teller's device of a seat of a poll whose ceremony this test ran.
func (e *env) seatDevice(pollID string, seat int) seatClient {
	e.t.Helper()
	v, ok := seatURLs.Load(pollID)
	if !ok || seat < 1 || seat > len(v.([]string)) {
		e.t.Fatalf("no seat link %d for poll %s: run its key ceremony in this test", seat, pollID)
	}
	return seatClient{t: e.t, url: v.([]string)[seat-1]}
}

// partialOf is what a device posts: the round's points decrypted with the share in code.
func partialOf(t *testing.T, pollID, code string, tc tellerCountJSON) map[string]any {
	t.Helper()
	j, s, err := elgamal.DecodeShare(pollID, code)
	if err != nil {
		t.Fatalf("share code: %v", err)
	}
	var points []group.Element
	for _, h := range tc.Points {
		b, _ := hex.DecodeString(h)
		p, err := elgamal.ParsePoint(b)
		if err != nil {
			t.Fatalf("point from the server: %v", err)
		}
		points = append(points, p)
	}
	cctx, _ := hex.DecodeString(tc.Context)
	part := elgamal.PartialDecrypt(j, s, points, cctx, rand.Reader)
	var d []string
	for _, p := range part.D {
		d = append(d, hex.EncodeToString(elgamal.PointBytes(p)))
	}
	return map[string]any{"d": d, "proof": hex.EncodeToString(part.Proof)}
}

// deviceCount counts a closed poll whose tellers hold the key as the organizer and the
// tellers' devices do it: the organizer starts the count, then each given seat (1-based;
// none given: every seat with a code) reads the points on its link, decrypts them with its
// share code (codes in the tellers' order, from keyCeremony) and posts the partial
// decryption, until the count is done. It returns the organizer's view at the end.
func (e *env) deviceCount(pollID string, codes []string, seats ...int) deviceStatus {
	e.t.Helper()
	var st deviceStatus
	e.api(e.admin, "POST", "/api/v1/polls/"+pollID+"/count", nil, 202, &st)
	if len(seats) == 0 {
		for i, c := range codes {
			if c != "" {
				seats = append(seats, i+1)
			}
		}
	}
	e.postPartials(pollID, codes, seats)
	e.api(e.admin, "GET", "/api/v1/polls/"+pollID+"/count", nil, 200, &st)
	return st
}

// postPartials posts the given seats' partial decryptions of a started count, as their
// devices do, until the count is done.
func (e *env) postPartials(pollID string, codes []string, seats []int) {
	e.t.Helper()
	for _, j := range seats {
		dev := e.seatDevice(pollID, j)
		var tc tellerCountJSON
		if code := dev.call("/count", nil, &tc); code != 200 {
			e.t.Fatalf("seat %d reads the count: %d", j, code)
		}
		if tc.State == "done" {
			break
		}
		if tc.State != "open" || tc.Seat != j {
			e.t.Fatalf("seat %d reads the count: %+v", j, tc)
		}
		var out struct {
			Error struct{ Code, Message string }
		}
		if code := dev.call("/partial", partialOf(e.t, pollID, codes[j-1], tc), &out); code != 200 {
			e.t.Fatalf("seat %d posts its partial decryption: %d %+v", j, code, out)
		}
	}
}

// countedTally reads a counted poll's tally.
func (e *env) countedTally(pollID string) ballot.Tally {
	e.t.Helper()
	var out struct{ Tally ballot.Tally }
	e.api(e.admin, "GET", "/api/v1/polls/"+pollID+"/tally", nil, 200, &out)
	return out.Tally
}

// The count of a tellers' poll runs on their devices: the organizer starts it, the server
// refuses a share code sent to it, a partial made with another seat's share, with its
// proof or one decrypted point altered, and keeps nothing of them; one teller of two
// needed leaves the box shut; the second finishes the count, which names both.
func TestDeviceCountRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	voters := e.tokens(p, 3)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("优秀"))
	e.vote(voters[1], form("不称职"))
	e.vote(voters[2], form("优秀"))
	dev1 := e.seatDevice(p.ID, 1)
	var tc tellerCountJSON
	if dev1.call("/count", nil, &tc); tc.State != "waiting" || tc.Points != nil {
		t.Fatalf("the count before close: %+v", tc)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if dev1.call("/count", nil, &tc); tc.State != "waiting" {
		t.Fatalf("the count before the organizer started it: %+v", tc)
	}
	var out struct {
		Error struct{ Code, Message string }
	}
	if code := dev1.call("/partial", map[string]any{"d": []string{}, "proof": ""}, &out); code != 409 {
		t.Fatalf("a partial before the start: %d %+v", code, out)
	}
	// The share codes typed into the organizer's count are refused, not used, not logged.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": codes[:2]}, 400, &out)
	if out.Error.Code != ballot.ESHARETYPED || !strings.Contains(out.Error.Message, "本人设备") {
		t.Fatalf("share codes sent to the count: %+v", out)
	}
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/count", map[string][]string{"_csrf": {csrf}, "share": {codes[0]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("a share code typed into the count page: %d", res.StatusCode)
	}
	var st deviceStatus
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "none" {
		t.Fatalf("a count started with share codes: %+v", st)
	}
	for _, code := range codes {
		if strings.Contains(e.logs.String(), code) {
			t.Fatal("a share code is in the server's log")
		}
	}
	// The organizer starts the count; starting again is the same round.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, &st)
	if st.State != "open" || st.Quorum != 2 || st.Decrypted != 0 || len(st.Seats) != 3 || st.Seats[0].Label != "未开箱" {
		t.Fatalf("the count started: %+v", st)
	}
	dev1.call("/count", nil, &tc)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, &st)
	var again tellerCountJSON
	dev1.call("/count", nil, &again)
	if tc.State != "open" || len(tc.Points) == 0 || strings.Join(again.Points, "") != strings.Join(tc.Points, "") || tc.PublicShare == "" {
		t.Fatalf("the points to decrypt: %+v then %+v", tc, again)
	}
	refused := func(what string, body map[string]any) {
		t.Helper()
		var out struct {
			Error struct{ Code, Message string }
		}
		if code := dev1.call("/partial", body, &out); code != 400 || out.Error.Code != ballot.EPARTIAL || !strings.Contains(out.Error.Message, "第1位监票人") {
			t.Fatalf("%s: %d %+v", what, code, out)
		}
		var st deviceStatus
		e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
		if st.Decrypted != 0 || st.Seats[0].Done {
			t.Fatalf("%s was kept: %+v", what, st)
		}
	}
	refused("seat 2's share on seat 1's link", partialOf(t, p.ID, codes[1], tc))
	good := partialOf(t, p.ID, codes[0], tc)
	proof, _ := hex.DecodeString(good["proof"].(string))
	proof[len(proof)-1] ^= 1
	refused("an altered proof", map[string]any{"d": good["d"], "proof": hex.EncodeToString(proof)})
	d := append([]string{}, good["d"].([]string)...)
	d[0] = tc.Points[0] // a valid point, not s_1·A_0
	refused("an altered decryption", map[string]any{"d": d, "proof": good["proof"]})
	refused("a short decryption", map[string]any{"d": good["d"].([]string)[1:], "proof": good["proof"]})
	// One teller of the two needed: the box stays shut.
	if code := dev1.call("/partial", good, &tc); code != 200 || !tc.Posted || tc.Decrypted != 1 || tc.State != "open" {
		t.Fatalf("seat 1's partial: %d %+v", code, tc)
	}
	if code := dev1.call("/partial", good, &tc); code != 200 || tc.Decrypted != 1 {
		t.Fatalf("seat 1's partial again: %d %+v", code, tc)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "open" || st.Decrypted != 1 || !st.Seats[0].Done || st.Seats[0].Label != "已提交" || st.Seats[1].Done {
		t.Fatalf("after one teller: %+v", st)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	// The third teller finishes it.
	st = e.deviceCount(p.ID, codes, 3)
	if st.State != "done" || st.Tally == "" {
		t.Fatalf("after two tellers: %+v", st)
	}
	tl := e.countedTally(p.ID)
	if tl.Ballots != 3 || strings.Join(tl.OpenedBy, ",") != "甲,丙" || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 2 || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[3] != 1 {
		t.Fatalf("tally %+v", tl)
	}
	// A teller coming late changes nothing.
	dev2 := e.seatDevice(p.ID, 2)
	if code := dev2.call("/count", nil, &tc); code != 200 || tc.State != "done" {
		t.Fatalf("seat 2 after the count: %+v", tc)
	}
}

// The last partial decryptions arriving at the same moment finish the count once: one
// tally, one poll.count entry in the log naming the organizer who started the count.
func TestDeviceCountFinishesOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	voters := e.tokens(p, 2)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("称职"))
	e.vote(voters[1], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	bodies := make([]map[string]any, 3)
	for j := 1; j <= 3; j++ {
		var tc tellerCountJSON
		e.seatDevice(p.ID, j).call("/count", nil, &tc)
		bodies[j-1] = partialOf(t, p.ID, codes[j-1], tc)
	}
	var wg sync.WaitGroup
	codesBack := make([]int, 3)
	start := make(chan struct{})
	for j := 1; j <= 3; j++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dev := e.seatDevice(p.ID, j)
			<-start
			codesBack[j-1] = dev.call("/partial", bodies[j-1], nil)
		}()
	}
	close(start)
	wg.Wait()
	for j, c := range codesBack {
		if c != 200 {
			t.Fatalf("seat %d: %d", j+1, c)
		}
	}
	log, err := e.st.PollAudit(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	counts := 0
	for _, a := range log {
		if a.Action == "poll.count" {
			counts++
			if a.ActorName == "" || a.Actor == "" || strings.Count(a.Detail["tellers"], "、") != 1 {
				t.Fatalf("the count's log entry: %+v", a)
			}
		}
	}
	if counts != 1 {
		t.Fatalf("the count was finished %d times", counts)
	}
	tl := e.countedTally(p.ID)
	if tl.Ballots != 2 || len(tl.OpenedBy) != 2 || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[1] != 2 {
		t.Fatalf("tally %+v", tl)
	}
}

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

// A poll of one teller (n = 1, k = 1) counts with that teller's device alone.
func TestDeviceCountOneSeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 2)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("基本称职"))
	e.vote(voters[1], form("基本称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if st := e.deviceCount(p.ID, codes, 1); st.State != "done" || st.Quorum != 1 || st.Decrypted != 1 {
		t.Fatalf("one teller: %+v", st)
	}
	if tl := e.countedTally(p.ID); tl.Ballots != 2 || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[2] != 2 || strings.Join(tl.OpenedBy, ",") != "甲" {
		t.Fatalf("tally %+v", tl)
	}
}

// The finish refuses a box that changed since the count started: a ballot altered in the
// database after the start stops the count, whose partials were made over the old sums;
// started again, the count leaves the altered ballot out and names it. A poll opened again
// after the start drops the round: the tellers wait for a new start, which counts the
// ballots cast since.
func TestDeviceCountBoxChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	voters := e.tokens(p, 4)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("优秀"))
	e.vote(voters[1], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	// Reopened after the start: the round is gone, its partial with it.
	e.deviceCount(p.ID, codes, 1)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 200, nil)
	var tc tellerCountJSON
	if e.seatDevice(p.ID, 2).call("/count", nil, &tc); tc.State != "waiting" {
		t.Fatalf("the count of a reopened poll: %+v", tc)
	}
	e.vote(voters[2], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var st deviceStatus
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "none" || st.Decrypted != 0 {
		t.Fatalf("the count after the poll was reopened and closed: %+v", st)
	}
	// A ballot altered after the start.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, &st)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Its 40th byte flipped: a byte set to a value may have held it already.
	res, err := db.Exec(`UPDATE ballots SET sealed = set_byte(sealed, 39, get_byte(sealed, 39) # 255)
		WHERE ctid = (SELECT ctid FROM ballots WHERE poll_id = $1 AND sealed IS NOT NULL LIMIT 1)`, p.ID)
	if err != nil {
		t.Fatalf("altering a ballot: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("altering a ballot: %d rows changed, want 1", n)
	}
	for j := 1; j <= 2; j++ {
		dev := e.seatDevice(p.ID, j)
		dev.call("/count", nil, &tc)
		var out struct {
			Error struct{ Code, Message string }
		}
		code := dev.call("/partial", partialOf(t, p.ID, codes[j-1], tc), &out)
		if j == 1 && code != 200 {
			t.Fatalf("seat 1: %d %+v", code, out)
		}
		if j == 2 && (code != 409 || !strings.Contains(out.Error.Message, "票箱有变动")) {
			t.Fatalf("the finish over a changed box: %d %+v", code, out)
		}
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	// Started again, the count is of the box as it is now.
	if st = e.deviceCount(p.ID, codes, 2, 3); st.State != "done" {
		t.Fatalf("the count started again: %+v", st)
	}
	tl := e.countedTally(p.ID)
	votes := tl.Forms[0].Evaluation.Subjects[0].Total.Votes
	if tl.Ballots != 3 || len(tl.Unreadable) != 1 || votes[0]+votes[1] != 2 || strings.Join(tl.OpenedBy, ",") != "乙,丙" {
		t.Fatalf("tally: %d ballots, unreadable %v, votes %v, opened by %v", tl.Ballots, tl.Unreadable, votes, tl.OpenedBy)
	}
}

// Write-ins leave their ballots at the start of the count, shuffled; the tellers' devices
// decrypt their key points with the sums, and the finish opens exactly those texts: every
// write-in is counted, none is left unopened.
func TestDeviceCountOpensTheTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "另推测试", "unit_id": e.unitID, "tellers": []string{"甲", "乙"}, "teller_quorum": 2,
		"quorum": map[string]int{"num": 1, "den": 30},
		"groups": []map[string]any{{"name": "全体参会人员", "expected": 30}},
		"forms": []map[string]any{{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
			{"title": "副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}}}}}}},
	}, 201, &p)
	voters := e.tokens(p, 4)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for i, w := range []string{"赵六", "赵六", "钱七", ""} {
		v := url.Values{"f1.p1": {"c1"}}
		if w != "" {
			v.Set("f1.p1.w", w)
		}
		if code, body := e.vote(voters[i], v); code != 200 || !strings.Contains(body, "投票成功") {
			t.Fatalf("vote %d: %d", i+1, code)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if st := e.deviceCount(p.ID, codes); st.State != "done" {
		t.Fatalf("the count: %+v", st)
	}
	tl := e.countedTally(p.ID)
	got := map[string]int{}
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		got[c.Name] = c.Votes.Total
	}
	if got["张三"] != 4 || got["赵六"] != 2 || got["钱七"] != 1 || strings.Contains(strings.Join(tl.Notes, ""), "无法解密") {
		t.Fatalf("recommendation %v, notes %v", got, tl.Notes)
	}
}
