package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// regionSurvey makes a 满意度 survey of n groups spread over regions regions (group i in
// region i%regions), each group expecting ten, with the key the server holds.
func (e *env) regionSurvey(n, regions int) poll {
	e.t.Helper()
	var groups []map[string]any
	for i := range n {
		groups = append(groups, map[string]any{"name": fmt.Sprintf("第%03d服务窗口", i+1), "expected": 10, "region": fmt.Sprintf("第%02d地区", i%regions+1)})
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "全省政务服务满意度测评", "unit_id": e.unitID, "key_holder": "server", "groups": groups,
		"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
			{"kind": "single", "title": "总体评价", "options": []string{"满意", "基本满意", "不满意"}}}}}},
	}, 201, &p)
	return p
}

// codesOf issues perGroup codes in every group of p through the bulk issue, in one CSV.
func (e *env) codesOf(p poll, perGroup int) []string {
	e.t.Helper()
	res := e.issueCodes(nil, p, map[string]any{"per_group": perGroup})
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 {
		e.t.Fatalf("issuing codes: %d %v %.300s", res.StatusCode, err, b)
	}
	var codes []string
	for _, l := range readCodeList(e.t, b) {
		codes = append(codes, strings.ReplaceAll(l.code, "-", ""))
	}
	return codes
}

// rawEvent is one turnout event as it came off the wire.
type rawEvent struct {
	at    time.Time
	bytes int // the event's data line
	used  int
}

// rawEvents reads a turnout stream, timing each event and keeping its size.
func rawEvents(t *testing.T, url string, client *http.Client) <-chan rawEvent {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("stream %s: %d", url, res.StatusCode)
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan rawEvent, 1024)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev liveEvent
				if json.Unmarshal([]byte(data), &ev) == nil {
					out <- rawEvent{at: time.Now(), bytes: len(data), used: ev.Turnout.Total.Used}
				}
			}
		}
	}()
	return out
}

// A province's dashboards under a burst of votes: with 300 groups, the poll page's stream
// and the big screen's each get at most two events a second however fast the votes come
// (every event the whole latest state, never a backlog of one per vote), and the last
// vote is on both within the coalescing's half second and a computation. It measures rates,
// so it is named apart from the TestLive* tests that the race detector's pass runs again:
// under the detector a vote is many times slower and the burst too thin to tell anything.
func TestStreamsCoalescedUnderBurst(t *testing.T) {
	e := newEnv(t, noPools)
	p := e.regionSurvey(300, 12)
	codes := e.codesOf(p, 2)
	e.openPoll(p.ID)
	key, err := e.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.browser("admin")
	streams := map[string]<-chan rawEvent{
		"poll page":  rawEvents(t, e.base+"/polls/"+p.ID+"/live", c),
		"big screen": rawEvents(t, e.base+"/screen/"+key+"/live", nil),
	}
	for name, s := range streams {
		select {
		case <-s:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no first event", name)
		}
	}

	// Eight voters at once, for a fixed window, each vote a change of the turnout. Two
	// seconds of votes as fast as they come are a hundred changes or more against at most
	// six events (below), on a loaded machine too.
	const window = 2 * time.Second
	cast := `{"ballot":{"forms":[{"form":"f1","lines":{"q1":["满意"]}}]}}`
	var voted, failed atomic.Int64
	var lastAnswer atomic.Int64
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < window {
				i := int(next.Add(1)) - 1
				if i >= len(codes) {
					return
				}
				res, err := http.Post(e.base+"/api/v1/ballot/"+codes[i], "application/json", strings.NewReader(cast))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 200 {
					voted.Add(1)
					lastAnswer.Store(time.Now().UnixNano())
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	end := time.Now()
	n := int(voted.Load())
	// Fewer changes than the events allowed could not show a stream sending one per change.
	if limit := int(2*end.Sub(start).Seconds()) + 2; failed.Load() > 0 || n < limit+5 {
		t.Fatalf("the burst: %d votes accepted, %d refused or failed; too few to tell coalescing (%d events allowed)", n, failed.Load(), limit)
	}
	last := time.Unix(0, lastAnswer.Load())
	for name, s := range streams {
		var during, bytes, settled int
		var seenAt time.Time
		deadline := time.After(5 * time.Second)
	read:
		for {
			select {
			case ev, ok := <-s:
				if !ok {
					t.Fatalf("%s: the stream ended", name)
				}
				if ev.at.Before(end) {
					during++
					bytes += ev.bytes
				}
				if ev.used == n {
					seenAt = ev.at
					settled = ev.bytes
					break read
				}
			case <-deadline:
				t.Fatalf("%s: the last of %d votes not seen within 5 s", name, n)
			}
		}
		secs := end.Sub(start).Seconds()
		rate := float64(during) / secs
		t.Logf("%s: %d votes in %.1f s (%.0f/s); %d events during the burst, %.2f events/s, %d bytes an event (%d the last); the last vote seen %v after its answer",
			name, n, secs, float64(n)/secs, during, rate, bytes/max(during, 1), settled, seenAt.Sub(last).Round(time.Millisecond))
		// Computations start at least 500 ms apart: at most 2 a second, and one more at
		// each edge of the window, as an event arrives a computation's time after its start.
		if limit := int(2*secs) + 2; during > limit {
			t.Errorf("%s: %d events in %.1f s of votes (%.2f a second), more than two a second", name, during, secs, rate)
		}
		// Half a second of coalescing, then one computation; a loaded machine's computation
		// takes the rest.
		// A survey's 300 groups travel as counts by position, not as named rows.
		if settled > 16<<10 {
			t.Errorf("%s: an event of 300 groups weighs %d bytes", name, settled)
		}
		if lag := seenAt.Sub(last); lag > 1500*time.Millisecond {
			t.Errorf("%s: the last vote reached the stream %v after its answer", name, lag)
		}
	}
}

// Hundreds of groups folded by region: the API's turnout carries each region's subtotal,
// the poll page shows a row per region with its groups folded under it inside the table's
// own scrolling box, and the big screen shows the regions and the total, not 300 bars.
func TestTurnoutFoldsByRegion(t *testing.T) {
	e := newEnv(t, noPools)
	p := e.regionSurvey(300, 12)
	res := e.issueCodes(nil, p, map[string]any{"per_group": 1})
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	lines := readCodeList(t, b)
	e.openPoll(p.ID)
	cast := map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"q1": {"满意"}}}}}}
	// One vote in each of the first 14 groups: regions 1 and 2 get two, the others one.
	for _, l := range lines[:14] {
		e.api("", "POST", "/api/v1/ballot/"+strings.ReplaceAll(l.code, "-", ""), cast, 200, nil)
	}
	var tu struct {
		Groups []struct {
			Name, Region string
			Used         int
		}
		Regions []struct {
			Region                         string
			Groups, Expected, Issued, Used int
		}
		Total struct{ Expected, Used int }
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if len(tu.Groups) != 300 || len(tu.Regions) != 12 || tu.Total.Used != 14 || tu.Total.Expected != 3000 {
		t.Fatalf("turnout: %d groups, %d regions, total %+v", len(tu.Groups), len(tu.Regions), tu.Total)
	}
	for i, r := range tu.Regions {
		want := 1
		if i < 2 {
			want = 2
		}
		if r.Region != fmt.Sprintf("第%02d地区", i+1) || r.Groups != 25 || r.Expected != 250 || r.Issued != 25 || r.Used != want {
			t.Fatalf("region %d: %+v, want 25 groups, 250 expected, 25 issued, %d used", i, r, want)
		}
	}

	c, _ := e.browser("admin")
	status, page := e.get(c, "/polls/"+p.ID)
	if status != 200 {
		t.Fatalf("poll page: %d", status)
	}
	tbl := page[strings.Index(page, `id="turnout"`):]
	tbl = tbl[:strings.Index(tbl, "</table>")]
	regionRow := regexp.MustCompile(`<tr data-region="(\d+)"><th scope="row"><button type="button" class="link fold" aria-expanded="false">(第\d\d地区)</button> <span class="meta">25个参评类别</span></th><td class="num">250</td><td class="num issued">25</td><td class="num voided">0</td><td class="num used">(\d+)</td>`)
	rows := regionRow.FindAllStringSubmatch(tbl, -1)
	if len(rows) != 12 || rows[0][2] != "第01地区" || rows[0][3] != "2" || rows[11][2] != "第12地区" || rows[11][3] != "1" {
		t.Fatalf("the poll page's region rows: %v", rows)
	}
	if n := strings.Count(tbl, `class="in-region" hidden`); n != 300 {
		t.Fatalf("%d groups folded under their regions, want 300", n)
	}
	if !strings.Contains(page, `<div class="turnout-box">`) || !strings.Contains(tbl, `<th class="num used">14</th>`) {
		t.Fatal("the turnout is not in its scrolling box with the total")
	}
	status, screen := e.get(nil, "/screen/"+mustScreenKey(t, e, p.ID))
	if status != 200 || strings.Count(screen, `class="group" data-region=`) != 12 || strings.Contains(screen, "data-group=") || !strings.Contains(screen, `<span id="used">14</span>`) {
		t.Fatalf("big screen: %d, %d region bars, %d group bars", status, strings.Count(screen, `data-region=`), strings.Count(screen, "data-group="))
	}
	_, screenJSON := e.get(nil, "/screen/"+mustScreenKey(t, e, p.ID)+"/turnout")
	t.Logf("300 groups in 12 regions: poll page %d bytes of HTML, big screen %d, the live view's JSON %d", len(page), len(screen), len(screenJSON))

	// Without regions, the big screen shows the total alone rather than 300 bars.
	flat := e.survey(300, func(int) int { return 10 })
	status, screen = e.get(nil, "/screen/"+mustScreenKey(t, e, flat.ID))
	if status != 200 || strings.Contains(screen, `class="group"`) || !strings.Contains(screen, "共 300 个参评类别，大屏只显示合计") {
		t.Fatalf("big screen of 300 groups without regions: %d\n%.2000s", status, screen)
	}

	// The builder takes a region in brackets before a group's name, and refuses one too long.
	c, csrf := e.browser("admin")
	v := url.Values{"title": {"按地区的民主测评"}, "unit_id": {e.unitID}, "groups": {"【杭州市】西湖区政务服务中心 40\n[宁波市] 海曙区政务服务中心 30\n省本级窗口 5"}, "quorum": {"2/3"}, "save": {"1"},
		"f0_kind": {"evaluation"}, "f0_title": {"测评表"}, "f0_grades": {"individual"}, "f0_subjects": {"钱二"}}
	status, body := postStaffForm(t, c, e.base+"/polls", v, csrf)
	body = html.UnescapeString(body)
	if status != 200 || !strings.Contains(body, ">杭州市</button>") || !strings.Contains(body, ">宁波市</button>") || !strings.Contains(body, ">未分地区</button>") || !strings.Contains(body, "<td>海曙区政务服务中心</td>") {
		t.Fatalf("the builder's poll is not shown by region: %d\n%.3000s", status, body)
	}
	v.Set("groups", "【"+strings.Repeat("地", 31)+"】西湖区政务服务中心 40")
	v.Set("title", "地区过长")
	status, body = postStaffForm(t, c, e.base+"/polls", v, csrf)
	if status != 400 || !strings.Contains(html.UnescapeString(body), "参评类别“西湖区政务服务中心”的地区名称过长（不超过30字）") {
		t.Fatalf("a region too long: %d\n%.2000s", status, body)
	}
}

func mustScreenKey(t *testing.T, e *env, pollID string) string {
	t.Helper()
	key, err := e.st.ScreenKey(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
