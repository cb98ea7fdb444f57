package server_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"minyi/ballot"
)

// Tellers hold the key 2-of-3, made on their devices: voting opens only once they are
// ready, the server keeps no share; after close one share cannot open the box, a share of
// another poll is refused, any two open it, and the tally names them.
func TestTellersOpenTheBox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "监票测试", "unit_id": e.unitID,
		"tellers": []string{"甲监票", "乙监票", "丙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}}}, 201, &p)
	codes := e.tokens(p, 2)
	var out struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 409, &out)
	if out.Error.Code != ballot.EKEYNOTREADY || !strings.Contains(out.Error.Message, "监票人") {
		t.Fatalf("opening before the tellers made the key: %+v", out)
	}
	all := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	// The voter is told who can open the box, and that nothing ties the ballot to the slip.
	const unlinked = "选票与凭证之间没有任何关联，任何人都无法从选票查到投票人。"
	if _, page := e.get(nil, "/v/"+codes[0]); !strings.Contains(page, "需3名监票人中的2名共同开箱") || strings.Contains(page, "服务器保管密钥") || !strings.Contains(page, unlinked) {
		t.Fatalf("ballot page of a tellers' poll: %s", page)
	}
	plain := e.evaluation("李四")
	plainCodes := e.tokens(plain, 1)
	e.openPoll(plain.ID)
	if _, page := e.get(nil, "/v/"+plainCodes[0]); !strings.Contains(page, "密钥由组织者本人的设备保管") || strings.Contains(page, "监票人中的") || strings.Contains(page, "服务器保管") || !strings.Contains(page, unlinked) {
		t.Fatalf("ballot page of a poll without tellers: %s", page)
	}
	if _, err := e.st.Share(ctx, p.ID); ballot.ErrorCode(err) != ballot.ESEALED {
		t.Fatalf("before close: %v", err)
	}
	e.vote(codes[0], form("优秀"))
	e.vote(codes[1], form("不称职"))
	// Nothing is decrypted before close.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 403, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if _, err := e.st.Share(ctx, p.ID); ballot.ErrorCode(err) != ballot.ENOTFOUND {
		t.Fatalf("the server holds a share of a tellers' poll: %v", err)
	}
	// One teller's device does not open the box.
	if st := e.deviceCount(p.ID, all, 2); st.State != "open" || st.Decrypted != 1 {
		t.Fatalf("one teller: %+v", st)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	// A share of another poll (same tellers, same key size) fails its proof.
	var other poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "另一次", "unit_id": e.unitID, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "李四"}}}}}}, 201, &other)
	otherCodes := e.keyCeremony(other.ID)
	var tc tellerCountJSON
	e.seatDevice(p.ID, 1).call("/count", nil, &tc)
	if code := e.seatDevice(p.ID, 1).call("/partial", partialOf(t, other.ID, otherCodes[0], tc), &out); code != 400 || out.Error.Code != ballot.EPARTIAL {
		t.Fatalf("another poll's share: %d %+v", code, out)
	}
	// The organizer's pages say where the box is opened and show who has decrypted.
	c, _ := e.browser("admin")
	if _, page := e.get(c, "/polls/"+p.ID); !strings.Contains(page, "监票人在本人设备上开箱") {
		t.Fatal("the poll page does not say the tellers open the box on their devices")
	}
	if _, page := e.get(c, "/polls/"+p.ID+"/count"); strings.Count(page, "已提交") != 1 || strings.Count(page, "未开箱") != 2 || strings.Contains(page, `name="share"`) {
		t.Fatalf("the count page while the tellers decrypt: %s", page)
	}
	// A second teller, the third, finishes the count.
	if st := e.deviceCount(p.ID, all, 3); st.State != "done" {
		t.Fatalf("two tellers: %+v", st)
	}
	tl := e.countedTally(p.ID)
	if tl.Ballots != 2 || strings.Join(tl.OpenedBy, ",") != "乙监票,丙监票" || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("tally %+v", tl)
	}
	if _, page := e.get(c, "/polls/"+p.ID+"/count"); !strings.Contains(page, "计票完成") || !strings.Contains(page, "/polls/"+p.ID+"/tally") {
		t.Fatal("the count page once counted does not link to the tally")
	}
	if _, page := e.get(c, "/polls/"+p.ID+"/tally"); !strings.Contains(page, "开箱监票人：乙监票、丙监票") {
		t.Fatal("the tally page does not name the tellers")
	}
}

// With tellers, 开始投票 is refused until every teller's device is ready, and the poll
// page says so; the key is never shown.
func TestOpeningWaitsForTheTellers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "监票页面", "unit_id": e.unitID, "tellers": []string{"甲", "乙", "丙"},
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}}}, 201, &p)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/open", url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 409 || !strings.Contains(string(b), "监票人尚未生成密钥") {
		t.Fatalf("opening before the ceremony: %d", res.StatusCode)
	}
	e.keyCeremony(p.ID)
	res, err = c.PostForm(e.base+"/polls/"+p.ID+"/open", url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	page := string(b)
	if res.StatusCode != 200 || !strings.Contains(page, "投票已开始") || strings.Contains(page, "share-code") || !strings.Contains(page, "开箱需 2 位") {
		t.Fatalf("opening once the tellers are ready: %d", res.StatusCode)
	}
}

// A rehearsal with tellers ends with its count, where the tellers type their shares on
// the server: wiping it throws its key away, so the real run waits for a new key
// ceremony, opens with another key, and the rehearsal's codes do not open its box.
func TestRehearsalKeyDoesNotOpenTheRealRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲监票", "乙监票", "丙监票")
	realCodes := e.tokens(p, 1)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal", nil, 200, nil)
	test := e.tokens(p, 1)
	shares := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	first, err := e.st.Poll(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.vote(test[0], form("不称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.deviceCount(p.ID, shares, 1, 2)
	tl := e.countedTally(p.ID)
	if !tl.Rehearsal {
		t.Fatalf("rehearsal tally %+v", tl)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 200, nil)
	var out struct{ Error struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 409, &out)
	if out.Error.Code != ballot.EKEYNOTREADY {
		t.Fatalf("the real run opened on the rehearsal's key: %+v", out)
	}
	again := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	second, err := e.st.Poll(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.PublicKey) == string(second.PublicKey) {
		t.Fatal("the real run has the rehearsal's key")
	}
	e.vote(realCodes[0], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	// The rehearsal's shares do not decrypt the real box.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	var tc tellerCountJSON
	e.seatDevice(p.ID, 2).call("/count", nil, &tc)
	if code := e.seatDevice(p.ID, 2).call("/partial", partialOf(t, p.ID, shares[1], tc), nil); code != 400 {
		t.Fatalf("the rehearsal's share at the real count: %d", code)
	}
	e.deviceCount(p.ID, again, 2, 3)
	real := e.countedTally(p.ID)
	if real.Rehearsal || real.Ballots != 1 || real.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("the real tally: %+v", real)
	}
}
