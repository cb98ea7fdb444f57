package server_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/ballot"
	"minyi/server"
	"minyi/store"
)

// textPoll creates a poll with a 民主推荐 form that takes write-ins (张三, 李四; two seats)
// and a questionnaire with one free answer of up to 1000 characters.
func (e *env) textPoll(title string) poll {
	e.t.Helper()
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": title, "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体党员", "expected": 20}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "推荐表", "recommendation": map[string]any{"shape": "mark", "positions": []map[string]any{
				{"title": "副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}}}}}},
			{"kind": "survey", "title": "问卷", "survey": map[string]any{"questions": []map[string]any{{"kind": "text", "title": "意见", "max_len": 1000}}}},
		},
	}, 201, &p)
	return p
}

// castJSON posts a ballot to the voters' API as raw bytes, as any client could.
func (e *env) castJSON(code, body string) (int, string) {
	e.t.Helper()
	res, err := http.Post(e.base+"/api/v1/ballot/"+code, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// verifies downloads the poll's signed bundle and checks it as `minyi verify` does.
func (e *env) verifies(pollID string) *ballot.Bundle {
	e.t.Helper()
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+pollID+"/bundle", nil, 200, nil)
	checks, b, _ := checkBundle(e.t, raw)
	if !ballot.Verified(checks) {
		e.t.Fatalf("the bundle does not verify: %+v", checks)
	}
	return b
}

func candidate(t *testing.T, tl ballot.Tally, name string) ballot.CandidateTally {
	t.Helper()
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no line for %q in %+v", name, tl.Forms[0].Recommendation.Positions[0].Candidates)
	return ballot.CandidateTally{}
}

// Hostile text through the real server: what the door refuses is refused in Chinese with
// the token left unused, what it takes is cleaned, and the count of it all succeeds and
// is stored; look-alike write-ins are one person, and the tally page shows the spellings.
func TestHostileTextCounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var refusal struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "年度\x00民主推荐", "unit_id": e.unitID, "groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms": []map[string]any{{"kind": "approval", "approval": map[string]any{"nominees": []map[string]string{{"name": "张三"}}}}}}, 400, &refusal)
	if refusal.Error.Code != "invalid" || !strings.Contains(refusal.Error.Message, "投票活动名称含有不可见的控制字符") {
		t.Fatalf("a NUL in the title: %+v", refusal)
	}
	p := e.textPoll("\u202e年度\u200b民主推荐\u202c")
	var got struct{ Title string }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID, nil, 200, &got)
	if got.Title != "年度民主推荐" {
		t.Fatalf("title stored as %q", got.Title)
	}
	codes := e.tokens(p, 10)
	e.openPoll(p.ID)

	for _, r := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"f1.p1.w": {"孙\x00八"}}, "另推人选的姓名含有不可见的控制字符"},
		{url.Values{"f1.p1.w": {"\u200b"}}, "另推人选的姓名只有空白或不可见的字符"},
		{url.Values{"f1.p1.w": {"\u202e"}}, "另推人选的姓名只有空白或不可见的字符"},
		{url.Values{"f1.p1.w": {"孙\xed\xa0\x80"}}, "另推人选的姓名含有无法识别的字符"},
		{url.Values{"f2.q1": {"意见\x00"}}, "“意见”的回答含有不可见的控制字符"},
		{url.Values{"f2.q1": {"\xed\xa0\x80"}}, "“意见”的回答含有无法识别的字符"},
		{url.Values{"f2.q1": {strings.Repeat("长", 1001)}}, "“意见”的回答超过1000字"},
	} {
		if status, page := e.vote(codes[0], r.form); status != 400 || !strings.Contains(page, r.want) {
			t.Errorf("%q: %d, want 400 saying %s", r.form.Encode(), status, r.want)
		}
	}
	if status, body := e.castJSON(codes[0], `{"ballot":{"forms":[{"form":"f1","lines":{"p1":["+孙\u0000八"]}},{"form":"f2","lines":{}}]}}`); status != 400 || !strings.Contains(body, `"code":"invalid"`) || !strings.Contains(body, "控制字符") {
		t.Errorf("a NUL through the API: %d %s", status, body)
	}

	long := strings.Repeat("𠀀", 1000) // 4 bytes each, at the cap
	for i, f := range []url.Values{
		{"f1.p1.w": {"孙 八"}, "f2.q1": {"👍🏽很好"}},
		{"f1.p1.w": {"\u202e孙八\u200d"}},
		{"f1.p1": {"c1"}, "f1.p1.w": {"孙八"}},
		{"f1.p1.w": {"张 三"}},
		{"f2.q1": {long}},
		{"f2.q1": {"第一行\r\n\r\n\r\n第二行 \u2066x\u2069"}},
	} {
		if status, page := e.vote(codes[i], f); status != 200 || !strings.Contains(page, "投票成功") {
			t.Fatalf("ballot %d (%q): %d", i, f.Encode(), status)
		}
	}
	// Lone surrogates in JSON and broken UTF-8 in the body both read as U+FFFD.
	for i, b := range []string{`{"ballot":{"forms":[{"form":"f1","lines":{}},{"form":"f2","lines":{"q1":["\ud800好"]}}]}}`,
		"{\"ballot\":{\"forms\":[{\"form\":\"f1\",\"lines\":{\"p1\":[\"+王\xff五\"]}},{\"form\":\"f2\",\"lines\":{}}]}}"} {
		if status, body := e.castJSON(codes[6+i], b); status != 200 {
			t.Fatalf("API ballot %d: %d %s", i, status, body)
		}
	}

	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	var stored tally
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 200, &stored)
	for _, tl := range []ballot.Tally{tl, stored.Tally} {
		if tl.Ballots != 8 || tl.Rejected != 0 {
			t.Fatalf("%d ballots, %d rejected: %v", tl.Ballots, tl.Rejected, tl.Notes)
		}
		if c := candidate(t, tl, "孙八"); c.Votes.Total != 3 || !c.WriteIn || !slices.Equal(c.Spellings, []string{"孙 八", "孙八"}) {
			t.Errorf("孙八: %+v", c)
		}
		if c := candidate(t, tl, "张三"); c.Votes.Total != 2 || c.WriteIn || !slices.Equal(c.Spellings, []string{"张 三", "张三"}) {
			t.Errorf("张三: %+v", c)
		}
		if c := candidate(t, tl, "王\uFFFD五"); c.Votes.Total != 1 {
			t.Errorf("王�五: %+v", c)
		}
		texts := tl.Forms[1].Survey.Questions[0].Texts
		want := []string{"\uFFFD好", "👍🏽很好", "第一行\n\n第二行 x", long}
		slices.Sort(want)
		if !slices.Equal(texts, want) {
			t.Errorf("free answers %q, want %q", texts, want)
		}
	}
	e.verifies(p.ID)
	c, _ := e.browser("admin")
	status, page := e.get(c, "/polls/"+p.ID+"/tally")
	for _, want := range []string{"合并的写法：孙 八、孙八", "合并的写法：张 三、张三"} {
		if status != 200 || !strings.Contains(page, want) {
			t.Errorf("tally page (%d) lacks %q", status, want)
		}
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the server logged an internal error:\n%s", e.logs.String())
	}
}

// A box of sealed ballots, from a poll opened before the box added up, that holds what
// the door now refuses (a ballot sealed before, with a NUL in a
// write-in and in a free answer) and a ballot that cannot be opened at all: the count
// succeeds and is stored, the first ballot counts with U+FFFD where the NUL was, and the
// second is named by its place in the box, on the API and on the tally page.
func TestStoredBadBallotsCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.textPoll("年度民主推荐")
	codes := e.tokens(p, 3)
	keys, _ := server.DeriveKeys(bytes.Repeat([]byte("k"), 32)) // the test instances' secret
	// Opened as a poll was before the box added up: a key the server held, sealed ballots,
	// and the definition's key holder as the migration that named it left it.
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE polls SET definition = definition || '{"key_holder": "server"}' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	k, _ := ballot.NewPollKey()
	wrapped, _ := keys.Share.Wrap(p.ID, k.Private)
	if err := e.st.OpenPoll(ctx, p.ID, store.BoxSealed, k.Public, nil, wrapped); err != nil {
		t.Fatal(err)
	}
	info, err := e.st.Poll(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.EnsureSlots(ctx, p.ID, ballot.SealedSize(info.PlainSize())); err != nil {
		t.Fatal(err)
	}
	group := p.Groups[0].ID
	old, _ := json.Marshal(ballot.Ballot{Forms: []ballot.FilledForm{
		{Form: "f1", Lines: map[string][]string{"p1": {"c2", "+孙\x00八"}}},
		{Form: "f2", Lines: map[string][]string{"q1": {"意见\x00建议"}}},
	}})
	sealed, _ := ballot.Seal(p.ID, info.PublicKey, group, old, info.PlainSize())
	for i, s := range [][]byte{sealed, []byte("not a sealed ballot")} {
		tok, _ := ballot.ParseToken(codes[i])
		it := store.CastItem{TokenHash: keys.Token.Hash(tok), Nullifier: keys.Nullifier.Nullifier(tok), PollID: p.ID, GroupID: group, Sealed: s}
		if err := e.st.Cast(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if status, _ := e.vote(codes[2], url.Values{"f1.p1": {"c1"}, "f1.p1.w": {"孙八"}}); status != 200 {
		t.Fatalf("vote: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	if tl.Ballots != 3 || tl.Rejected != 1 || len(tl.Unreadable) != 1 {
		t.Fatalf("%d ballots, %d rejected at %v", tl.Ballots, tl.Rejected, tl.Unreadable)
	}
	note := fmt.Sprintf("第 %d 张选票无法读取", tl.Unreadable[0])
	if !slices.ContainsFunc(tl.Notes, func(n string) bool { return strings.Contains(n, note) }) {
		t.Errorf("notes %q lack %q", tl.Notes, note)
	}
	if c := candidate(t, tl, "孙\uFFFD八"); c.Votes.Total != 1 {
		t.Errorf("孙�八: %+v", c)
	}
	if c := candidate(t, tl, "李四"); c.Votes.Total != 1 {
		t.Errorf("李四: %+v", c)
	}
	if texts := tl.Forms[1].Survey.Questions[0].Texts; !slices.Equal(texts, []string{"意见\uFFFD建议"}) {
		t.Errorf("free answers %q", texts)
	}
	var stored tally
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 200, &stored)
	if !slices.Equal(stored.Tally.Unreadable, tl.Unreadable) {
		t.Errorf("stored tally: %+v", stored.Tally)
	}
	if b := e.verifies(p.ID); !b.Ballots[tl.Unreadable[0]-1].Broken {
		t.Errorf("ballot %d of the bundle is not the broken one", tl.Unreadable[0])
	}
	c, _ := e.browser("admin")
	if status, page := e.get(c, "/polls/"+p.ID+"/tally"); status != 200 || !strings.Contains(page, note) {
		t.Errorf("tally page (%d) lacks %q", status, note)
	}
}

// A GBK sheet with broken bytes, or a UTF-8 one with a damaged character, is refused
// naming the row and column, and the builder keeps what it had; a clean GBK sheet is
// taken with its invisible characters gone.
func TestImportBrokenBytes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	upload := func(filename string, content []byte) (int, string) {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, v := range map[string]string{"_csrf": csrf, "title": "导入测试", "groups": "全体 9", "quorum": "2/3", "f0_kind": "recommendation",
			"f0_title": "推荐表", "f0_shape": "mark", "f0_positions": "原有 1\n甲", "import": "f0_positions"} {
			w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("f0_positions_file", filename)
		fw.Write(content)
		w.Close()
		req, _ := http.NewRequest("POST", e.base+"/polls", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var sheet []byte
	sheet = append(sheet, gbk("职位,应推荐人数,姓名,职务\r\n副局长,2,张三,科长\r\n,,李四,科长\r\n,,王五,科长\r\n,,赵六,科长\r\n,,钱七,科长\r\n")...)
	sheet = append(sheet, gbk(",,")...)
	sheet = append(sheet, "\x81 ,"...) // a lead byte with no trail byte, in row 7, column 3
	sheet = append(sheet, gbk("科长\r\n")...)
	want := "第 7 行第 3 列含有无法识别的字符（文件编码可能不是 UTF-8 或 GBK）"
	if status, page := upload("名单.csv", sheet); status != 400 || !strings.Contains(page, want) || !strings.Contains(page, "原有 1\n甲") || strings.Contains(page, "钱七 科长") {
		t.Errorf("broken GBK: %d, want 400 saying %s with nothing imported", status, want)
	}
	damaged := []byte("职位,应推荐人数,姓名,职务\n副局长,1,张三,办公室主\xe4\xbb\n")
	if status, page := upload("名单.csv", damaged); status != 400 || !strings.Contains(page, "第 2 行第 4 列含有无法识别的字符") {
		t.Errorf("damaged UTF-8: %d", status)
	}
	if status, page := upload("名单.csv", append([]byte("\xef\xbb\xbf"), "职位,应推荐人数,姓名,职务\n副局长,1,张\u200b三,办公室\x01主任\n"...)); status != 400 || !strings.Contains(page, "第 2 行第 4 列含有不可见的控制字符") {
		t.Errorf("a control character: %d", status)
	}
	if status, page := upload("名单.csv", gbk("职位,应推荐人数,姓名,职务\r\n副局长,1,张　三,办公室\t主任\r\n")); status != 200 || !strings.Contains(page, "副局长 1\n张三 办公室 主任") {
		t.Errorf("clean GBK: %d", status)
	}
}

// Units and staff names are cleaned at the door too: a NUL is refused with the code
// "invalid" and a message naming the field, not a fault of the server.
func TestStaffAndUnitNamesAtTheDoor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var refusal struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/units", map[string]string{"name": "乙\x00单位"}, 400, &refusal)
	if refusal.Error.Code != "invalid" || !strings.Contains(refusal.Error.Message, "单位名称含有不可见的控制字符") {
		t.Errorf("unit with a NUL: %+v", refusal)
	}
	var u struct{ ID, Name string }
	e.api(e.admin, "POST", "/api/v1/units", map[string]string{"name": "\u202e乙\u200b单位 "}, 201, &u)
	if u.Name != "乙单位" {
		t.Errorf("unit stored as %q", u.Name)
	}
	e.api(e.admin, "POST", "/api/v1/staff", map[string]string{"username": "wang", "name": "王\x00五", "role": "organizer", "unit_id": u.ID}, 400, &refusal)
	if refusal.Error.Code != "invalid" || !strings.Contains(refusal.Error.Message, "姓名含有不可见的控制字符") {
		t.Errorf("staff with a NUL: %+v", refusal)
	}
	var st struct{ Staff struct{ Name string } }
	e.api(e.admin, "POST", "/api/v1/staff", map[string]string{"username": "wang", "name": "王\u200b　五", "role": "organizer", "unit_id": u.ID}, 201, &st)
	if st.Staff.Name != "王五" {
		t.Errorf("staff name stored as %q", st.Staff.Name)
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the server logged an internal error:\n%s", e.logs.String())
	}
}

// A NUL where the server looks a name or a code up (a login, a receipt) is an ordinary
// refusal, not a database error.
func TestLookupsRefuseNUL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.api("", "POST", "/api/v1/sessions", map[string]string{"username": "adm\x00in", "password": password}, 401, nil)
	if status, page := e.get(nil, "/receipt?code="+url.QueryEscape("ABCD-EFGH-JKMN-PQR\x00")); status != 200 || !strings.Contains(page, "回执码应为16位字母和数字") {
		t.Errorf("receipt with a NUL: %d", status)
	}
	if strings.Contains(e.logs.String(), "internal error") {
		t.Errorf("the server logged an internal error:\n%s", e.logs.String())
	}
}
