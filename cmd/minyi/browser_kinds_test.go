package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/ballot"
)

// A voter on a phone fills four papers at once (民主推荐, 民主测评, 总体评价, 新提拔干部评议).
// A third mark on a two-seat position is taken back at once with a message; with
// JavaScript off the server refuses it with the same reason. The tally matches.
func TestFourFormsInBrowser(t *testing.T) {
	t.Parallel()
	a := adminAPI(t)
	var units struct{ Units []struct{ ID string } }
	a.call("GET", "/api/v1/units", nil, 200, &units)
	var p pollRef
	a.call("POST", "/api/v1/polls", map[string]any{
		"title": "换届考察民主推荐和测评", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "全体", "expected": 12}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "民主推荐表", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "副局长", "seats": 2, "write_ins": true, "candidates": []map[string]string{{"name": "张三"}, {"name": "李四"}, {"name": "王五"}}}}}},
			{"kind": "evaluation", "title": "民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "赵一", "post": "局长"}}}},
			{"kind": "review", "title": "选人用人工作总体评价", "review": map[string]any{"overall": "对本单位选人用人工作的总体评价"}},
			{"kind": "review", "title": "新提拔干部评议", "review": map[string]any{"cadres": []map[string]string{{"name": "孙三", "post": "科长"}}}},
		},
	}, 201, &p)
	var toks struct{ Tokens []struct{ URL string } }
	a.call("POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[0].ID, "count": 2}, 201, &toks)
	a.openPoll(p.ID)
	ctx := browser(t)
	box := func(line, value string) css {
		return css(fmt.Sprintf(`input[name="%s"][value="%s"] + span`, line, value))
	}

	do(t, ctx, phone,
		chromedp.Navigate(toks.Tokens[0].URL),
		chromedp.WaitVisible(css("#ballot")),
		click(box("f1.p1", "c1")),
		click(box("f1.p1", "c2")),
		click(box("f1.p1", "c3")), // the third of two seats
	)
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name="f1.p1"]:checked').length`))
	if err != nil {
		t.Fatal(err)
	}
	if msg := text(t, ctx, "#form-f1 .line-error"); checked != 2 || !strings.Contains(msg, "最多推荐或同意 2 人") {
		t.Fatalf("third mark: %d checked, message %q", checked, msg)
	}
	screenshot(ctx, "four-forms-blocked")
	// A written-in name counts toward the seats too: the submit is blocked.
	do(t, ctx,
		chromedp.SendKeys(css(`input[name="f1.p1.w"]`), "赵六"),
		click(box("f2.s1", "称职")),
		click(box("f3.overall", "较好")),
		click(box("f4.c1", "认同")),
		click(css(`button[type=submit]`)),
	)
	if msg := text(t, ctx, "#form-f1 .line-error"); !strings.Contains(msg, "已选 3 人，超过应推荐的 2 人，请取消 1 人") {
		t.Fatalf("submit with 3 names for 2 seats: %q", msg)
	}
	do(t, ctx,
		click(box("f1.p1", "c2")), // take 李四 back: 张三 + 赵六
		click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css("#done")),
	)

	// JavaScript off: the server refuses the over-marked position and keeps the marks.
	do(t, ctx,
		scripts(false),
		chromedp.Navigate(toks.Tokens[1].URL),
		chromedp.WaitVisible(css("#ballot")),
		click(box("f1.p1", "c1")),
		click(box("f1.p1", "c2")),
		click(box("f1.p1", "c3")),
		click(box("f2.s1", "优秀")),
		click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(".error")),
	)
	if msg := text(t, ctx, ".error"); !strings.Contains(msg, "“副局长”推荐3人，超过应推荐人数2人") {
		t.Fatalf("server refusal: %q", msg)
	}
	screenshot(ctx, "four-forms-refused")
	do(t, ctx,
		click(box("f1.p1", "c1")), // leaves 李四, 王五
		click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css("#done")),
		scripts(true),
	)

	a.call("POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	a.countPoll(p.ID, &tl)
	var rec []string
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		rec = append(rec, fmt.Sprintf("%s:%d", c.Name, c.Votes.Total))
	}
	ev := tl.Forms[1].Evaluation.Subjects[0].Total
	ov := tl.Forms[2].Review.OverallCounts
	cd := tl.Forms[3].Review.Cadres[0]
	got := fmt.Sprintf("%s %v %d %d %d %d", strings.Join(rec, " "), ev.Votes, ov.Options[1].Total, ov.Blank.Total, cd.Counts.Options[0].Total, cd.Counts.Blank.Total)
	if want := "张三:1 李四:1 王五:1 赵六:1 [1 1 0 0] 1 1 1 1"; got != want || tl.Ballots != 2 {
		t.Fatalf("tally %q, want %q", got, want)
	}
}
