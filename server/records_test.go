package server_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"minyi/records"
)

// A register imported from a sheet; a counted meeting filed once (twice adds nothing) on
// the cadres it names; each cadre's page shows the history; another unit sees nothing.
func TestFilingIntoRecords(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addStaff("eval_a", "evaluator", e.unitID)
	c, csrf := e.browser("admin")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", csrf)
	w.WriteField("unit_id", e.unitID)
	fw, _ := w.CreateFormFile("register", "名册.csv")
	fw.Write([]byte("姓名,性别,出生年份,现任职务\n张三,男,1975,办公室主任\n赵一,男,1970,局长\n孙三,女,1985,科长\n"))
	w.Close()
	req, _ := http.NewRequest("POST", e.base+"/cadres", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "已加入 3 位干部") {
		t.Fatalf("import: %d", res.StatusCode)
	}
	p := meetingPoll(e)
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)
	e.vote(codes[0], url.Values{"f1.p1": {"c1"}, "f2.s1": {"优秀"}, "f2.s2": {"称职"}, "f3.c1": {"认同"}, "f4.n1": {"同意"}})
	e.vote(codes[1], url.Values{"f1.p1": {"c1", "c2"}, "f2.s1": {"不称职"}, "f2.s2": {"称职"}, "f3.c1": {"不认同"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	file := func() string {
		t.Helper()
		res, err := c.PostForm(e.base+"/polls/"+p.ID+"/file", url.Values{"_csrf": {csrf}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return string(b)
	}
	// 3 candidates + 2 subjects + 2 reviewed cadres + 1 nominee; 张三, 赵一, 孙三 are in the register
	if got := file(); !strings.Contains(got, "已归档 8 条结果") || !strings.Contains(got, "其中 5 条在干部名册中找不到") {
		t.Fatal("first filing")
	}
	if got := file(); !strings.Contains(got, "此前已归档") {
		t.Fatal("second filing added something")
	}
	entries, _ := e.st.PollEntries(ctx, p.ID)
	var zhang string
	for _, en := range entries {
		if en.Name == "张三" {
			zhang = en.CadreID
		}
	}
	if len(entries) != 8 || zhang == "" {
		t.Fatalf("entries %d, 张三 linked %q", len(entries), zhang)
	}
	ev, evCSRF := e.browser("eval_a")
	status, hist := e.get(ev, "/cadres/"+zhang)
	if status != 200 || !strings.Contains(hist, "民主推荐表") || !strings.Contains(hist, "得票 2，得票率 100.00%") || !strings.Contains(hist, "进入差额考察") {
		t.Fatalf("history page: %d", status)
	}
	other, _ := e.st.CreateUnit(ctx, "乙单位")
	e.addStaff("org_b", "organizer", other.ID)
	ob, _ := e.browser("org_b")
	if status, _ := e.get(ob, "/cadres/"+zhang); status != 404 {
		t.Fatalf("another unit sees a cadre: %d", status)
	}
	// Evaluators read, they do not file.
	res, _ = ev.PostForm(e.base+"/polls/"+p.ID+"/file", url.Values{"_csrf": {evCSRF}})
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 403 || !strings.Contains(string(b), "只有组织者或管理员") {
		t.Fatalf("an evaluator filed: %d", res.StatusCode)
	}
}

// An entry the register did not have is linked afterwards by a correction; the original
// stays; the unit's yearly list shows the current entries.
func TestLinkEntryAndRecordsList(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	post := func(path string, v url.Values) (int, string) {
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	p := e.evaluation("张三", "王五")
	// one voter of one expected: the quorum holds and the flags are drawn
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/groups/"+p.Groups[0].ID+"/expected", map[string]int{"expected": 1}, 200, nil)
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀", "不称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	post("/polls/"+p.ID+"/file", url.Values{})
	_, page := e.get(c, "/polls/"+p.ID)
	if !strings.Contains(page, "档案关联") || !strings.Contains(page, "未关联") || !strings.Contains(page, "先在干部名册中加入此人") {
		t.Fatal("unlinked entries are not offered for linking")
	}
	post("/cadres", url.Values{"unit_id": {e.unitID}, "name": {"王五"}, "post": {"副局长"}})
	entries, _ := e.st.PollEntries(ctx, p.ID)
	var wang string
	for _, en := range entries {
		if en.Name == "王五" {
			wang = en.ID
		}
	}
	cadres, _ := e.st.Cadres(ctx, e.unitID)
	if status, body := post("/records/"+wang+"/link", url.Values{"cadre_id": {cadres[0].ID}}); status != 200 || !strings.Contains(body, "原记录保留") {
		t.Fatalf("link: %d", status)
	}
	if status, _ := post("/records/"+wang+"/link", url.Values{"cadre_id": {cadres[0].ID}}); status != 409 {
		t.Fatalf("linking the same entry twice: %d", status)
	}
	entries, _ = e.st.PollEntries(ctx, p.ID)
	linked := 0
	for _, en := range entries {
		if en.CadreID != "" {
			linked++
			if en.Name == "王五" && en.Corrects != wang {
				t.Fatalf("the correction does not cite the original: %+v", en)
			}
		}
	}
	if len(entries) != 2 || linked != 1 {
		t.Fatalf("current entries %d, linked %d", len(entries), linked)
	}
	if _, hist := e.get(c, "/cadres/"+cadres[0].ID); !strings.Contains(hist, "不称职 1（100.00%）") || !strings.Contains(hist, "建议免职") {
		t.Fatal("王五's history lacks the linked result")
	}
	_, list := e.get(c, "/records?sort=name")
	body := list[strings.Index(list, "<tbody>"):]
	if !strings.Contains(body, "张三 <span class=\"meta\">（未关联）</span>") || strings.Index(body, "张三") > strings.Index(body, "王五") {
		t.Fatal("the yearly list, sorted by name")
	}
	_, list = e.get(c, "/records?sort=flags")
	body = list[strings.Index(list, "<tbody>"):]
	if strings.Index(body, "王五") > strings.Index(body, "张三") {
		t.Fatal("sorted by flags, 王五 (建议调整, 建议免职) comes first")
	}
	// A cadre of another unit is answered as one that does not exist, so the form cannot
	// tell whether an id is in another unit's register.
	other, _ := e.st.CreateUnit(ctx, "丙单位")
	if err := e.st.AddCadres(ctx, other.ID, []records.Cadre{{Name: "王五", Post: "科长"}}); err != nil {
		t.Fatal(err)
	}
	elsewhere, _ := e.st.Cadres(ctx, other.ID)
	foreignStatus, foreign := post("/records/"+wang+"/link", url.Values{"cadre_id": {elsewhere[0].ID}})
	missingStatus, missing := post("/records/"+wang+"/link", url.Values{"cadre_id": {uuid.NewString()}})
	if foreignStatus != 404 || missingStatus != 404 || !strings.Contains(foreign, "干部不存在") || !strings.Contains(missing, "干部不存在") {
		t.Fatalf("linking to another unit's cadre: %d, to no cadre: %d; want both 404 「干部不存在」", foreignStatus, missingStatus)
	}
}

// A selection's steps in order, its votes with their certified results, and its export.
func TestSelection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c, csrf := e.browser("admin")
	post := func(path string, v url.Values) (int, string) {
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	rec := meetingPoll(e)
	codes := e.tokens(rec, 1)
	e.openPoll(rec.ID)
	e.vote(codes[0], url.Values{"f1.p1": {"c1"}, "f2.s1": {"优秀"}, "f2.s2": {"优秀"}})
	e.api(e.admin, "POST", "/api/v1/polls/"+rec.ID+"/close", nil, 200, nil)
	e.countPoll(rec.ID, nil)

	status, page := post("/selections", url.Values{"unit_id": {e.unitID}, "post": {"某局副局长"}})
	if status != 200 || !strings.Contains(page, "已新建纪实") {
		t.Fatalf("create: %d", status)
	}
	sels, _ := e.st.Selections(ctx, e.unitID)
	id := sels[0].ID
	steps := []url.Values{
		{"kind": {"民主推荐"}, "date": {"2026-03-10"}, "note": {"会议推荐"}, "poll_id": {rec.ID}},
		{"kind": {"动议"}, "date": {"2026-03-01"}, "note": {"党组研究启动"}},
	}
	for _, v := range steps {
		if status, _ := post("/selections/"+id+"/steps", v); status != 200 {
			t.Fatalf("step %v: %d", v, status)
		}
	}
	if status, _ := post("/selections/"+id+"/steps", url.Values{"kind": {"考察"}, "date": {"2026-03-20"}, "poll_id": {rec.ID}}); status != 400 {
		t.Fatalf("a vote linked to 考察: %d", status)
	}
	_, page = e.get(c, "/selections/"+id)
	body := page[strings.Index(page, "<tbody>"):]
	if strings.Index(body, "动议") > strings.Index(body, "民主推荐") || !strings.Contains(body, "实到 1/应到 30") {
		t.Fatal("the steps in order with the vote's result")
	}
	res, err := c.Get(e.base + "/selections/" + id + "/export.pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	file := t.TempDir() + "/sel.pdf"
	os.WriteFile(file, pdf, 0o600)
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	text := strings.Join(strings.Fields(string(out)), " ")
	if err != nil || !strings.Contains(text, "选拔任用工作纪实") || !strings.Contains(text, "某局副局长") || !strings.Contains(text, "党组研究启动") || !strings.Contains(text, "张三") {
		t.Fatalf("selection pdf: %v\n%s", err, out)
	}
	_, xl := e.get(c, "/selections/"+id+"/export.xlsx")
	book, err := excelize.OpenReader(strings.NewReader(xl))
	if err != nil || book.GetSheetList()[0] != "纪实" || len(book.GetSheetList()) != 2 {
		t.Fatalf("selection workbook: %v %v", err, book.GetSheetList())
	}
	other, _ := e.st.CreateUnit(ctx, "乙单位")
	e.addStaff("org_b", "organizer", other.ID)
	ob, _ := e.browser("org_b")
	if status, _ := e.get(ob, "/selections/"+id); status != 404 {
		t.Fatalf("another unit sees the selection: %d", status)
	}
}

// The same through the API: register, file, read a cadre's record, link, selections.
func TestRecordsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var added struct{ Cadres []struct{ ID, Name string } }
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "张三", "gender": "男", "birth_year": 1975, "post": "局长"}}}, 201, &added)
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "张三", "post": "局长"}}}, 409, nil)
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "", "post": "局长"}}}, 400, nil)
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": "00000000-0000-0000-0000-000000000009", "cadres": []map[string]any{{"name": "王五"}}}, 404, nil)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 2)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/paper", map[string]string{"code": codes[1]}, 200, nil)
	var scr struct{ URL string }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/screen", nil, 200, &scr)
	if !strings.Contains(scr.URL, "/screen/") {
		t.Fatalf("screen %q", scr.URL)
	}
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀", "称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	var filed struct{ Filed, Unlinked int }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, &filed)
	if filed.Filed != 2 || filed.Unlinked != 1 {
		t.Fatalf("filed %+v", filed)
	}
	var cadre struct {
		Entries []struct {
			Summary string
			Expired bool
		}
	}
	e.api(e.admin, "GET", "/api/v1/cadres/"+added.Cadres[0].ID, nil, 200, &cadre)
	if len(cadre.Entries) != 1 || !strings.Contains(cadre.Entries[0].Summary, "优秀 1（100.00%）") {
		t.Fatalf("cadre %+v", cadre)
	}
	var es struct {
		Entries []struct{ ID, Name, CadreID string } `json:"entries"`
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/entries", nil, 200, &es)
	var li string
	for _, en := range es.Entries {
		if en.Name == "李四" {
			li = en.ID
		}
	}
	var more struct{ Cadres []struct{ ID string } }
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "李四", "post": "副局长"}}}, 201, &more)
	e.api(e.admin, "POST", "/api/v1/entries/"+li+"/link", map[string]string{"cadre_id": more.Cadres[0].ID}, 201, nil)
	var sel struct{ ID string }
	e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"post": "某局副局长"}, 400, nil) // an admin names the unit
	e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"post": "某局副局长", "unit_id": e.unitID}, 201, &sel)
	e.api(e.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "讨论决定", "date": "2026-04-01", "poll_id": p.ID}, 201, nil)
	e.api(e.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "任职", "date": "四月"}, 400, nil)
	var got struct {
		Steps []struct {
			Kind  string
			Tally *struct{ Used int }
		}
	}
	e.api(e.admin, "GET", "/api/v1/selections/"+sel.ID, nil, 200, &got)
	if len(got.Steps) != 1 || got.Steps[0].Tally == nil || got.Steps[0].Tally.Used != 2 {
		t.Fatalf("selection %+v", got)
	}
}
