package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/server"
)

// A poll whose count could come to more points than one count decrypts is refused while
// it can still be changed: when it is made (API and the organizer's builder), when more
// tokens are issued than it can count, and when its 应到 is raised past it.
func TestTooBigPollRefusedAtSetup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	def := func(expected int) map[string]any {
		return map[string]any{"title": "大规模推荐", "unit_id": e.unitID, "tellers": []string{"甲", "乙"}, "teller_quorum": 2,
			"groups": []map[string]any{{"name": "全体参会人员", "expected": expected}},
			"forms": []map[string]any{{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 50, "write_ins": true, "candidates": []map[string]string{{"name": "张三"}}}}}}},
		}
	}
	var out struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls", def(2000), 400, &out)
	if out.Error.Code != ballot.ETOOBIG || !strings.Contains(out.Error.Message, "每张选票有 50 处可填写文字") || !strings.Contains(out.Error.Message, "拆分") {
		t.Fatalf("a poll of 2,000 ballots of 50 write-ins each: %+v", out.Error)
	}

	c, csrf := e.browser("admin")
	status, page := postStaffForm(t, c, e.base+"/polls", url.Values{"title": {"大规模推荐"}, "unit_id": {e.unitID}, "groups": {"全体参会人员 2000"}, "quorum": {"2/3"},
		"tellers": {"甲\n乙"}, "teller_quorum": {"2"}, "f0_kind": {"recommendation"}, "f0_title": {"民主推荐表"}, "f0_positions": {"副局长 50\n张三"},
		"f0_shape": {"mark"}, "f0_writeins": {"1"}}, csrf)
	page = html.UnescapeString(page)
	if status != 400 || !strings.Contains(page, "超过一次开箱的上限") || !strings.Contains(page, "请减少可填写文字的题目或另推人数") || !strings.Contains(page, "全体参会人员 2000") {
		t.Fatalf("the builder saved the poll, or lost what was typed: %d", status)
	}

	// 1,300 ballots of 50 write-ins fit; 1,400 do not, however they come.
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", def(1300), 201, &p)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 1400}, 400, &out)
	if out.Error.Code != ballot.ETOOBIG || !strings.Contains(out.Error.Message, "最多可有 1400 张选票") {
		t.Fatalf("1,400 tokens issued for 应到 1,300: %+v", out.Error)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]any{"expected": 1400}, 400, &out)
	if out.Error.Code != ballot.ETOOBIG {
		t.Fatalf("应到 raised to 1,400: %+v", out.Error)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]any{"expected": 1305}, 200, nil)
	e.tokens(p, 5)
	// A poll that grew past the limit by another way (one made before the check, its 应到
	// written straight to the database here) does not open: its count would fail.
	if _, err := e.st.SetExpected(ctx, p.ID, p.Groups[0].ID, 1400); err != nil {
		t.Fatal(err)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 400, &out)
	if out.Error.Code != ballot.ETOOBIG {
		t.Fatalf("opening a poll of 1,400 ballots of 50 write-ins: %+v", out.Error)
	}
}

// A device's partial decryption may be larger than the 2 MB other requests keep to: a
// count of a thousand points, posted with its JSON spaced out past 2 MB, is taken and
// finishes; past the partial's own limit it is refused and nothing of it is kept. The
// spaces, not the points, take the post past 2 MB: the points are as many as a count
// that is more than a handful, each one more proof to make and to check.
func TestDevicePartialBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var subs []map[string]string
	for i := range 100 {
		subs = append(subs, map[string]string{"name": fmt.Sprintf("干部%03d", i+1), "post": "副局长"})
	}
	var groups []map[string]any
	for i := range 2 {
		groups = append(groups, map[string]any{"name": fmt.Sprintf("类别%02d", i+1), "expected": 1})
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "大表测评", "unit_id": e.unitID, "tellers": []string{"甲", "乙"}, "teller_quorum": 1,
		"groups": groups, "forms": []map[string]any{{"kind": "evaluation", "title": "测评表", "evaluation": map[string]any{"subjects": subs}}}}, 201, &p)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)

	dev := e.seatDevice(p.ID, 1)
	var tc tellerCountJSON
	if code := dev.call("/count", nil, &tc); code != 200 || tc.State != "open" {
		t.Fatalf("the seat reads the count: %d %s", code, tc.State)
	}
	if len(tc.Points) < 1000 {
		t.Fatalf("%d points: the poll is too small to test the limit", len(tc.Points))
	}
	body, _ := json.Marshal(partialOf(t, p.ID, codes[0], tc))
	spaced := func(size int) []byte {
		return append(bytes.Repeat([]byte(" "), size-len(body)), body...)
	}
	post := func(b []byte) (int, string) {
		res, err := http.Post(dev.url+"/partial", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}
	// Past the limit, the answer comes from the headers (as in TestRequestSizeLimit): the rest of
	// the body is never read.
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		strings.TrimPrefix(dev.url, e.base)+"/partial", server.PartialBodyLimit+1, bytes.Repeat([]byte(" "), 16<<10))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, _ := io.ReadAll(conn); !strings.Contains(string(got), "提交的内容过大") {
		t.Fatalf("a partial past its limit: %s", got)
	}
	var st deviceStatus
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "open" || st.Decrypted != 0 {
		t.Fatalf("a refused partial was kept: %+v", st)
	}
	if code, msg := post(spaced(server.BodyLimit + 512<<10)); code != 200 {
		t.Fatalf("%d points spaced out to %d bytes: %d %s", len(tc.Points), server.BodyLimit+512<<10, code, msg)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "done" || st.Decrypted != 1 || st.Seats[0].Label != "已提交" {
		t.Fatalf("the count after the partial: %+v", st)
	}
}
