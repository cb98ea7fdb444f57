package server_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/server"
)

type liveEvent struct {
	State   string
	Turnout struct {
		Total struct{ Used, Issued int }
	}
}

// events reads a server-sent event stream into a channel of turnout events.
func events(t *testing.T, url string, client *http.Client) <-chan liveEvent {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan liveEvent, 16)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev liveEvent
				if json.Unmarshal([]byte(data), &ev) == nil {
					out <- ev
				}
			}
		}
	}()
	return out
}

func next(t *testing.T, ch <-chan liveEvent, want func(liveEvent) bool, within time.Duration) liveEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("stream ended")
			}
			if want(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no matching event within %v", within)
		}
	}
}

// Two instances on one database: a vote on A reaches a dashboard connected to B, pushed
// within a second; the stream says how many voted and nothing else.
func TestLiveTurnoutAcrossInstances(t *testing.T) {
	a := newEnv(t)
	_, b, _ := startInstance(t, a.url, io.Discard)
	p := a.evaluation("张三")
	codes := a.tokens(p, 3)
	a.openPoll(p.ID)
	key, err := a.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	onB := events(t, b+"/screen/"+key+"/live", nil)
	first := next(t, onB, func(liveEvent) bool { return true }, 5*time.Second)
	if first.Turnout.Total.Used != 0 || first.Turnout.Total.Issued != 3 || first.State != "open" {
		t.Fatalf("first event %+v", first)
	}
	start := time.Now()
	if status, _ := a.vote(codes[0], form("优秀")); status != 200 {
		t.Fatal(status)
	}
	next(t, onB, func(e liveEvent) bool { return e.Turnout.Total.Used == 1 }, time.Second)
	t.Logf("vote on A seen on B after %v", time.Since(start))
	// Staff stream on A needs a session; closing the poll is pushed too.
	c, _ := a.browser("admin")
	onA := events(t, a.base+"/polls/"+p.ID+"/live", c)
	next(t, onA, func(e liveEvent) bool { return e.Turnout.Total.Used == 1 }, 5*time.Second)
	a.api(a.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	next(t, onB, func(e liveEvent) bool { return e.State == "closed" }, 2*time.Second)
	next(t, onA, func(e liveEvent) bool { return e.State == "closed" }, 2*time.Second)
}

// The big screen and its streams answer only to its key, and carry turnout only.
func TestScreenLink(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	if status, _ := e.get(nil, "/screen/not-a-key"); status != 404 {
		t.Fatalf("unknown screen key: %d", status)
	}
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/screen", map[string][]string{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	key, _ := e.st.ExistingScreenKey(ctx, p.ID)
	if key == "" || !strings.Contains(string(body), "/screen/"+key) {
		t.Fatal("the poll page does not show the screen link")
	}
	status, page := e.get(nil, "/screen/"+key)
	if status != 200 || !strings.Contains(page, "年度民主测评") || strings.Contains(page, "<form") || strings.Contains(page, "张三") {
		t.Fatalf("screen page: %d", status)
	}
	var v struct {
		Title   string
		Turnout struct{ Groups []struct{ Name string } }
	}
	status, js := e.get(nil, "/screen/"+key+"/turnout")
	if status != 200 || json.Unmarshal([]byte(js), &v) != nil || v.Turnout.Groups[0].Name != "职工代表" || strings.Contains(js, "张三") {
		t.Fatalf("screen json: %d %s", status, js)
	}
}

// Meeting operations: 应到 changed (audited with both numbers), a lost slip replaced in the
// same group, close and reopen before counting, and a scheduled close that happens by itself.
func TestMeetingOperations(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	var tu struct {
		Groups []struct{ Expected, Issued, Voided int }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]int{"expected": 32}, 200, &tu)
	if tu.Groups[0].Expected != 32 {
		t.Fatalf("expected %+v", tu)
	}
	var repl struct{ Code, URL string }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/replace", map[string]string{"code": codes[1]}, 201, &repl)
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if tu.Groups[0].Issued != 2 || tu.Groups[0].Voided != 1 || repl.Code == codes[1] {
		t.Fatalf("after replacing a slip: %+v", tu)
	}
	e.openPoll(p.ID)
	if status, _ := e.vote(codes[1], form("优秀")); status != 410 {
		t.Fatalf("the lost slip still votes: %d", status)
	}
	if status, _ := e.vote(repl.Code, form("优秀")); status != 200 {
		t.Fatalf("the replacement does not vote: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 200, nil)
	if status, _ := e.vote(codes[0], form("称职")); status != 200 {
		t.Fatalf("vote after reopening: %d", status)
	}
	// Close erased the nullifiers from the box; the reopened poll still knows who voted.
	if status, _ := e.vote(repl.Code, form("称职")); status != 409 && status != 410 {
		t.Fatalf("a slip that voted before close votes again after reopening: %d", status)
	}
	// Scheduled close: set it a moment ahead; the instance closes the poll by itself.
	at := time.Now().Add(1500 * time.Millisecond)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/schedule", map[string]any{"close_at": at}, 200, nil)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var st struct{ State string }
		e.api(e.admin, "GET", "/api/v1/polls/"+p.ID, nil, 200, &st)
		if st.State == "closed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduled close did not happen")
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.countPoll(p.ID, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 409, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]int{"expected": 40}, 409, nil)
	log, _ := e.st.PollAudit(ctx, p.ID)
	var actions []string
	for _, a := range log {
		actions = append(actions, a.Action)
		if a.Action == "group.expected" && (a.Detail["from"] != "30" || a.Detail["to"] != "32") {
			t.Fatalf("应到 change recorded as %v", a.Detail)
		}
		if a.Action == "poll.close" && a.Detail["scheduled"] == "1" && a.Actor != "system" {
			t.Fatal("the scheduled close is not recorded as the system's")
		}
	}
	want := "poll.create tokens.issue group.expected token.void tokens.issue ceremony.start poll.open poll.close poll.reopen poll.schedule poll.close count.start poll.count"
	if got := strings.Join(actions, " "); got != want {
		t.Fatalf("audit\n got  %s\n want %s", got, want)
	}
}

// A stream lives past the server's write timeout: with a one-second timeout, a dashboard
// connected for three seconds still gets keepalives and the next vote.
func TestLiveStreamOutlivesWriteTimeout(t *testing.T) {
	a := newEnv(t)
	_, b, _ := startInstance(t, a.url, io.Discard, func(c *server.Config) {
		c.WriteTimeout = time.Second
		c.Live.Keepalive = 400 * time.Millisecond
	})
	p := a.evaluation("张三")
	codes := a.tokens(p, 2)
	a.openPoll(p.ID)
	key, err := a.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(b + "/screen/" + key + "/live")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var retry, keepalives int
	var used []string
	wait := time.After(3 * time.Second)
	giveUp := time.After(30 * time.Second)
	voted := false
	// An event may repeat the same figures (the poll's own opening reaching this
	// instance after the stream began): what counts is 0, then the vote's 1.
	for !voted || len(used) < 2 || used[len(used)-1] != "1" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended after %d keepalives, events %v", keepalives, used)
			}
			switch {
			case strings.HasPrefix(l, "retry: "):
				retry++
			case l == ": keepalive":
				keepalives++
			case strings.HasPrefix(l, "data: "):
				var ev liveEvent
				json.Unmarshal([]byte(l[6:]), &ev)
				if u := strconv.Itoa(ev.Turnout.Total.Used); len(used) == 0 || used[len(used)-1] != u {
					used = append(used, u)
				}
			}
		case <-wait:
			if status, _ := a.vote(codes[0], form("优秀")); status != 200 {
				t.Fatal(status)
			}
			voted = true
		case <-time.After(5 * time.Second):
			t.Fatalf("the stream went silent: events %v, %d keepalives", used, keepalives)
		case <-giveUp:
			t.Fatalf("no event shows the vote: events %v, %d keepalives", used, keepalives)
		}
	}
	if retry != 1 || keepalives < 4 || strings.Join(used, " ") != "0 1" {
		t.Fatalf("retry lines %d, keepalives %d, used %v", retry, keepalives, used)
	}
}

// Thirty dashboards of one poll on one instance: a vote reaches all of them, and the
// instance computed the turnout once for it, not once per dashboard.
func TestLiveComputedOncePerUpdate(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	key, err := e.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var streams []<-chan liveEvent
	for range 30 {
		s := events(t, e.base+"/screen/"+key+"/live", nil)
		next(t, s, func(liveEvent) bool { return true }, 5*time.Second)
		streams = append(streams, s)
	}
	before := metric(e.scrape(), "minyi_live_computations_total")
	if before < 1 || before > 3 {
		t.Fatalf("thirty dashboards joining cost %v computations", before)
	}
	if status, _ := e.vote(codes[0], form("优秀")); status != 200 {
		t.Fatal(status)
	}
	for _, s := range streams {
		next(t, s, func(ev liveEvent) bool { return ev.Turnout.Total.Used == 1 }, 2*time.Second)
	}
	if n := metric(e.scrape(), "minyi_live_computations_total") - before; n < 1 || n > 2 {
		t.Fatalf("one vote seen by thirty dashboards cost %v computations", n)
	}
	// The polling fallback is served from the same computation while streams are open.
	status, js := e.get(nil, "/screen/"+key+"/turnout")
	if status != 200 || !strings.Contains(js, `"used":1`) {
		t.Fatalf("fallback: %d %s", status, js)
	}
	if n := metric(e.scrape(), "minyi_live_computations_total") - before; n > 2 {
		t.Fatalf("the fallback computed again: %v", n)
	}
}
