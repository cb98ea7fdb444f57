package server_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
)

// backupCodes keeps, per poll, the backup codes its key holders' devices showed in the
// key ceremony: what they bring to the count. Poll ids are unique across the tests'
// databases, and two instances of one test (envOn) open and count the same poll.
var backupCodes sync.Map

// openPoll opens a draft poll as its organizer does: unless the server holds the key, the
// key is made first by its holders' devices (the organizer's one seat, or every teller's),
// played by Go devices through the seat routes.
func (e *env) openPoll(id string) { e.openPollAs(e.admin, id) }

// openPollAs is openPoll by the staff member whose API token is given.
func (e *env) openPollAs(token, id string) {
	e.t.Helper()
	var p struct {
		KeyHolder string `json:"key_holder"`
	}
	e.api(token, "GET", "/api/v1/polls/"+id, nil, 200, &p)
	if p.KeyHolder != "server" {
		e.makeKey(id)
	}
	e.api(token, "POST", "/api/v1/polls/"+id+"/open", nil, 200, nil)
}

// makeKey runs a draft poll's key ceremony with Go devices and keeps the backups.
func (e *env) makeKey(id string) {
	e.t.Helper()
	backupCodes.Store(id, e.keyCeremony(id))
}

// countPoll counts a closed poll with its key holders' backups and decodes the tally into out.
func (e *env) countPoll(id string, out any) { e.countWith(e.admin, id, nil, 200, out) }

// countWith counts as the staff member whose API token is given, with the given fields,
// and expects want. A poll whose key a device holds (the organizer's or the tellers')
// answers 202 to the start; with want 200 the holders' devices (played by Go, as
// deviceCount does) then decrypt the sums, seats 1 to the quorum, and the tally the count
// gave is decoded into out, as a server-held poll's count answers it at once.
func (e *env) countWith(token, id string, fields map[string]any, want int, out any) []byte {
	e.t.Helper()
	codes := e.backups(id)
	if codes == nil {
		return e.api(token, "POST", "/api/v1/polls/"+id+"/count", fields, want, out)
	}
	if want != 200 {
		return e.api(token, "POST", "/api/v1/polls/"+id+"/count", fields, want, out)
	}
	var st deviceStatus
	e.api(token, "POST", "/api/v1/polls/"+id+"/count", fields, 202, &st)
	seats := make([]int, st.Quorum)
	for i := range seats {
		seats[i] = i + 1
	}
	e.postPartials(id, codes, seats)
	var got struct{ Tally json.RawMessage }
	e.api(e.admin, "GET", "/api/v1/polls/"+id+"/tally", nil, 200, &got)
	if out != nil {
		if err := json.Unmarshal(got.Tally, out); err != nil {
			e.t.Fatalf("tally: %v", err)
		}
	}
	return got.Tally
}

// backups are the codes the poll's key ceremony gave its holders; nil when the server
// holds the key.
func (e *env) backups(id string) []string {
	v, ok := backupCodes.Load(id)
	if !ok {
		return nil
	}
	return v.([]string)
}

// organizerKey is the private key of a poll its organizer's device holds: with one seat
// and a quorum of one, the seat's share is the key.
func (e *env) organizerKey(id string) []byte {
	e.t.Helper()
	codes := e.backups(id)
	if len(codes) != 1 {
		e.t.Fatalf("poll %s has %d backup codes, not the organizer's one", id, len(codes))
	}
	_, s, err := elgamal.DecodeShare(id, codes[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return elgamal.ScalarBytes(s)
}

// ownSeat plays the organizer's device on the one seat its link opens: key, dealing,
// backup check, ready. It returns the backup code.
func (e *env) ownSeat(pollID, link string) string {
	e.t.Helper()
	seat := seatClient{t: e.t, url: link}
	d, err := ceremony.NewDevice(1, rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	if st := seat.call("/key", map[string]string{"comm_key": hex.EncodeToString(d.CommKey())}, nil); st != 200 {
		e.t.Fatalf("key: %d", st)
	}
	c, sealed, err := d.Deal(seat.record(), rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	if st := seat.call("/deal", map[string]string{"commitments": hex.EncodeToString(c), "sealed": hex.EncodeToString(sealed)}, nil); st != 200 {
		e.t.Fatalf("deal: %d", st)
	}
	r := seat.record()
	sj, tr, err := d.Check(r)
	if err != nil {
		e.t.Fatal(err)
	}
	ch, _ := hex.DecodeString(r.Challenge)
	if st := seat.call("/ready", map[string]string{"transcript": hex.EncodeToString(tr[:]), "proof": hex.EncodeToString(elgamal.ProveShare(1, sj, ch, rand.Reader))}, nil); st != 200 {
		e.t.Fatalf("ready: %d", st)
	}
	return elgamal.EncodeShare(pollID, 1, sj)
}

// postFollow posts a staff form and follows the redirect, returning where it ended.
func postFollow(t *testing.T, c *http.Client, u string, csrf string) (int, string, string) {
	t.Helper()
	res, err := c.PostForm(u, url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Request.URL.String(), html.UnescapeString(string(b))
}

// A poll of people never gets a server-held key: asked for it, the API refuses with a
// clear reason, with or without tellers, and so does the builder.
func TestServerKeyOnlyForSurveys(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	def := func(holder string, tellers []string, forms ...map[string]any) map[string]any {
		return map[string]any{"title": "密钥保管", "unit_id": e.unitID, "key_holder": holder, "tellers": tellers,
			"groups": []map[string]any{{"name": "全体", "expected": 9}}, "forms": forms}
	}
	eval := map[string]any{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}
	survey := map[string]any{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{{"kind": "single", "title": "总体评价", "options": []string{"满意", "不满意"}}}}}
	var out struct {
		Error struct{ Code, Message string }
	}
	for name, c := range map[string]struct {
		body map[string]any
		want string
	}{
		"an evaluation":               {def("server", nil, eval), "服务器保管密钥仅限非正式的问卷调查：“民主测评表”是民主测评表"},
		"a survey with an evaluation": {def("server", nil, survey, eval), "“民主测评表”是民主测评表"},
		"a survey with tellers":       {def("server", []string{"甲", "乙"}, survey), "设了监票人的投票活动不能由服务器保管密钥"},
		"tellers without names":       {def("tellers", nil, survey), "请填写监票人姓名"},
		"an unknown holder":           {def("cloud", nil, survey), "密钥保管方式“cloud”无效"},
	} {
		e.api(e.admin, "POST", "/api/v1/polls", c.body, 400, &out)
		if out.Error.Code != ballot.EINVALID || !strings.Contains(out.Error.Message, c.want) {
			t.Errorf("%s: %+v, want %q", name, out.Error, c.want)
		}
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", def("server", nil, survey), 201, &p)

	c, csrf := e.browser("admin")
	status, page := postStaffForm(t, c, e.base+"/polls", url.Values{"title": {"测评"}, "unit_id": {e.unitID}, "groups": {"全体 9"}, "quorum": {"2/3"}, "key_holder": {"server"},
		"f0_kind": {"evaluation"}, "f0_title": {"民主测评表"}, "f0_subjects": {"张三 局长"}, "f0_grades": {"individual"}}, csrf)
	if status != 400 || !strings.Contains(html.UnescapeString(page), "服务器保管密钥仅限非正式的问卷调查") {
		t.Fatalf("the builder saved an evaluation with the server's key: %d %s", status, regexp.MustCompile(`class="error"[^>]*>[^<]*`).FindString(html.UnescapeString(page)))
	}
	if !strings.Contains(page, `value="server" checked`) || !strings.Contains(page, "服务器保管（仅限非正式问卷调查）") || !strings.Contains(page, "组织者本人的设备") {
		t.Fatal("the builder does not show the key holder as chosen")
	}
}

// A survey whose organizer chose the server's key opens and counts at once, with no key
// ceremony and no backup typed; the voter page, the tally page, the PDF, the workbook and
// the signed bundle all say the server held the key.
func TestServerHeldSurveyNamesItsKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "食堂满意度调查", "unit_id": e.unitID, "key_holder": "server",
		"groups": []map[string]any{{"name": "全体职工", "expected": 5}},
		"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
			{"kind": "single", "title": "总体评价", "options": []string{"满意", "不满意"}}}}}}}, 201, &p)
	codes := e.tokens(p, 3)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	if _, page := e.get(nil, "/v/"+codes[0]); !strings.Contains(page, "本次由服务器保管密钥，投票结束后方可开箱") || strings.Contains(page, "组织者本人的设备") {
		t.Fatalf("the voter page does not say the server holds the key:\n%s", page)
	}
	for i, code := range codes {
		e.cast(code, map[string][]string{"q1": {[]string{"满意", "不满意"}[i%2]}})
	}
	c, _ := e.browser("admin")
	x := e.exportsOf(c, p.ID, "server-key")
	if x.tally.KeyNote != "本次由服务器保管密钥" || len(x.tally.OpenedBy) != 0 {
		t.Fatalf("tally key note %q, opened by %v", x.tally.KeyNote, x.tally.OpenedBy)
	}
	x.pageHas("本次由服务器保管密钥")
	x.pdfLine("the key holder", "密钥保管：本次由服务器保管密钥")
	x.xlsxText("密钥保管：本次由服务器保管密钥。")
	b := e.verifies(p.ID)
	if b.Tally.KeyNote != "本次由服务器保管密钥" || b.Poll.KeyHolder != ballot.KeyServer {
		t.Fatalf("the signed bundle says %q (%q)", b.Tally.KeyNote, b.Poll.KeyHolder)
	}
	if _, page := e.get(c, "/polls/"+p.ID); !strings.Contains(page, "本次由服务器保管密钥：服务器可以解开任何一张选票") {
		t.Fatal("the poll page does not name the server's key")
	}
}

// Without tellers the organizer's own device holds the key: voting waits for it; the
// poll page's button takes this browser to the one seat, which shows no roster and no
// check code; the voter is told; the server cannot count without the organizer's backup;
// after close the poll page gives a fresh link to the seat and the old one stops working.
func TestOrganizerDeviceHoldsTheKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	codes := e.tokens(p, 2)
	var out struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 409, &out)
	if out.Error.Code != ballot.EKEYNOTREADY || !strings.Contains(out.Error.Message, "在本设备上生成密钥") {
		t.Fatalf("opened before the organizer made the key: %+v", out)
	}
	c, csrf := e.browser("admin")
	_, page := e.get(c, "/polls/"+p.ID)
	page = html.UnescapeString(page)
	if !strings.Contains(page, "密钥由您本人的设备保管") || !strings.Contains(page, "尚未生成密钥") || !strings.Contains(page, "在本设备上生成密钥") {
		t.Fatalf("the draft's page lacks the organizer's key block")
	}
	status, at, seatPage := postFollow(t, c, e.base+"/polls/"+p.ID+"/ceremony", csrf)
	if status != 200 || !strings.HasPrefix(at, e.base+"/t/") || !strings.Contains(seatPage, "组织者密钥生成") || !strings.Contains(seatPage, `id="roster-card" hidden`) || !strings.Contains(seatPage, `data-solo="1"`) {
		t.Fatalf("the button leads to %s (%d)", at, status)
	}
	rec := seatClient{t: t, url: at}.record()
	if rec.N != 1 || rec.K != 1 || len(rec.Tellers) != 1 || rec.Tellers[0] != "组织者" {
		t.Fatalf("the organizer's ceremony: n=%d k=%d %v", rec.N, rec.K, rec.Tellers)
	}
	// Half done (no backup checked), opening still waits.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 409, nil)
	backup := e.ownSeat(p.ID, at)
	if _, page := e.get(c, "/polls/"+p.ID); !strings.Contains(page, "密钥已就绪，可以开始投票") {
		t.Fatal("the poll page does not say the key is ready")
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	if _, page := e.get(nil, "/v/"+codes[0]); !strings.Contains(page, "密钥由组织者本人的设备保管，投票结束后方可开箱") || strings.Contains(page, "服务器保管") {
		t.Fatalf("the voter page of an organizer-held poll:\n%s", page)
	}
	e.vote(codes[0], form("优秀"))
	e.vote(codes[1], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if _, err := e.st.Share(ctx, p.ID); ballot.ErrorCode(err) != ballot.ENOTFOUND {
		t.Fatalf("the server keeps a share of an organizer-held poll: %v", err)
	}
	var st deviceStatus
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, &st)
	if st.State != "open" || st.Quorum != 1 || st.Decrypted != 0 {
		t.Fatalf("the count started without the organizer's device: %+v", st)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	// At the count the organizer reaches the seat again from the poll page.
	_, page = e.get(c, "/polls/"+p.ID)
	if !strings.Contains(page, "打开我的密钥页面") {
		t.Fatal("the closed poll's page offers no way back to the organizer's seat")
	}
	status, again, _ := postFollow(t, c, e.base+"/polls/"+p.ID+"/ceremony", csrf)
	if status != 200 || !strings.HasPrefix(again, e.base+"/t/") || again == at {
		t.Fatalf("a fresh link to the seat: %d %s", status, again)
	}
	if st := (seatClient{t: t, url: again}).call("/state", nil, nil); st != 200 {
		t.Fatalf("the fresh link: %d", st)
	}
	if st := (seatClient{t: t, url: at}).call("/state", nil, nil); st != 404 {
		t.Fatalf("the old link still opens the seat: %d", st)
	}
	// The organizer's device decrypts the sums on the fresh link with the backup.
	dev := seatClient{t: t, url: again}
	var tc tellerCountJSON
	if code := dev.call("/count", nil, &tc); code != 200 || tc.State != "open" || tc.Seat != 1 {
		t.Fatalf("the organizer's seat reads the count: %d %+v", code, tc)
	}
	if code := dev.call("/partial", partialOf(t, p.ID, backup, tc), nil); code != 200 {
		t.Fatalf("the organizer's device posts its partial decryption: %d", code)
	}
	tl := e.countedTally(p.ID)
	if tl.KeyNote != "密钥由组织者本人的设备保管" || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("tally %q %+v", tl.KeyNote, tl.Forms[0].Evaluation.Subjects[0].Total)
	}
	_, page = e.get(c, "/polls/"+p.ID+"/tally")
	if !strings.Contains(page, `<span id="key-note">密钥由组织者本人的设备保管</span>`) || strings.Contains(page, "开箱监票人") {
		t.Fatal("the tally page does not say the organizer's device held the key")
	}
	// The filed result says so too.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, nil)
	var filed struct{ Entries []struct{ Summary string } }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/entries", nil, 200, &filed)
	if len(filed.Entries) != 1 || !strings.HasSuffix(filed.Entries[0].Summary, "；密钥由组织者本人的设备保管") {
		t.Fatalf("filed %+v", filed.Entries)
	}
}

// A rehearsal of an organizer-held poll throws its key away with its data, as one with
// tellers does: the real run waits for a new key.
func TestOrganizerRehearsalKeyIsWiped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal", nil, 200, nil)
	e.openPoll(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 200, nil)
	var out struct{ Error struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 409, &out)
	if out.Error.Code != ballot.EKEYNOTREADY {
		t.Fatalf("the real run opened on the rehearsal's key: %+v", out)
	}
}

// New scoring forms take whole points: the voter's input says so, and 85.5 is refused with
// the step named; the builder offers the step.
func TestScoresInWholePoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "述职打分", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 10}},
		"forms":  []map[string]any{{"kind": "scoring", "title": "打分表", "scoring": map[string]any{"subjects": []map[string]string{{"name": "甲"}}}}}}, 201, &p)
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	_, page := e.get(nil, "/v/"+codes[0])
	if !regexp.MustCompile(`inputmode="numeric" data-step="1" step="1" name="f1.s1"`).MatchString(page) || !strings.Contains(page, "请打整数分") {
		t.Fatalf("the score input does not follow whole points:\n%s", page)
	}
	if status, body := e.vote(codes[0], url.Values{"f1.s1": {"85.5"}}); status != 400 || !strings.Contains(body, "分数“85.5”应为1分的整数倍") || !strings.Contains(body, `value="85.5"`) {
		t.Fatalf("a half point: %d", status)
	}
	if status, _ := e.vote(codes[0], url.Values{"f1.s1": {"86"}}); status != 200 {
		t.Fatalf("a whole point: %d", status)
	}
	c, _ := e.browser("admin")
	_, builder := e.get(c, "/polls/new?template=scoring")
	if !strings.Contains(builder, `<option value="10" selected>1分（整数）</option>`) || !strings.Contains(builder, `<option value="1">0.1分</option>`) {
		t.Fatal("the builder does not offer the score's step")
	}
}
