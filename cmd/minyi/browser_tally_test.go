package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The tally pages of a 民主测评 (a team and three cadres, one with two flags) and of a
// 民主推荐 with a 表决, as an organizer sees them in chromium on a desk's screen: the
// server-drawn charts show at their size, every table stays inside its card (a wide one
// scrolls inside itself), and positive and negative conclusions carry different signs.
// MINYI_SCREENSHOTS=dir keeps the pictures.
func TestTallyChartsInBrowser(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	type vote map[string]map[string][]string
	run := func(def map[string]any, votes []vote) string {
		var p pollRef
		def["unit_id"] = units.Units[0].ID
		a.call("POST", "/api/v1/polls", def, 201, &p)
		var toks struct{ Tokens []struct{ Code string } }
		a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": len(votes)}, 201, &toks)
		a.openPoll(p.ID)
		for i, v := range votes {
			var forms []map[string]any
			for f := 1; f <= len(v); f++ {
				forms = append(forms, map[string]any{"form": fmt.Sprintf("f%d", f), "lines": v[fmt.Sprintf("f%d", f)]})
			}
			a.call("POST", "/api/v1/ballot/"+toks.Tokens[i].Code, map[string]any{"ballot": map[string]any{"forms": forms}, "accept_invalid_lines": true}, 200, nil)
		}
		a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
		a.countPoll(p.ID, nil)
		return p.ID
	}
	team := []string{"好", "好", "较好", "较好", "一般", "差"}
	// All six good: 「优秀和称职 100.00%」, the longest text a grade chart puts right of a bar.
	cadre1 := []string{"优秀", "优秀", "称职", "称职", "称职", "称职"}
	cadre2 := []string{"优秀", "称职", "基本称职", "基本称职", "不称职", "不称职"}
	// 不称职 > 1/3 and 优秀+称职 < 2/3: a row with two flags, the widest the table has.
	cadre3 := []string{"称职", "基本称职", "不称职", "不称职", "不称职", "基本称职"}
	var evalVotes []vote
	for i := range team {
		evalVotes = append(evalVotes, vote{"f1": {"s1": {team[i]}}, "f2": {"s1": {cadre1[i]}, "s2": {cadre2[i]}, "s3": {cadre3[i]}}})
	}
	eval := run(map[string]any{"title": "2025年度局领导班子和领导干部民主测评",
		"groups": []map[string]any{{"name": "全体参会人员", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "领导班子民主测评表", "evaluation": map[string]any{
				"grades":   []map[string]any{{"label": "好", "good": true}, {"label": "较好", "good": true}, {"label": "一般"}, {"label": "差"}},
				"subjects": []map[string]string{{"name": "局领导班子"}}, "adjust_below": map[string]int{"num": 3, "den": 4}}},
			{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "局长"}, {"name": "李四", "post": "副局长"}, {"name": "王五", "post": "副局长"}}}},
		}}, evalVotes)
	recMarks := [][]string{{"c1", "c2"}, {"c1", "c2"}, {"c1", "c3"}, {"c1"}, {"c2", "c4"}, {"c1", "c2"}}
	approve := []string{"同意", "同意", "同意", "同意", "不同意", "弃权"}
	var recVotes []vote
	for i := range recMarks {
		recVotes = append(recVotes, vote{"f1": {"p1": recMarks[i]}, "f2": {"n1": {approve[i]}, "n2": {approve[(i+3)%6]}}})
	}
	rec := run(map[string]any{"title": "副局长民主推荐",
		"groups": []map[string]any{{"name": "全体参会人员", "expected": 6}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 2, "candidates": []map[string]string{{"name": "王一"}, {"name": "赵二"}, {"name": "钱三"}, {"name": "孙四"}}}}}},
			{"kind": "approval", "title": "票决表", "approval": map[string]any{"nominees": []map[string]string{{"name": "周五"}, {"name": "吴六"}}}},
		}}, recVotes)

	// the same meeting with 2 of 6 present: below quorum, no conclusion
	recDef := func() map[string]any {
		return map[string]any{"title": "副局长民主推荐（到会不足）",
			"groups": []map[string]any{{"name": "全体参会人员", "expected": 6}},
			"forms": []map[string]any{
				{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
					{"title": "副局长", "seats": 2, "candidates": []map[string]string{{"name": "王一"}, {"name": "赵二"}, {"name": "钱三"}, {"name": "孙四"}}}}}},
				{"kind": "approval", "title": "票决表", "approval": map[string]any{"nominees": []map[string]string{{"name": "周五"}, {"name": "吴六"}}}},
			}}
	}
	few := run(recDef(), recVotes[:2])

	ctx := browser(t)
	login(t, ctx)
	for _, c := range []struct {
		name, poll string
		charts     int
		positive   string
		negative   string
	}{
		{"tally-evaluation", eval, 2, "", "✗ 建议免职"},
		{"tally-recommendation", rec, 2, "✓ 进入差额考察", "✗ 得票未过半"},
		{"tally-below-quorum", few, 2, "", "✗ 未达法定人数"},
	} {
		do(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(app.base+"/polls/"+c.poll+"/tally"), chromedp.WaitVisible(css("svg.chart")))
		sizes, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().height)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) != c.charts {
			t.Fatalf("%s: %d charts, want %d", c.name, len(sizes), c.charts)
		}
		for _, h := range sizes {
			if h < 40 || h > 600 {
				t.Fatalf("%s: a chart %.0f px high", c.name, h)
			}
		}
		if out := tablesOutOfCards(t, ctx); len(out) > 0 {
			t.Errorf("%s at 1280 px: tables stick out of their cards: %v", c.name, out)
		}
		if cut := chartTextsCut(t, ctx); len(cut) > 0 {
			t.Errorf("%s at 1280 px: the charts cut their texts: %q", c.name, cut)
		}
		body := text(t, ctx, "body")
		for _, want := range []string{c.positive, c.negative} {
			if want != "" && !strings.Contains(body, want) {
				t.Fatalf("%s lacks %q", c.name, want)
			}
		}
		if c.positive == "" && strings.Contains(body, "✓") && !strings.Contains(body, "✓ 已达到") {
			t.Fatalf("%s shows a positive conclusion", c.name)
		}
		screenshot(ctx, c.name)
	}
	// Printed (in grey): the positive and the negative conclusion keep different signs
	// and different borders, not only different colours.
	do(t, ctx, chromedp.Navigate(app.base+"/polls/"+rec+"/tally"), chromedp.WaitVisible(css("svg.chart")), printMedia(true))
	looks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['.flag.positive', '.flag.negative'].map(s => {
		const f = document.querySelector(s), st = getComputedStyle(f); return f.textContent.trim()[0] + ' ' + st.borderTopStyle + ' ' + st.color })`))
	if err != nil {
		t.Fatal(err)
	}
	if len(looks) != 2 || looks[0] != "✓ solid rgb(0, 0, 0)" || looks[1] != "✗ double rgb(0, 0, 0)" {
		t.Fatalf("printed conclusions: %q", looks)
	}
	screenshot(ctx, "tally-print")

	// In English the words of a flag and its rule are longer: the tables still stay
	// inside their cards on a desk's screen, and on a narrower one, where the
	// evaluation's is wider than its card and scrolls inside its own box.
	do(t, ctx, printMedia(false))
	for _, w := range []int64{1280, 1024} {
		for _, c := range []struct{ name, poll string }{{"tally-evaluation-en", eval}, {"tally-recommendation-en", rec}} {
			do(t, ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(app.base+"/lang/en?next=/polls/"+c.poll+"/tally"), chromedp.WaitVisible(css(`html[lang="en"] svg.chart`)))
			if out := tablesOutOfCards(t, ctx); len(out) > 0 {
				t.Errorf("%s at %d px: tables stick out of their cards: %v", c.name, w, out)
			}
			if cut := chartTextsCut(t, ctx); len(cut) > 0 {
				t.Errorf("%s at %d px: the charts cut their texts: %q", c.name, w, cut)
			}
			screenshot(ctx, fmt.Sprintf("%s-%d", c.name, w))
			if w == 1024 && c.poll == eval && !evalBool(t, ctx, `[...document.querySelectorAll(".table-scroll")].some(b => b.scrollWidth > b.clientWidth + 1 && b.tabIndex === 0)`) {
				t.Errorf("%s at %d px: no table scrolls inside its box, or one that does takes no keyboard focus", c.name, w)
			}
		}
	}
}

// tablesOutOfCards names the tables of a page whose box reaches past their card's
// border, with by how many pixels: a table wider than its card must scroll inside itself
// (or inside a box of its own within the card), so what shows is that box.
func tablesOutOfCards(t *testing.T, ctx context.Context) []string {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(".card table")].flatMap((tb, i) => {
	  const card = tb.closest(".card"), st = getComputedStyle(card), c = card.getBoundingClientRect();
	  let box = tb;
	  while (box !== card && !/auto|scroll|hidden/.test(getComputedStyle(box).overflowX)) box = box.parentElement;
	  const r = (box === card ? tb : box).getBoundingClientRect();
	  const over = Math.round(r.right - (c.right - parseFloat(st.borderRightWidth)));
	  return over > 0 ? ["table " + (i + 1) + " (" + (tb.querySelector("th") || tb).textContent.trim().slice(0, 12) + "): " + over + " px"] : [] })`))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// chartTextsCut names the texts of the page's charts that reach past their chart's box,
// where the drawing cuts them off.
func chartTextsCut(t *testing.T, ctx context.Context) []string {
	t.Helper()
	out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("svg.chart")].flatMap(s => {
	  const b = s.getBoundingClientRect();
	  return [...s.querySelectorAll("text")].filter(x => { const r = x.getBoundingClientRect(); return r.right > b.right + 0.5 || r.left < b.left - 0.5 })
	    .map(x => x.textContent) })`))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// printMedia makes the page use its print style sheet, as when printed.
func printMedia(on bool) chromedp.Action[chromedp.Void] {
	media := ""
	if on {
		media = "print"
	}
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	})
}
