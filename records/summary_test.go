package records

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/i18n"
)

var chinese = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}“”]+`)

// Every summary FromTally files (each kind of form, weighted, scored, below quorum, with
// the key's note) is told in English with no Chinese left but the rules' terms and the
// data (names, titles); a Chinese reader, and a summary filed under other wording, get
// the stored text.
func TestSummaryInEnglish(t *testing.T) {
	one := ballot.R(1, 1)
	p := &ballot.Poll{ID: "p", UnitID: "u", Title: "会议", Quorum: ballot.R(1, 3),
		Groups: []ballot.Group{{ID: "g", Name: "全体", Expected: 3, Weight: &one}},
		Forms: []ballot.Form{
			{Kind: ballot.KindEvaluation, Title: "测评", Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}},
			{Kind: ballot.KindRecommendation, Title: "推荐", Recommendation: &ballot.Recommendation{Positions: []ballot.Position{{Title: "副局长（正科级）；兼", Seats: 1, Candidates: []ballot.Candidate{{Name: "李四"}}}}}},
			{Kind: ballot.KindApproval, Title: "表决", Approval: &ballot.Approval{Nominees: []ballot.Candidate{{Name: "赵六"}}, PassBase: ballot.BaseTurnout}},
			{Kind: ballot.KindReview, Title: "评议", Review: &ballot.Review{Cadres: []ballot.Subject{{Name: "孙八"}}}},
			{Kind: ballot.KindScoring, Title: "打分", Scoring: &ballot.Scoring{Subjects: []ballot.Subject{{Name: "周九"}}}},
		}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b := ballot.Ballot{Forms: []ballot.FilledForm{
		{Form: "f1", Lines: map[string][]string{"s1": {"称职"}}},
		{Form: "f2", Lines: map[string][]string{"p1": {"c1"}}},
		{Form: "f3", Lines: map[string][]string{"n1": {"同意"}}},
		{Form: "f4", Lines: map[string][]string{"c1": {"认同"}}},
		{Form: "f5", Lines: map[string][]string{"s1": {"88"}}},
	}}
	data := []string{"张三", "副局长（正科级）；兼", "李四", "赵六", "孙八", "周九"}
	en := i18n.For(i18n.En)
	for _, used := range []int{3, 0} {
		box := make([]ballot.PlainBallot, used)
		for i := range box {
			box[i] = ballot.PlainBallot{Group: "g", Ballot: b}
		}
		tl := ballot.Count(p, []ballot.Turnout{{Group: "g", Used: used}}, box)
		tl.KeyNote = p.KeyNote()
		es := FromTally(p, tl, time.Now())
		if len(es) != 5 {
			t.Fatalf("%d entries", len(es))
		}
		for _, e := range es {
			said := e.SummaryIn(en)
			left := said
			for _, d := range data {
				left = strings.ReplaceAll(left, d, "")
			}
			for _, run := range chinese.FindAllString(left, -1) {
				if !i18n.HasTerm(run) {
					t.Errorf("%s (%d voted): %q in English is %q, still Chinese: %q", e.Name, used, e.Summary, said, run)
				}
			}
			if e.SummaryIn(i18n.For(i18n.Zh)) != e.Summary {
				t.Errorf("a Chinese reader gets %q, not %q", e.SummaryIn(i18n.For(i18n.Zh)), e.Summary)
			}
			if used == 0 && !strings.HasPrefix(said, "Quorum not reached, the result is void (0 voted, 3 expected, at least 1 needed); ") {
				t.Errorf("below quorum: %q", said)
			}
		}
		if used == 3 {
			if want := `Position "副局长（正科级）；兼": 3 votes, vote share 100.00% (3/3), place 1`; !strings.Contains(es[1].SummaryIn(en), want) {
				t.Errorf("recommendation: %q, want %q", es[1].SummaryIn(en), want)
			}
		}
	}
	for _, old := range []string{"称职 3（100.00%）；有效票 3；好评率（旧写法）100.00%", "平均分 88.00"} {
		if got := SaySummary(en, old); got != old {
			t.Errorf("a summary of other wording %q is said as %q", old, got)
		}
	}
}
