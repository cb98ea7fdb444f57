package server_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
)

// A voter whose token is refused reads whom to ask: the contact line the organizer set for
// the poll on the used, voided and not-open pages; a token of no poll gets a general line.
// The line is set in the builder or the API, changed on the poll page, and refused when long.
func TestContactOnRefusedTokenPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	contact := "如有疑问请联系：组织部 张三 13800000000"
	def := func(title, contact string) map[string]any {
		return map[string]any{"title": title, "unit_id": e.unitID, "contact": contact,
			"groups": []map[string]any{{"name": "职工代表", "expected": 5}},
			"forms":  []map[string]any{{"kind": "evaluation", "title": "测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵一"}}}}}}
	}
	var apiErr struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls", def("联系方式过长", strings.Repeat("联", 61)), 400, &apiErr)
	if apiErr.Error.Code != "invalid" || apiErr.Error.Message != "联系方式不能超过60个字" {
		t.Fatalf("a 61-character contact: %+v", apiErr.Error)
	}
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", def("有联系方式的测评", " "+contact+" "), 201, &p)
	codes := e.tokens(p, 3)

	page := func(code string, wantStatus int) string {
		t.Helper()
		status, body := e.get(nil, "/v/"+code)
		if status != wantStatus {
			t.Fatalf("/v/%s: %d, want %d", code, status, wantStatus)
		}
		return html.UnescapeString(body)
	}
	if body := page(codes[0], 409); !strings.Contains(body, "投票尚未开始") || !strings.Contains(body, contact) {
		t.Fatalf("the not-open page lacks the contact:\n%s", body)
	}
	e.openPoll(p.ID)
	if status, body := e.vote(codes[0], url.Values{"f1.s1": {"称职"}}); status != 200 {
		t.Fatalf("vote: %d %s", status, body)
	}
	if body := page(codes[0], 409); !strings.Contains(body, "该凭证已投票") || !strings.Contains(body, contact) {
		t.Fatalf("the used-token page lacks the contact:\n%s", body)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": codes[1]}, 200, nil)
	if body := page(codes[1], 410); !strings.Contains(body, "该凭证已作废") || !strings.Contains(body, contact) {
		t.Fatalf("the voided-token page lacks the contact:\n%s", body)
	}
	// A posted ballot with a voided token is refused on the same page.
	if status, body := e.vote(codes[1], url.Values{"f1.s1": {"称职"}}); status != 410 || !strings.Contains(html.UnescapeString(body), contact) {
		t.Fatalf("a vote with a voided token: %d, contact shown: %v", status, strings.Contains(html.UnescapeString(body), contact))
	}
	body := page("ABCDABCDABCDABCD", 404)
	if !strings.Contains(body, "凭证无效") || !strings.Contains(body, "请向发放凭证的工作人员询问") || strings.Contains(body, "组织部") {
		t.Fatalf("the unknown-token page:\n%s", body)
	}

	// Changed through the API, then on the poll page; the pages follow at once.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/contact", map[string]string{"contact": "请联系 李四 13900000000"}, 200, nil)
	if body := page(codes[0], 409); !strings.Contains(body, "请联系 李四 13900000000") || strings.Contains(body, contact) {
		t.Fatalf("the changed contact is not shown:\n%s", body)
	}
	c, csrf := e.browser("admin")
	status, body := postStaffForm(t, c, e.base+"/polls/"+p.ID+"/contact", url.Values{"contact": {strings.Repeat("长", 61)}}, csrf)
	if status != 400 || !strings.Contains(html.UnescapeString(body), "联系方式不能超过60个字") {
		t.Fatalf("a long contact on the poll page: %d", status)
	}
	status, body = postStaffForm(t, c, e.base+"/polls/"+p.ID+"/contact", url.Values{"contact": {""}}, csrf)
	if status != 200 || !strings.Contains(html.UnescapeString(body), "投票人联系方式已清除") {
		t.Fatalf("clearing the contact: %d", status)
	}
	if body := page(codes[0], 409); strings.Contains(body, "李四") || !strings.Contains(body, "请向发放凭证的工作人员询问") {
		t.Fatalf("a cleared contact still shown, or no general line:\n%s", body)
	}

	// The builder takes it with the rest of the poll.
	v := url.Values{"title": {"构建页的联系方式"}, "unit_id": {e.unitID}, "groups": {"全体 9"}, "quorum": {"2/3"}, "contact": {contact}, "save": {"1"},
		"f0_kind": {"evaluation"}, "f0_title": {"测评表"}, "f0_grades": {"individual"}, "f0_subjects": {"钱二"}}
	status, body = postStaffForm(t, c, e.base+"/polls", v, csrf)
	if status != 200 || !strings.Contains(html.UnescapeString(body), `value="`+contact+`"`) {
		t.Fatalf("the builder's poll has no contact on its page: %d\n%s", status, body)
	}
}
