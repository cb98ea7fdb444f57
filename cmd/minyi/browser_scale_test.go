package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A survey of 300 groups in 12 regions on a 375 px phone: the poll page shows a row per
// region with its subtotal, a region unfolds its 25 groups inside the table's own box
// (the page never scrolls sideways), and a vote reaches the region's row, the group's and
// the total from the stream's counts by position; the big screen shows the 12 regions.
func TestRegionsOnPhone(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var groups []map[string]any
	for i := range 300 {
		groups = append(groups, map[string]any{"name": fmt.Sprintf("第%03d服务窗口", i+1), "expected": 10, "region": fmt.Sprintf("第%02d地区", i%12+1)})
	}
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{"title": "全省政务服务满意度测评", "unit_id": units.Units[0].ID, "key_holder": "server", "groups": groups,
		"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
			{"kind": "single", "title": "总体评价", "options": []string{"满意", "不满意"}}}}}}}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[12].ID, "count": 2}, 201, &toks) // 第013服务窗口, 第01地区
	a.call("POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)                                                         // the key the server holds: no ceremony
	ctx := browser(t)
	login(t, ctx)
	wide := func(what string) {
		t.Helper()
		if w := evalInt(t, ctx, `document.documentElement.scrollWidth`); w > 375 {
			culprits := evalString(t, ctx, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right)).join(", ")`)
			t.Fatalf("%s: the page is %d px wide on a 375 px phone (%s)", what, w, culprits)
		}
	}
	do(t, ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulateScale(2)),
		chromedp.Navigate(app.base+"/polls/"+p.ID), chromedp.WaitVisible(css("#turnout")))
	if n := evalInt(t, ctx, `document.querySelectorAll("#turnout tr[data-region]").length`); n != 12 {
		t.Fatalf("%d region rows", n)
	}
	if n := evalInt(t, ctx, `[...document.querySelectorAll("#turnout tr.in-region")].filter(r => r.offsetParent !== null).length`); n != 0 {
		t.Fatalf("%d groups shown before a region is unfolded", n)
	}
	wide("folded")
	do(t, ctx, click(css(`#turnout tr[data-region="0"] button.fold`)))
	if n := evalInt(t, ctx, `[...document.querySelectorAll("#turnout tr.in-region")].filter(r => r.offsetParent !== null).length`); n != 25 {
		t.Fatalf("%d groups shown after unfolding one region, want 25", n)
	}
	if !evalBool(t, ctx, `document.querySelector('#turnout tr[data-region="0"] button.fold').getAttribute("aria-expanded") === "true"`) {
		t.Fatal("the unfolded region's button does not say so")
	}
	if !evalBool(t, ctx, `(b => b.scrollHeight > b.clientHeight && b.tabIndex === 0)(document.querySelector(".turnout-box"))`) {
		t.Fatal("the unfolded table does not scroll inside its own box, or the keyboard cannot reach it")
	}
	wide("unfolded")
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("live-status").textContent.indexOf("实时") === 0`)); err != nil {
		t.Fatal(err)
	}
	u := toks.Tokens[0].URL
	a.call("POST", "/api/v1/ballot/"+u[strings.LastIndex(u, "/")+1:], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"q1": {"满意"}}}}}}, 200, nil)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#turnout tr[data-region="0"] .used').textContent === "1"`)); err != nil {
		t.Fatalf("the region's row did not count the vote: %v", err)
	}
	if got := text(t, ctx, css(`#turnout tr[data-i="12"] .used`)) + " " + text(t, ctx, css(`#turnout tr[data-i="12"] .rate`)) + " " + text(t, ctx, css("#turnout tfoot .used")); got != "1 10.00% 1" {
		t.Fatalf("the group's row and the total after the vote: %q", got)
	}
	do(t, ctx, click(css(`form[action$="/screen"] button`)), chromedp.WaitVisible(css(`a[href^="/screen/"]`)))
	href := evalString(t, ctx, `document.querySelector('a[href^="/screen/"]').getAttribute("href")`)
	do(t, ctx, chromedp.Navigate(app.base+href), chromedp.WaitVisible(css("#groups")))
	if n := evalInt(t, ctx, `document.querySelectorAll("#groups .group[data-region]").length`); n != 12 {
		t.Fatalf("the big screen shows %d regions", n)
	}
	wide("big screen")
}

func evalInt(t *testing.T, ctx context.Context, js string) int {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// `minyi bench -kind survey` votes a survey of many groups on several instances: every
// voter answered OK, the box audited against the tokens used.
func TestBenchSurveyKind(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"bench", "-data", app.data, "-kind", "survey", "-groups", "7", "-instances", "2", "-n", "30", "-c", "4", "-json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r struct {
		OK           int
		Kind         string
		Groups       int
		BallotBytes  int            `json:"ballot_bytes"`
		BallotsInBox int            `json:"ballots_in_box"`
		TokensUsed   int            `json:"tokens_used"`
		AuditOK      bool           `json:"audit_ok"`
		Errors       map[string]int `json:"errors"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if !r.AuditOK || r.OK != 30 || r.BallotsInBox != 30 || r.TokensUsed != 30 || len(r.Errors) != 0 || r.Kind != "survey" || r.Groups != 7 || r.BallotBytes <= 0 {
		t.Fatalf("%+v", r)
	}
}
