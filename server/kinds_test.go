package server_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/ballot"
)

// meetingPoll is a meeting's papers in one poll: 民主推荐, 民主测评, 一报告两评议 and a 表决.
func meetingPoll(e *env) poll {
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "2026年度干部工作会议", "unit_id": e.unitID,
		// a quorum of one lets the few voters of a test draw the conclusions it looks for
		"quorum": map[string]int{"num": 1, "den": 30},
		"groups": []map[string]any{{"name": "全体参会人员", "expected": 30}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}, {"name": "王五"}}}}}},
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵一"}, {"name": "钱二"}}}},
			{"kind": "review", "title": "选人用人工作评议表", "review": map[string]any{"overall": "对本单位选人用人工作的总体评价",
				"cadres": []map[string]string{{"name": "孙三", "post": "科长"}, {"name": "周四", "post": "副科长"}}}},
			{"kind": "approval", "title": "表决票", "approval": map[string]any{"nominees": []map[string]string{{"name": "吴五"}}}},
		},
	}, 201, &p)
	return p
}

func TestMeetingWithFourForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := meetingPoll(e)
	codes := e.tokens(p, 3)
	e.openPoll(p.ID)

	status, page := e.get(nil, "/v/"+codes[0])
	for _, want := range []string{"民主推荐表", `name="f1.p1" value="c3"`, `name="f1.p1.w"`, "民主测评表", "对本单位选人用人工作的总体评价", `name="f3.c2" value="不了解"`, `name="f4.n1" value="弃权"`} {
		if status != 200 || !strings.Contains(page, want) {
			t.Fatalf("ballot page lacks %q", want)
		}
	}
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	ok := func(code string, form url.Values) {
		t.Helper()
		if status, body := e.vote(code, form); status != 200 || !strings.Contains(body, "投票成功") {
			t.Fatalf("vote: %d %s", status, body)
		}
	}
	ok(codes[0], v("f1.p1", "c1", "f1.p1", "c2", "f2.s1", "优秀", "f2.s2", "称职", "f3.overall", "好", "f3.c1", "认同", "f3.c2", "不了解", "f4.n1", "同意"))
	ok(codes[1], v("f1.p1", "c1", "f1.p1.w", " 赵 六", "f1.p1.w", "", "f2.s1", "称职", "f2.s2", "不称职", "f3.overall", "较好", "f3.c1", "不认同", "f4.n1", "不同意"))

	// Over-marked: refused with the reason, every mark kept for correcting.
	over := v("f1.p1", "c1", "f1.p1", "c2", "f1.p1", "c3", "f2.s1", "基本称职", "f3.c1", "认同")
	status, body := e.vote(codes[2], over)
	if status != http.StatusBadRequest || !strings.Contains(body, "“副局长”推荐3人，超过应推荐人数2人") || !regexp.MustCompile(`value="c3" checked`).MatchString(body) {
		t.Fatalf("over-marked: %d %s", status, body)
	}
	fixed := v("f1.p1", "c3", "f2.s1", "基本称职", "f3.c1", "认同")
	if status, body := e.vote(codes[2], fixed); status != http.StatusUnprocessableEntity || !strings.Contains(body, "钱二（未选择等次）") {
		t.Fatalf("blank evaluation line: %d %s", status, body)
	}
	fixed.Set("accept_invalid", "1")
	ok(codes[2], fixed)

	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)

	pos := tl.Forms[0].Recommendation.Positions[0]
	rec := []string{}
	for _, c := range pos.Candidates {
		rec = append(rec, fmt.Sprintf("%s %d %s", c.Name, c.Votes.Total, c.Rate))
	}
	if got := strings.Join(rec, "; "); got != "张三 2 2/3; 李四 1 1/3; 王五 1 1/3; 赵六 1 1/3" || pos.Valid.Total != 3 || pos.Invalid.Total != 0 {
		t.Fatalf("recommendation: %s (valid %d)", got, pos.Valid.Total)
	}
	ev := tl.Forms[1].Evaluation.Subjects
	if fmt.Sprint(ev[0].Total.Votes, ev[1].Total.Votes, ev[1].Total.Invalid) != "[1 1 1 0] [0 1 0 1] 1" {
		t.Fatalf("evaluation: %+v", ev)
	}
	rv := tl.Forms[2].Review
	if rv.OverallGood != ballot.R(2, 2) || rv.OverallCounts.Blank.Total != 1 || rv.Cadres[0].Approve != ballot.R(2, 3) || rv.Cadres[1].Counts.Options[3].Total != 1 {
		t.Fatalf("review: %+v", rv)
	}
	ap := tl.Forms[3].Approval.Nominees[0]
	if fmt.Sprint(ap.Counts.Options[0].Total, ap.Counts.Options[1].Total, ap.Counts.Options[2].Total, ap.Passed) != "1 1 1 false" {
		t.Fatalf("approval: %+v", ap)
	}
	c, _ := e.browser("admin")
	status, page = e.get(c, "/polls/"+p.ID+"/tally")
	// conclusions by sign and word as well as colour; charts drawn on the server
	for _, want := range []string{"民主推荐表", "赵六", "另推", "✓ 进入差额考察", "✗ 得票未过半", "表决票", "✗ 未通过", "认同率", "周四",
		`<svg class="chart"`, "得票过半线（二分之一）", "通过线（二分之一，须 16 票）", "各对象测评等次分布"} {
		if status != 200 || !strings.Contains(page, want) {
			t.Fatalf("tally page lacks %q", want)
		}
	}
}

// The voter API answers an over-marked position with its reason and the line, and takes
// nothing.
func TestVoterAPIRefusesOverMarking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := meetingPoll(e)
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	var out struct {
		Error struct {
			Code    string
			Message string
			Spoilt  []ballot.Spoilt
		}
	}
	e.api("", "POST", "/api/v1/ballot/"+codes[0], map[string]any{"accept_invalid_lines": true, "ballot": map[string]any{"forms": []map[string]any{
		{"form": "f1", "lines": map[string][]string{"p1": {"c1", "c2", "+赵六"}}}, {"form": "f2", "lines": map[string][]string{}},
		{"form": "f3", "lines": map[string][]string{}}, {"form": "f4", "lines": map[string][]string{}}}}}, 400, &out)
	if out.Error.Code != "invalid" || len(out.Error.Spoilt) != 1 || out.Error.Spoilt[0].Line != "p1" {
		t.Fatalf("%+v", out.Error)
	}
	var tu struct{ Total struct{ Used int } }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if tu.Total.Used != 0 {
		t.Fatal("a refused ballot burned its token")
	}
}

// Every template saves as it comes once its lists are filled, and the builder adds and
// removes sections without losing what was typed.
func TestPollBuilder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	post := func(v url.Values) (int, string) {
		t.Helper()
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+"/polls", v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	fill := map[string]string{"subjects": "张三 局长\n李四 副局长", "positions": "副局长 2\n张三\n李四\n王五", "nominees": "张三 拟任局长", "cadres": "孙三 科长", "questions": "[单选] 题\n甲\n乙"}
	for _, key := range []string{"recommendation", "annual", "probation", "review", "approval", "satisfaction", "survey", "scoring", "mutual", "evaluation"} {
		status, page := e.get(c, "/polls/new?template="+key)
		if status != 200 {
			t.Fatalf("template %s: %d", key, status)
		}
		// Post the page back as a browser would: every field as rendered, lists filled in.
		v := url.Values{}
		for _, m := range regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			if m[1] != "_csrf" && m[1] != "save" && m[1] != "remove" && m[1] != "add" && m[1] != "import" && !strings.HasSuffix(m[1], "_probation") && !strings.HasSuffix(m[1], "_writeins") && !strings.HasSuffix(m[1], "_mutual") && !strings.HasSuffix(m[1], "_score") && m[1] != "key_holder" {
				v.Set(m[1], html.UnescapeString(m[2]))
			}
		}
		for _, m := range regexp.MustCompile(`<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>`).FindAllStringSubmatch(page, -1) {
			v.Set(m[1], html.UnescapeString(m[2]))
			for suffix, text := range fill {
				if strings.HasSuffix(m[1], "_"+suffix) && m[2] == "" {
					v.Set(m[1], text)
				}
			}
		}
		for _, m := range regexp.MustCompile(`<select name="([^"]+)">(?:<option value="[^"]*">[^<]*</option>)*<option value="([^"]*)" selected`).FindAllStringSubmatch(page, -1) {
			v.Set(m[1], m[2])
		}
		if _, ok := v["f0_grades"]; !ok && strings.Contains(page, "f0_grades") {
			v.Set("f0_grades", "individual")
		}
		v.Set("unit_id", e.unitID)
		status, body := post(v)
		if status != 200 || !strings.Contains(body, "已保存") {
			t.Fatalf("template %s: %d %s", key, status, body)
		}
	}
	// Add a 表决 section to a recommendation, then remove the recommendation: the typed
	// title and the new section stay.
	v := url.Values{"title": {"加表测试"}, "groups": {"全体 9"}, "quorum": {"2/3"}, "f0_kind": {"recommendation"}, "f0_title": {"推荐表"},
		"f0_positions": {"副局长 1\n甲\n乙"}, "f0_shape": {"mark"}, "add": {"approval"}}
	status, page := post(v)
	if status != 200 || !strings.Contains(page, `name="f1_kind" value="approval"`) || !strings.Contains(page, "副局长 1\n甲\n乙") || !strings.Contains(page, `value="加表测试"`) {
		t.Fatalf("add: %d", status)
	}
	v.Del("add")
	v.Set("f1_kind", "approval")
	v.Set("f1_title", "票决表")
	v.Set("f1_nominees", "丙")
	v.Set("f1_seats", "0")
	v.Set("remove", "0")
	status, page = post(v)
	if status != 200 || strings.Contains(page, `name="f1_kind"`) || !strings.Contains(page, `name="f0_kind" value="approval"`) {
		t.Fatalf("remove: %d", status)
	}
	// A mistake names the section and the line, and keeps everything.
	v = url.Values{"title": {"错误"}, "groups": {"全体 9"}, "quorum": {"2/3"}, "unit_id": {e.unitID}, "f0_kind": {"recommendation"}, "f0_title": {"推荐表"},
		"f0_positions": {"副局长 2\n甲\n\n纪检组长 一"}, "f0_shape": {"mark"}}
	status, page = post(v)
	if status != 400 || !strings.Contains(page, "第1张表（推荐表）的推荐职位第4行：应推荐人数“一”不是整数") || !strings.Contains(page, "纪检组长 一") {
		t.Fatalf("mistake: %d", status)
	}
}

// Weights set on the groups are kept, counted with, and shown on the tally page.
func TestWeightedPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	// Three of each kind of ballot: with the minimum set to 3, every group has its own row.
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "加权测评", "unit_id": e.unitID, "quorum": map[string]int{"num": 1, "den": 10}, "min_group": 3,
		"groups": []map[string]any{{"name": "上级领导", "expected": 5, "weight": map[string]int{"num": 3, "den": 10}}, {"name": "职工代表", "expected": 20, "weight": map[string]int{"num": 7, "den": 10}}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "甲"}}}}}}, 201, &p)
	var toks, leaders struct{ Tokens []struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 3}, 201, &leaders)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[1].ID, "count": 6}, 201, &toks)
	e.openPoll(p.ID)
	for i := 0; i < 3; i++ {
		e.vote(leaders.Tokens[i].Code, url.Values{"f1.s1": {"优秀"}})
		e.vote(toks.Tokens[2*i].Code, url.Values{"f1.s1": {"不称职"}})
		e.vote(toks.Tokens[2*i+1].Code, url.Values{"f1.s1": {"称职"}})
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	s := tl.Forms[0].Evaluation.Subjects[0]
	// good 3/10·1 + 7/10·1/2 = 13/20 < 2/3 and bad 7/10·1/2 = 7/20 > 1/3, where the
	// unweighted 2/3 and 1/3 would raise nothing
	if s.Weighted == nil || s.Weighted.Good != ballot.R(13, 20) || s.Weighted.Bad != ballot.R(7, 20) || s.Good != ballot.R(6, 9) || len(s.Flags) != 2 {
		t.Fatalf("%+v", s)
	}
	c, _ := e.browser("admin")
	if status, page := e.get(c, "/polls/"+p.ID+"/tally"); status != 200 || !strings.Contains(page, "加权 65.00%") || !strings.Contains(page, "上级领导 3/10") {
		t.Fatalf("tally page: %d", status)
	}
}

// A 满意度测评 from its template: scale, matrix and free text, counted with 未答 outside
// the denominators and the texts listed apart.
func TestSatisfactionSurvey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	_, page := e.get(c, "/polls/new?template=satisfaction")
	q := regexp.MustCompile(`(?s)<textarea name="f0_questions"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(page)
	if q == nil {
		t.Fatal("no questions in the template")
	}
	res, err := c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "title": {"满意度测评"}, "unit_id": {e.unitID}, "groups": {"全体 20"}, "quorum": {"2/3"},
		"f0_kind": {"survey"}, "f0_title": {"满意度测评表"}, "f0_questions": {html.UnescapeString(q[1])}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Request.URL.Path[len("/polls/"):]
	var p poll
	e.api(e.admin, "GET", "/api/v1/polls/"+id, nil, 200, &p)
	codes := e.tokens(p, 3)
	e.openPoll(id)
	_, ballotPage := e.get(nil, "/v/"+codes[0])
	for _, want := range []string{`name="f1.q1" value="不了解"`, `name="f1.q2/r4" value="差"`, `<textarea name="f1.q3"`, "反腐倡廉"} {
		if !strings.Contains(ballotPage, want) {
			t.Fatalf("ballot page lacks %q", want)
		}
	}
	e.vote(codes[0], url.Values{"f1.q1": {"满意"}, "f1.q2/r1": {"好"}, "f1.q2/r2": {"一般"}, "f1.q3": {"希望多听取基层意见"}})
	e.vote(codes[1], url.Values{"f1.q1": {"不了解"}, "f1.q2/r1": {"较好"}, "f1.q3": {""}})
	e.vote(codes[2], url.Values{"f1.q1": {"基本满意"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+id+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(id, &tl)
	qs := tl.Forms[0].Survey.Questions
	if qs[0].Counts.Answered != 3 || qs[0].Counts.Good != 2 || qs[1].Rows[0].Counts.Good != 2 || qs[1].Rows[0].Counts.Blank != 1 || len(qs[2].Texts) != 1 {
		t.Fatalf("%+v", qs)
	}
	_, tallyPage := e.get(c, "/polls/"+id+"/tally")
	for _, want := range []string{"满意率", "66.67%", "希望多听取基层意见", "反腐倡廉"} {
		if !strings.Contains(tallyPage, want) {
			t.Fatalf("tally page lacks %q", want)
		}
	}
}

// 述职述廉 scoring through the voter's form: an out-of-range score comes back with the
// typed scores kept; the tally gives the mean and, from 5 scores, the trimmed mean. The
// form asks for tenths of a point, which a poll must choose.
func TestScoringPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "述职述廉", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 10}},
		"forms":  []map[string]any{{"kind": "scoring", "title": "打分表", "scoring": map[string]any{"step": 1, "subjects": []map[string]string{{"name": "甲"}}}}}}, 201, &p)
	codes := e.tokens(p, 5)
	e.openPoll(p.ID)
	if status, body := e.vote(codes[0], url.Values{"f1.s1": {"105"}}); status != 400 || !strings.Contains(body, "应为0到100之间的数") || !strings.Contains(body, `value="105"`) {
		t.Fatalf("out of range: %d", status)
	}
	for i, s := range []string{"60", "70", "85.5", "90", "100"} {
		if status, _ := e.vote(codes[i], url.Values{"f1.s1": {s}}); status != 200 {
			t.Fatalf("score %s: %d", s, status)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	c, _ := e.browser("admin")
	if _, page := e.get(c, "/polls/"+p.ID+"/tally"); !strings.Contains(page, "<strong>81.10</strong>") || !strings.Contains(page, "81.83") {
		t.Fatalf("tally page lacks the mean 81.10 and the trimmed mean 81.83")
	}
}

// Lists import from .xlsx and .csv (GBK too), from the sample sheet; a bad row is named and
// nothing changes.
func TestImportLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	status, sample := e.get(c, "/samples/positions.xlsx")
	if status != 200 || !strings.HasPrefix(sample, "PK") {
		t.Fatalf("sample sheet: %d", status)
	}
	upload := func(list, filename string, content []byte, extra map[string]string) (int, string) {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		fields := map[string]string{"_csrf": csrf, "title": "导入测试", "groups": "全体 9", "quorum": "2/3", "f0_kind": "recommendation",
			"f0_title": "推荐表", "f0_shape": "mark", "f0_positions": "原有 1\n甲", "import": "f0_" + list}
		for k, v := range extra {
			fields[k] = v
		}
		for k, v := range fields {
			w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("f0_"+list+"_file", filename)
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
	status, page := upload("positions", "推荐职位示例.xlsx", []byte(sample), nil)
	if status != 200 || !strings.Contains(page, "副局长 2\n张三 办公室主任\n李四 财务科科长\n王五 人事科科长\n\n纪检组长 1\n赵六 监察室主任") || !strings.Contains(page, "已从“推荐职位示例.xlsx”导入") {
		t.Fatalf("xlsx import: %d", status)
	}
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("职位,应推荐人数,姓名,职务\r\n副局长,1,钱七,科长\r\n"))
	if status, page = upload("positions", "名单.csv", gbk, nil); status != 200 || !strings.Contains(page, "副局长 1\n钱七 科长") {
		t.Fatalf("GBK csv import: %d", status)
	}
	bad := []byte("职位,应推荐人数,姓名,职务\n副局长,2,张三,主任\n,,,科长\n")
	if status, page = upload("positions", "坏表.csv", bad, nil); status != 400 || !strings.Contains(page, "第 3 行：姓名为空") || !strings.Contains(page, "原有 1\n甲") {
		t.Fatalf("bad row: %d", status)
	}
	if status, page = upload("positions", "旧表.xls", []byte("x"), nil); status != 400 || !strings.Contains(page, "另存为 .xlsx") {
		t.Fatalf("xls: %d", status)
	}
}

// 模拟测评: test tokens vote in the rehearsal only, real ones only after it; wiping it
// removes every test token and ballot in one step and the real run starts clean.
func TestRehearsal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	realCodes := e.tokens(p, 1)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal", nil, 200, nil)
	test := e.tokens(p, 2)
	e.openPoll(p.ID)
	if status, body := e.vote(realCodes[0], form("优秀")); status != 409 || !strings.Contains(body, "正在进行模拟测评") {
		t.Fatalf("real token in the rehearsal: %d", status)
	}
	if status, page := e.get(nil, "/v/"+test[0]); !strings.Contains(page, "模拟测评（演练）") {
		t.Fatalf("the rehearsal ballot page does not say so: %d %s", status, page)
	}
	e.vote(test[0], form("不称职"))
	e.vote(test[1], form("不称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	if !tl.Rehearsal || tl.Ballots != 2 {
		t.Fatalf("rehearsal tally %+v", tl)
	}
	var after struct {
		State     string
		Rehearsal bool
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 200, &after)
	if after.State != "draft" || after.Rehearsal {
		t.Fatalf("after wipe %+v", after)
	}
	var tu struct{ Total struct{ Issued, Used int } }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
	if tu.Total.Issued != 1 || tu.Total.Used != 0 {
		t.Fatalf("turnout after wipe %+v", tu)
	}
	// The real run: the test token is gone, the real one votes, the box holds only it.
	e.openPoll(p.ID)
	if status, _ := e.vote(test[0], form("优秀")); status != 404 {
		t.Fatalf("test token after the wipe: %d", status)
	}
	if status, _ := e.vote(realCodes[0], form("优秀")); status != 200 {
		t.Fatalf("real token: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var real ballot.Tally
	e.countPoll(p.ID, &real)
	if real.Rehearsal || real.Ballots != 1 || real.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 1 {
		t.Fatalf("real tally %+v", real)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 409, nil)
}

// 二次推荐: round 2 from round 1's count, shortlist preselected, the two polls linked.
func TestSecondRound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "副局长民主推荐", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 9}}, "tellers": []string{"张监票", "李监票", "王监票"}, "teller_quorum": 2,
		"forms": []map[string]any{{"kind": "recommendation", "title": "推荐表", "recommendation": map[string]any{"shortlist": 2, "positions": []map[string]any{
			{"title": "副局长", "seats": 1, "candidates": []map[string]string{{"name": "甲"}, {"name": "乙"}, {"name": "丙"}}}}}}}}, 201, &p)
	codes := e.tokens(p, 6)
	e.openPoll(p.ID)
	for i, c := range []string{"c2", "c2", "c2", "c3", "c3", "c1"} {
		if status, _ := e.vote(codes[i], url.Values{"f1.p1": {c}}); status != 200 {
			t.Fatal(status)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	c, csrf := e.browser("admin")
	status, page := e.get(c, "/polls/"+p.ID+"/next-round")
	if status != 200 || !strings.Contains(page, "副局长 1\n乙\n丙</textarea>") || !strings.Contains(page, `name="previous" value="`+p.ID+`"`) {
		t.Fatalf("next round builder: %d", status)
	}
	// The same tellers hold the next round's key: the builder offers them, not the
	// organizer's device.
	if !strings.Contains(page, "张监票\n李监票\n王监票</textarea>") || !strings.Contains(page, `name="teller_quorum" value="2"`) || !strings.Contains(page, `value="tellers" checked`) {
		t.Fatal("the next round's builder does not carry the tellers over")
	}
	res, err := c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "previous": {p.ID}, "title": {"副局长民主推荐（第二轮）"}, "unit_id": {e.unitID},
		"groups": {"全体 9"}, "quorum": {"2/3"}, "f0_kind": {"recommendation"}, "f0_title": {"推荐表"}, "f0_shape": {"mark"}, "f0_positions": {"副局长 1\n乙\n丙"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "上一轮推荐") {
		t.Fatalf("round 2: %d", res.StatusCode)
	}
	if _, first := e.get(c, "/polls/"+p.ID); !strings.Contains(first, "下一轮：") || !strings.Contains(first, "（第二轮）") {
		t.Fatal("round 1 does not link round 2")
	}
	// Not from a poll that is not counted.
	draft := e.evaluation("张三")
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "x", "unit_id": e.unitID, "previous_round": draft.ID,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms":  []map[string]any{{"kind": "approval", "approval": map[string]any{"nominees": []map[string]string{{"name": "甲"}}}}}}, 400, nil)
}

// 工作互评 from its template: the office's voters do not see the office; the tally counts
// no office vote about the office.
func TestMutualEvaluationPoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "title": {"工作互评"}, "unit_id": {e.unitID}, "groups": {"办公室 6\n组织科 6"}, "quorum": {"2/3"},
		"f0_kind": {"evaluation"}, "f0_title": {"互评表"}, "f0_grades": {"team"}, "f0_subjects": {"办公室\n组织科"}, "f0_mutual": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var p poll
	e.api(e.admin, "GET", "/api/v1/polls/"+res.Request.URL.Path[len("/polls/"):], nil, 200, &p)
	var toks struct{ Tokens []struct{ Code string } }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 1}, 201, &toks)
	e.openPoll(p.ID)
	office := toks.Tokens[0].Code
	if _, page := e.get(nil, "/v/"+office); strings.Contains(page, `name="f1.s1"`) || !strings.Contains(page, `name="f1.s2"`) {
		t.Fatal("the office's ballot must show 组织科 only")
	}
	if status, _ := e.vote(office, url.Values{"f1.s1": {"好"}, "f1.s2": {"好"}}); status != 400 {
		t.Fatalf("rating own unit: %d", status)
	}
	if status, _ := e.vote(office, url.Values{"f1.s2": {"较好"}}); status != 200 {
		t.Fatalf("rating the other unit: %d", status)
	}
}

// A team evaluated on four items with grade conversion, through the voter's form.
func TestIndicatorsAndScorePoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "班子测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "全体", "expected": 9}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "领导班子测评表", "evaluation": map[string]any{
			"grades":     []map[string]any{{"label": "好", "good": true}, {"label": "较好", "good": true}, {"label": "一般"}, {"label": "差"}},
			"points":     []map[string]int{{"num": 1, "den": 1}, {"num": 4, "den": 5}, {"num": 3, "den": 5}, {"num": 2, "den": 5}},
			"indicators": []map[string]any{{"name": "思想政治建设", "max": 50}, {"name": "工作实绩", "max": 50}},
			"subjects":   []map[string]string{{"name": "局领导班子"}}}}}}, 201, &p)
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	if _, page := e.get(nil, "/v/"+codes[0]); !strings.Contains(page, `name="f1.s1/i2" value="差"`) || !strings.Contains(page, "总体评价") {
		t.Fatal("indicator lines missing on the ballot page")
	}
	if status, _ := e.vote(codes[0], url.Values{"f1.s1": {"好"}, "f1.s1/i1": {"好"}, "f1.s1/i2": {"一般"}}); status != 200 {
		t.Fatal(status)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	c, _ := e.browser("admin")
	// 50·1 + 50·0.6 = 80
	if _, page := e.get(c, "/polls/"+p.ID+"/tally"); !strings.Contains(page, "折算得分 80.00") || !strings.Contains(page, "思想政治建设（50分）") {
		t.Fatal("tally page lacks the score or the items")
	}
}

// Every threshold typed in the builder lands in its own rule of its own form: none is
// read into another's place, and none is lost to the default.
func TestEveryThresholdFromBuilder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "title": {"阈值"}, "unit_id": {e.unitID}, "groups": {"全体 9"}, "quorum": {"2/3"},
		"f0_kind": {"evaluation"}, "f0_title": {"测评表"}, "f0_grades": {"individual"}, "f0_subjects": {"张三 局长"},
		"f0_t_adjust": {"3/10"}, "f0_t_dismiss": {"4/10"}, "f0_t_probation": {"5/10"},
		"f1_kind": {"recommendation"}, "f1_title": {"推荐表"}, "f1_positions": {"副局长 1\n甲\n乙"}, "f1_t_flag_below": {"6/10"}, "f1_t_second_round": {"7/10"},
		"f2_kind": {"approval"}, "f2_title": {"票决表"}, "f2_nominees": {"丙"}, "f2_seats": {"0"}, "f2_t_pass_over": {"8/10"},
		"f3_kind": {"review"}, "f3_title": {"评议表"}, "f3_cadres": {"丁 科长"}, "f3_t_disagree": {"9/10"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Request.URL.Path[len("/polls/"):]
	var p struct {
		Forms []ballot.Form
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+id, nil, 200, &p)
	if len(p.Forms) != 4 || p.Forms[0].Evaluation == nil || p.Forms[1].Recommendation == nil || p.Forms[2].Approval == nil || p.Forms[3].Review == nil {
		t.Fatalf("forms: %+v", p.Forms)
	}
	ev, rc := p.Forms[0].Evaluation, p.Forms[1].Recommendation
	for _, c := range []struct {
		name      string
		got, want ballot.Ratio
	}{{"建议调整", ev.AdjustBelow, ballot.R(3, 10)}, {"建议免职", ev.DismissAbove, ballot.R(4, 10)}, {"不宜正式任职", ev.ProbationAbove, ballot.R(5, 10)},
		{"得票未过半", rc.FlagBelow, ballot.R(6, 10)}, {"建议二次推荐", rc.SecondRoundBelow, ballot.R(7, 10)},
		{"通过", p.Forms[2].Approval.PassOver, ballot.R(8, 10)}, {"不认同率", p.Forms[3].Review.DisagreeAbove, ballot.R(9, 10)}} {
		if c.got.Cmp(c.want) != 0 {
			t.Errorf("%s: stored %v, typed %v", c.name, c.got, c.want)
		}
	}
}

// A threshold changed in the builder is the one the count applies and the tally names.
func TestThresholdFromBuilder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "title": {"表决"}, "unit_id": {e.unitID}, "groups": {"委员 9"}, "quorum": {"2/3"},
		"f0_kind": {"approval"}, "f0_title": {"票决表"}, "f0_nominees": {"甲"}, "f0_seats": {"0"}, "f0_t_pass_over": {"2/3"}, "f0_t_pass_base": {"turnout"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Request.URL.Path[len("/polls/"):]
	var p struct {
		Forms []ballot.Form
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+id, nil, 200, &p)
	if a := p.Forms[0].Approval; a == nil || a.PassOver != ballot.R(2, 3) || a.PassBase != "turnout" {
		t.Fatalf("%+v", p.Forms)
	}
	res, _ = c.PostForm(e.base+"/polls", url.Values{"_csrf": {csrf}, "title": {"x"}, "unit_id": {e.unitID}, "groups": {"委员 9"}, "quorum": {"2/3"},
		"f0_kind": {"approval"}, "f0_title": {"票决表"}, "f0_nominees": {"甲"}, "f0_seats": {"0"}, "f0_t_pass_over": {"三分之二"}})
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "“通过”的阈值“三分之二”应写成分数") {
		t.Fatalf("bad threshold: %d", res.StatusCode)
	}
}
