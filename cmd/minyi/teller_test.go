package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/ballot/elgamal"
)

// `minyi teller` makes its share with two tellers in browsers: all three read the same
// 核对码, the command's backup file holds its own share, and the poll's key is ready. At
// the count, `minyi teller count` waits for the organizer, decrypts with the backup file,
// and a teller in a browser finishes the count.
func TestTellerCommandWithBrowsers(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "命令行监票人", "unit_id": units.Units[0].ID,
		"tellers": []string{"甲", "乙", "丙"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "职工代表", "expected": 10}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}},
	}, 201, &p)
	var links struct{ Links []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/ceremony", nil, 201, &links)

	file := filepath.Join(t.TempDir(), "share.txt")
	var out bytes.Buffer
	done := make(chan error, 1)
	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		done <- Main(cctx, []string{"teller", "-url", links.Links[2].URL, "-share", file, "-every", "200ms"}, &out, os.Stderr)
	}()

	first := browser(t)
	second, cancel2 := chromedp.NewContext(first, chromedp.WithNewBrowserContext())
	defer cancel2()
	tabs := []context.Context{first, second}
	for i, tab := range tabs {
		do(t, tab, chromedp.Navigate(links.Links[i].URL), chromedp.WaitVisible(css("#start")), click(css("#start")))
	}
	var codes, shares []string
	for _, tab := range tabs {
		do(t, tab, chromedp.WaitVisible(css("#step-verify")))
		codes = append(codes, text(t, tab, "#check-code"))
		share := text(t, tab, "#share-code")
		shares = append(shares, share)
		do(t, tab, chromedp.SetValue(css("#verify-code"), share), click(css("#verify")), chromedp.WaitVisible(css("#step-done")))
	}
	if err := <-done; err != nil {
		t.Fatalf("minyi teller: %v\n%s", err, out.String())
	}
	m := regexp.MustCompile(`核对码：(\S+)`).FindStringSubmatch(out.String())
	if m == nil || m[1] != codes[0] || codes[1] != codes[0] {
		t.Fatalf("核对码: command %v, browsers %v\n%s", m, codes, out.String())
	}
	backup, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var seat int
	for _, line := range strings.Split(string(backup), "\n") {
		if j, _, err := elgamal.DecodeShare(p.ID, line); err == nil {
			seat = j
		}
	}
	if seat != 3 {
		t.Fatalf("the backup file holds no share of seat 3:\n%s", backup)
	}
	var status struct {
		Ready       bool
		Fingerprint string
	}
	a.call("GET", "/api/v1/polls/"+p.ID+"/ceremony", nil, 200, &status)
	if !status.Ready || status.Fingerprint == "" {
		t.Fatalf("the ceremony after three tellers: %+v", status)
	}
	// The same link again refuses to start over on another device, and names why.
	err = Main(context.Background(), []string{"teller", "-url", links.Links[2].URL, "-share", filepath.Join(t.TempDir(), "again.txt")}, &out, os.Stderr)
	if err == nil || !strings.Contains(err.Error(), "另一台设备") {
		t.Fatalf("a second run on a used seat: %v", err)
	}

	var toks struct{ Tokens []struct{ Code string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &toks)
	a.call("POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for _, grade := range []string{"优秀", "称职"} {
		tk := toks.Tokens[0].Code
		toks.Tokens = toks.Tokens[1:]
		a.call("POST", "/api/v1/ballot/"+tk, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {grade}}}}}}, 200, nil)
	}
	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	counted := &syncBuffer{}
	go func() {
		done <- Main(cctx, []string{"teller", "count", links.Links[2].URL, "-file", file, "-every", "100ms"}, counted, os.Stderr)
	}()
	// The count starts once the command says it waits for it.
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(counted.String(), "等待组织者开始开箱计票"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("minyi teller count does not say it waits for the count:\n%s", counted.String())
		}
	}
	a.call("POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	if err := <-done; err != nil {
		t.Fatalf("minyi teller count: %v\n%s", err, counted.String())
	}
	if !strings.Contains(counted.String(), "等待组织者开始开箱计票") || !strings.Contains(counted.String(), "已开箱 1 / 2") {
		t.Fatalf("minyi teller count said:\n%s", counted.String())
	}
	do(t, first, chromedp.Navigate(links.Links[0].URL), chromedp.WaitVisible(css("#count-form")), chromedp.SetValue(css("#count-code"), shares[0]),
		click(css("#count-go")), chromedp.WaitVisible(css("#step-count")))
	var st struct{ State string }
	for range 100 {
		if a.call("GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st); st.State == "done" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var tally struct {
		Tally struct {
			Ballots  int
			OpenedBy []string `json:"opened_by"`
		}
	}
	a.call("GET", "/api/v1/polls/"+p.ID+"/tally", nil, 200, &tally)
	if tally.Tally.Ballots != 2 || strings.Join(tally.Tally.OpenedBy, ",") != "甲,丙" {
		t.Fatalf("the tally counted by the command and a page: %+v", tally)
	}
	// A wrong code, typed in, is refused on this computer, before anything is sent.
	if said, err := runMinyi(strings.NewReader(shares[1]+"\n"), "teller", "count", links.Links[0].URL); err == nil || !strings.Contains(said, "第2位监票人的备份") {
		t.Fatalf("another seat's code: %v\n%s", err, said)
	}
	// The share never stands on the command line, where ps and the shell's history see it.
	err = Main(context.Background(), []string{"teller", "count", "-code", shares[0], links.Links[0].URL}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "份额码不能写在命令行上") {
		t.Fatalf("a share code given as an argument: %v", err)
	}
	if said, err := runMinyi(strings.NewReader(""), "teller", "count", links.Links[0].URL); err == nil || !strings.Contains(said, "未读到份额码") {
		t.Fatalf("nothing on standard input: %v\n%s", err, said)
	}
}

// runMinyi runs this binary as `minyi` with the arguments in a process of its own, with
// stdin as its standard input, and returns what it wrote (standard output and error).
func runMinyi(stdin io.Reader, args ...string) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\x1f"))
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// syncBuffer is a buffer a command writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
