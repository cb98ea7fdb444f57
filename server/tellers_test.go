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
	// Not even all three shares open the box before close.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": all}, 403, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if _, err := e.st.Share(ctx, p.ID); ballot.ErrorCode(err) != ballot.ENOTFOUND {
		t.Fatalf("the server holds a share of a tellers' poll: %v", err)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": all[:1]}, 400, &out)
	if !strings.Contains(out.Error.Message, "至少 2 位监票人") {
		t.Fatalf("one share: %+v", out)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": []string{all[0], all[0]}}, 400, &out)
	if !strings.Contains(out.Error.Message, "重复") {
		t.Fatalf("the same share twice: %+v", out)
	}
	// A share of another poll (same tellers, same key size) is caught by its check.
	var other poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "另一次", "unit_id": e.unitID, "tellers": []string{"甲监票", "乙监票"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "李四"}}}}}}, 201, &other)
	otherCodes := e.keyCeremony(other.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+other.ID+"/open", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": []string{all[0], otherCodes[1]}}, 400, &out)
	if !strings.Contains(out.Error.Message, "不是本次投票") {
		t.Fatalf("another poll's share: %+v", out)
	}
	// Any two: the first and the third, typed as people type (lower case, spaces).
	var tl ballot.Tally
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": []string{strings.ToLower(all[2]), strings.ReplaceAll(all[0], "-", " ")}}, 200, &tl)
	if tl.Ballots != 2 || strings.Join(tl.OpenedBy, ",") != "丙监票,甲监票" || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("tally %+v", tl)
	}
	// Through the page: the count page asks for 2 shares; a wrong one comes back kept.
	c, csrf := e.browser("admin")
	_, page := e.get(c, "/polls/"+p.ID+"/count")
	if strings.Count(page, `name="share"`) != 2 {
		t.Fatal("the count page does not ask for 2 shares")
	}
	res, err := c.PostForm(e.base+"/polls/"+p.ID+"/count", url.Values{"_csrf": {csrf}, "share": {all[1], "XXXX"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), all[1]) || !strings.Contains(string(b), "监票人密钥") {
		t.Fatalf("a wrong share through the page: %d", res.StatusCode)
	}
	if _, page := e.get(c, "/polls/"+p.ID+"/tally"); !strings.Contains(page, "开箱监票人：丙监票、甲监票") {
		t.Fatal("the tally page does not name the tellers")
	}
}

// With tellers, 开始投票 is refused until every teller's device is ready, and the poll
// page says so; the key is never shown.
func TestOpeningWaitsForTheTellers(t *testing.T) {
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
	var tl ballot.Tally
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": shares[:2]}, 200, &tl)
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
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": shares[1:]}, 400, nil)
	var real ballot.Tally
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", map[string]any{"shares": again[1:]}, 200, &real)
	if real.Rehearsal || real.Ballots != 1 || real.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("the real tally: %+v", real)
	}
}
