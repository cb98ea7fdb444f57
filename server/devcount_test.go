package server_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"
	"testing"

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
