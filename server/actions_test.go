package server_test

import (
	"net/url"
	"strings"
	"testing"
)

// The organizer's pages and the API run one action each for records, cadres, selections
// and accounts, so they scope, refuse and log alike. Where they once differed, both are
// checked here: an admin who names no unit adds nothing (the page used to fall back on the
// first unit); the log of a register import names the unit and a link names the cadre's
// post (the API's left both out); a step's bad date reads the same; an account whose name
// was typed with spaces is answered as made (the API answered 404 for an account it had
// made); an organizer adds only to their own unit, whatever they send.
func TestPageAndAPIActAlike(t *testing.T) {
	e := newEnv(t)
	c, csrf := e.browser("admin")
	post := func(path string, v url.Values) (int, string) { return e.postPage(c, csrf, path, v) }
	// A counted poll filed while the register is empty: both entries wait for a link.
	p := e.countedEvaluation(form("优秀", "称职"), "张三", "王五")
	var filed struct{ Filed, Unlinked int }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, &filed)
	if filed.Filed != 2 || filed.Unlinked != 2 {
		t.Fatalf("filed %+v", filed)
	}

	// An admin who names no unit: refused on both, and the (only, so first) unit is untouched.
	if status, page := post("/cadres", url.Values{"name": {"王五"}, "post": {"副局长"}}); status != 400 || !strings.Contains(page, "请指定单位") {
		t.Fatalf("page, cadre with no unit: %d", status)
	}
	if b := e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"cadres": []map[string]any{{"name": "王五", "post": "副局长"}}}, 400, nil); !strings.Contains(string(b), "请指定单位") {
		t.Fatalf("API, cadre with no unit: %s", b)
	}
	if status, page := post("/selections", url.Values{"post": {"某局副局长"}}); status != 400 || !strings.Contains(page, "请指定单位") {
		t.Fatalf("page, selection with no unit: %d", status)
	}
	if b := e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"post": "某局副局长"}, 400, nil); !strings.Contains(string(b), "请指定单位") {
		t.Fatalf("API, selection with no unit: %s", b)
	}
	if cs, _ := e.st.Cadres(ctx, e.unitID); len(cs) != 0 {
		t.Fatalf("a refused add left %d cadres in the first unit", len(cs))
	}
	if sels, _ := e.st.Selections(ctx, e.unitID); len(sels) != 0 {
		t.Fatalf("a refused create left %d selections in the first unit", len(sels))
	}

	// Named, both add, and the log names the unit either way.
	if status, page := post("/cadres", url.Values{"unit_id": {e.unitID}, "name": {"张三"}, "post": {"局长"}}); status != 200 || !strings.Contains(page, "已加入 1 位干部") {
		t.Fatalf("page, cadre: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "王五", "post": "副局长"}}}, 201, nil)

	// Each filed entry linked to its cadre, 张三 on the page, 王五 through the API.
	cadres, _ := e.st.Cadres(ctx, e.unitID)
	entries, _ := e.st.PollEntries(ctx, p.ID)
	cadreOf, entryOf := map[string]string{}, map[string]string{}
	for _, cd := range cadres {
		cadreOf[cd.Name] = cd.ID
	}
	for _, en := range entries {
		entryOf[en.Name] = en.ID
	}
	if status, _ := post("/records/"+entryOf["张三"]+"/link", url.Values{"cadre_id": {cadreOf["张三"]}}); status != 200 {
		t.Fatalf("page, link: %d", status)
	}
	e.api(e.admin, "POST", "/api/v1/entries/"+entryOf["王五"]+"/link", map[string]string{"cadre_id": cadreOf["王五"]}, 201, nil)

	all, err := e.st.AllAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string][]string{}
	for _, a := range all {
		switch a.Action {
		case "cadres.add":
			logged[a.Action] = append(logged[a.Action], a.Detail["unit"]+"/"+a.Detail["count"])
		case "entry.link":
			logged[a.Action] = append(logged[a.Action], a.Detail["cadre"])
		}
	}
	if got := strings.Join(logged["cadres.add"], " "); got != "甲单位/1 甲单位/1" {
		t.Fatalf("register imports logged as %q, want each with its unit", got)
	}
	if got := strings.Join(logged["entry.link"], " "); got != "张三（局长） 王五（副局长）" {
		t.Fatalf("links logged as %q, want each cadre with their post", got)
	}

	// A step's date that is not a date: the same words on both.
	const dateHelp = "请填写日期，格式如 2026-03-01"
	var sel struct{ ID string }
	e.api(e.admin, "POST", "/api/v1/selections", map[string]any{"post": "某局副局长", "unit_id": e.unitID}, 201, &sel)
	if status, page := post("/selections/"+sel.ID+"/steps", url.Values{"kind": {"动议"}, "date": {"三月一日"}}); status != 400 || !strings.Contains(page, dateHelp) {
		t.Fatalf("page, step with a bad date: %d", status)
	}
	if b := e.api(e.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "动议", "date": "三月一日"}, 400, nil); !strings.Contains(string(b), dateHelp) {
		t.Fatalf("API, step with a bad date: %s", b)
	}

	// An organizer of another unit who names this one adds to their own, on both.
	other, err := e.st.CreateUnit(ctx, "乙单位")
	if err != nil {
		t.Fatal(err)
	}
	e.addStaff("org_b", "organizer", other.ID)
	ob, obCSRF := e.browser("org_b")
	status, _ := e.postPage(ob, obCSRF, "/selections", url.Values{"unit_id": {e.unitID}, "post": {"乙的科长"}})
	e.api(e.login("org_b"), "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "赵六", "post": "科长"}}}, 201, nil)
	if mine, _ := e.st.Selections(ctx, other.ID); status != 200 || len(mine) != 1 {
		t.Fatalf("page, another unit's selection: %d, %d in their own unit", status, len(mine))
	}
	if mine, _ := e.st.Cadres(ctx, other.ID); len(mine) != 1 {
		t.Fatalf("API, another unit's cadre: %d in their own unit", len(mine))
	}
	if sels, _ := e.st.Selections(ctx, e.unitID); len(sels) != 1 {
		t.Fatalf("this unit holds %d selections, want only the admin's", len(sels))
	}

	// An account whose user name was typed with spaces around it is made, and said to be.
	var made struct {
		Staff struct {
			Username string
			UnitName string `json:"unit_name"`
		}
		Password string
	}
	e.api(e.admin, "POST", "/api/v1/staff", map[string]any{"username": " li ", "name": "李四", "role": "organizer", "unit_id": e.unitID}, 201, &made)
	if made.Staff.Username != "li" || made.Staff.UnitName != "甲单位" || made.Password == "" {
		t.Fatalf("API, account: %+v", made)
	}
	if status, page := post("/admin/staff", url.Values{"username": {" wang "}, "name": {"王五"}, "role": {"organizer"}, "unit_id": {e.unitID}}); status != 200 || !strings.Contains(page, "wang") {
		t.Fatalf("page, account: %d", status)
	}
	for _, u := range []string{"li", "wang"} {
		if _, err := e.st.StaffByUsername(ctx, u); err != nil {
			t.Fatalf("account %s: %v", u, err)
		}
	}
}
