package report

import (
	"strings"
	"testing"

	"minyi/ballot"
)

func chartOf(t *testing.T, forms []ballot.Form, used int, ballots func(p *ballot.Poll) []ballot.PlainBallot) *ballot.Tally {
	t.Helper()
	p := &ballot.Poll{ID: "p", Title: "会议", Groups: []ballot.Group{{ID: "g", Name: "全体", Expected: 4}}, Forms: forms}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return ballot.Count(p, []ballot.Turnout{{Group: "g", Used: used}}, ballots(p))
}

// The bars are as long as the votes; the threshold line sits at the form's threshold;
// below quorum no bar is coloured as passing.
func TestChartsDrawTheCounts(t *testing.T) {
	rec := ballot.Form{Kind: ballot.KindRecommendation, Title: "推荐", Recommendation: &ballot.Recommendation{Positions: []ballot.Position{
		{Title: "副局长", Seats: 1, Candidates: []ballot.Candidate{{Name: "甲"}, {Name: "乙"}}}}}}
	votes := func(p *ballot.Poll) []ballot.PlainBallot {
		var out []ballot.PlainBallot
		for _, c := range []string{"c1", "c1", "c1", "c2"} {
			out = append(out, ballot.PlainBallot{Group: "g", Ballot: ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {c}}}}}})
		}
		return out
	}
	tl := chartOf(t, []ballot.Form{rec}, 4, votes)
	rt := tl.Forms[0].Recommendation
	svg := string(CandidateChart(rt.Positions[0], rt.Rules))
	// 甲 3 of 4 valid: 270 of 360; 乙 1 of 4: 90; the half line at 150+180
	for _, want := range []string{`class="b g0" x="150" y="21" width="270"`, `class="b g2" x="150" y="45" width="90"`, `x1="330"`, "得票过半线（二分之一）", "3 票 75.00%"} {
		if !strings.Contains(svg, want) {
			t.Fatalf("candidate chart lacks %q:\n%s", want, svg)
		}
	}
	tl = chartOf(t, []ballot.Form{rec}, 2, func(p *ballot.Poll) []ballot.PlainBallot { return votes(p)[:2] })
	rt = tl.Forms[0].Recommendation
	if svg := string(CandidateChart(rt.Positions[0], rt.Rules)); strings.Contains(svg, "b g0") || !strings.Contains(svg, `class="b g2" x="150" y="21" width="360"`) {
		t.Fatalf("below quorum a bar is coloured as passing:\n%s", svg)
	}

	ev := ballot.Form{Kind: ballot.KindEvaluation, Title: "测评", Evaluation: &ballot.Evaluation{Grades: ballot.TeamGrades(), AdjustBelow: ballot.R(3, 4), Subjects: []ballot.Subject{{Name: "领导班子"}}}}
	tl = chartOf(t, []ballot.Form{ev}, 4, func(p *ballot.Poll) []ballot.PlainBallot {
		var out []ballot.PlainBallot
		for _, g := range []string{"好", "较好", "一般", "差"} {
			out = append(out, ballot.PlainBallot{Group: "g", Ballot: ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {g}}}}}})
		}
		return out
	})
	svg = string(GradeChart(tl.Forms[0].Evaluation))
	for _, want := range []string{`class="b g0" x="150" y="37" width="90"`, `class="b h" x="420" y="37" width="90"`, `x1="420"`, "四分之三", "好和较好 50.00%"} {
		if !strings.Contains(svg, want) {
			t.Fatalf("grade chart lacks %q:\n%s", want, svg)
		}
	}
}

// The charts stay light beside the tables they draw: bytes of SVG for an evaluation of
// 300 subjects (the most a form holds) and a position of 50 candidates.
func BenchmarkChartSize(b *testing.B) {
	et := &ballot.EvaluationTally{Grades: []string{"优秀", "称职", "基本称职", "不称职"}, GoodLabel: "优秀和称职",
		Rules: []ballot.Flag{{Code: ballot.RuleAdjust, Threshold: ballot.R(2, 3)}}}
	for i := 0; i < ballot.MaxSubjects; i++ {
		et.Subjects = append(et.Subjects, ballot.SubjectTally{Name: "张三丰", Total: ballot.GradeCounts{Votes: []int{40, 30, 20, 10}, Valid: 100}, Good: ballot.R(70, 100)})
	}
	var pt ballot.PositionTally
	pt.Valid.Total = 100
	for i := 0; i < 50; i++ {
		c := ballot.CandidateTally{Name: "李四", Rate: ballot.R(int64(i), 100)}
		c.Votes.Total = i
		pt.Candidates = append(pt.Candidates, c)
	}
	var n1, n2 int
	for i := 0; i < b.N; i++ {
		n1 = len(GradeChart(et))
		n2 = len(CandidateChart(pt, []ballot.Flag{{Code: ballot.RuleBelowHalf, Threshold: ballot.R(1, 2)}}))
	}
	b.ReportMetric(float64(n1), "bytes/300-subjects")
	b.ReportMetric(float64(n2), "bytes/50-candidates")
}
