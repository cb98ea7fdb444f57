package ballot

import (
	"fmt"
	"strings"
	"testing"

	"minyi/survey"
)

func pollWith(forms ...Form) *Poll {
	p := &Poll{ID: "p", Title: "会议", Groups: []Group{{ID: "g1", Name: "班子成员", Expected: 10}, {ID: "g2", Name: "中层干部", Expected: 30}}, Forms: forms}
	p.Normalize()
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return p
}

// cast is a filled ballot of one form with the given lines.
func cast(p *Poll, group string, lines map[string][]string) PlainBallot {
	return PlainBallot{Group: group, Ballot: Ballot{Forms: []FilledForm{{Form: p.Forms[0].ID, Lines: lines}}}}
}

func many(n int, pb PlainBallot) []PlainBallot {
	out := make([]PlainBallot, n)
	for i := range out {
		out[i] = pb
	}
	return out
}

func flagsOf(fs []Flag) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Code)
	}
	return strings.Join(c, ",")
}

func markForm(seats int, names ...string) Form {
	pos := Position{Title: "副局长", Seats: seats, WriteIns: true}
	for _, n := range names {
		pos.Candidates = append(pos.Candidates, Candidate{Name: n})
	}
	return Form{Kind: KindRecommendation, Title: "民主推荐表", Recommendation: &Recommendation{Positions: []Position{pos}}}
}

// RULES: 民主推荐 废票 — fewer marks than seats valid, none is 弃权 (valid, in the denominator),
// more than seats invalid for that position only; write-ins normalised and counted together.
func TestRecommendationMarkRules(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(2, "张三", "李四", "王五"))
	for name, lines := range map[string]map[string][]string{
		"unknown candidate":    {"p1": {"c9"}},
		"listed name twice":    {"p1": {"c1", "+张 三"}},
		"empty write-in":       {"p1": {"+ "}},
		"same candidate twice": {"p1": {"c1", "c1"}},
		"same write-in twice":  {"p1": {"+赵六", "+赵 六"}},
		"unknown position":     {"p9": {"c1"}},
		"per-candidate key":    {"p1/c1": {"同意"}},
	} {
		b := cast(p, "g1", lines).Ballot
		if _, err := p.Check(&b); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	over := cast(p, "g1", map[string][]string{"p1": {"c1", "c2", "+赵六"}})
	if sp, err := p.Check(&over.Ballot); err != nil || len(sp) != 1 || !strings.Contains(sp[0].Reason, "超过应推荐人数2人") {
		t.Fatalf("over-marked: %+v %v", sp, err)
	}
	var box []PlainBallot
	box = append(box, many(3, cast(p, "g1", map[string][]string{"p1": {"c1", "+赵六"}}))...)
	box = append(box, many(2, cast(p, "g2", map[string][]string{"p1": {"c1", "+ 赵六"}}))...)
	box = append(box, cast(p, "g2", map[string][]string{"p1": {"c2"}}))
	box = append(box, cast(p, "g2", map[string][]string{"p1": {"+ＡＢ"}}))
	box = append(box, cast(p, "g2", nil)) // 弃权
	box = append(box, over)
	p.MinGroup = 3 // four and six ballots: each group its own row
	tl := Count(p, present(p), box)
	pt := tl.Forms[0].Recommendation.Positions[0]
	if pt.Valid.Total != 8 || pt.Invalid.Total != 1 || pt.Blank.Total != 1 || pt.Valid.ByGroup[0] != 3 {
		t.Fatalf("position valid %+v invalid %+v blank %+v", pt.Valid, pt.Invalid, pt.Blank)
	}
	got := map[string]string{}
	for _, c := range pt.Candidates {
		got[c.Name] = fmt.Sprintf("%d %s %s", c.Votes.Total, c.Rate, flagsOf(c.Flags))
	}
	want := map[string]string{
		"张三": "5 5/8 shortlist",
		"李四": "1 1/8 shortlist,tie,below_half", // 李四 and AB share third place
		"王五": "0 0/8 below_half",
		"赵六": "5 5/8 shortlist,write_in",
		"AB": "1 1/8 shortlist,tie,below_half,write_in",
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s: %q, want %q", n, got[n], w)
		}
	}
	if len(pt.Candidates) != 5 || !pt.Candidates[3].WriteIn || pt.Candidates[3].Votes.ByGroup[1] != 2 {
		t.Fatalf("write-ins: %+v", pt.Candidates)
	}
}

// RULES: 得票率 < 1/2 flagged (strictly: exactly 1/2 is not); top n with ties at the cut all
// in and flagged 「并列」; best 得票率 < 3/10 suggests a second round.
func TestRecommendationThresholds(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(1, "甲", "乙", "丙", "丁", "戊"))
	vote := func(c string, n int) []PlainBallot { return many(n, cast(p, "g2", map[string][]string{"p1": {c}})) }
	var box []PlainBallot
	for c, n := range map[string]int{"c1": 5, "c2": 2, "c3": 1, "c4": 1, "c5": 1} {
		box = append(box, vote(c, n)...)
	}
	pt := Count(p, present(p), box).Forms[0].Recommendation.Positions[0]
	codes := []string{}
	for _, c := range pt.Candidates {
		codes = append(codes, fmt.Sprintf("%s:%d:%s", c.Name, c.Rank, flagsOf(c.Flags)))
	}
	want := "甲:1:shortlist 乙:2:shortlist,below_half 丙:3:shortlist,tie,below_half 丁:3:shortlist,tie,below_half 戊:3:shortlist,tie,below_half"
	if strings.Join(codes, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(codes, " "), want)
	}
	if len(pt.Flags) != 0 {
		t.Fatalf("5/10 best is not scattered: %+v", pt.Flags)
	}
	// Scattered: best 2 of 7 < 3/10.
	box = append(vote("c1", 2), append(vote("c2", 2), append(vote("c3", 1), append(vote("c4", 1), vote("c5", 1)...)...)...)...)
	pt = Count(p, present(p), box).Forms[0].Recommendation.Positions[0]
	if flagsOf(pt.Flags) != "second_round" || pt.Flags[0].Value != R(2, 7) {
		t.Fatalf("scattered: %+v", pt.Flags)
	}
	// exactly 3/10 is not below 3/10
	box = append(vote("c1", 3), vote("c2", 7)...)
	if pt = Count(p, present(p), box).Forms[0].Recommendation.Positions[0]; flagsOf(pt.Candidates[0].Flags) != "shortlist,below_half" || len(pt.Flags) != 0 {
		t.Fatalf("3/10: %+v", pt)
	}
}

func TestRecommendationPerCandidate(t *testing.T) {
	t.Parallel()
	f := markForm(2, "张三", "李四", "王五")
	f.Recommendation.Shape = ShapePerCandidate
	p := pollWith(f)
	ok := cast(p, "g1", map[string][]string{"p1/c1": {"同意"}, "p1/c2": {"不同意", "+赵六"}})
	if sp, err := p.Check(&ok.Ballot); err != nil || len(sp) != 0 {
		t.Fatalf("valid per-candidate ballot: %+v %v", sp, err)
	}
	over := cast(p, "g1", map[string][]string{"p1/c1": {"同意"}, "p1/c2": {"同意"}, "p1/c3": {"弃权", "+赵六"}})
	two := cast(p, "g1", map[string][]string{"p1/c1": {"同意", "不同意"}})
	for name, b := range map[string]PlainBallot{"3 recommendations for 2 seats": over, "two opinions": two} {
		if sp, err := p.Check(&b.Ballot); err != nil || len(sp) != 1 {
			t.Errorf("%s: %+v %v", name, sp, err)
		}
	}
	box := append(many(4, ok), over, two, cast(p, "g2", nil))
	pt := Count(p, present(p), box).Forms[0].Recommendation.Positions[0]
	z, l, w := pt.Candidates[0], pt.Candidates[1], pt.Candidates[2]
	if pt.Valid.Total != 5 || pt.Invalid.Total != 2 || z.Votes.Total != 4 || l.Disagree.Total != 4 || l.Abstain.Total != 1 || w.Abstain.Total != 5 {
		t.Fatalf("per-candidate counts: %+v", pt)
	}
	if zl := pt.Candidates[3]; zl.Name != "赵六" || !zl.WriteIn || zl.Votes.Total != 4 {
		t.Fatalf("另选: %+v", pt.Candidates)
	}
}

func approvalForm(seats int, names ...string) Form {
	a := &Approval{Seats: seats}
	for _, n := range names {
		a.Nominees = append(a.Nominees, Candidate{Name: n})
	}
	return Form{Kind: KindApproval, Title: "票决表", Approval: a}
}

// RULES: 表决 — passes when 同意 > 应到/2: exactly half does not pass.
func TestApprovalPassesOverHalfOfExpected(t *testing.T) {
	t.Parallel()
	p := pollWith(approvalForm(0, "张三", "李四")) // 应到 40 → needs 21
	yes := func(n int, line string) []PlainBallot {
		return many(n, cast(p, "g2", map[string][]string{line: {"同意"}}))
	}
	box := append(yes(20, "n1"), yes(21, "n2")...)
	box = append(box, cast(p, "g2", map[string][]string{"n1": {"同意", "不同意"}}))
	at := Count(p, present(p), box).Forms[0].Approval
	if at.Base != 40 || at.Needed != 21 {
		t.Fatalf("base %d needed %d", at.Base, at.Needed)
	}
	z, l := at.Nominees[0], at.Nominees[1]
	if z.Passed || !l.Passed || z.Agree != R(20, 40) || z.Counts.Invalid.Total != 1 || z.Counts.Options[2].Total != 21 {
		t.Fatalf("张三 %+v\n李四 %+v", z, l)
	}
	// of 实到 instead: 42 voted, 21 is exactly half: not passed.
	p.Forms[0].Approval.PassBase = BaseTurnout
	at = Count(p, []Turnout{{Group: "g2", Used: 42}}, box).Forms[0].Approval
	if at.Base != 42 || at.Nominees[1].Passed {
		t.Fatalf("of turnout: %+v", at.Nominees[1])
	}
}

// RULES: 差额票决 — the seats nominees with most 同意 that pass; more 同意 than seats makes
// the form invalid on that ballot; ties at the last seat are flagged, not decided.
func TestContestedApproval(t *testing.T) {
	t.Parallel()
	p := pollWith(approvalForm(2, "甲", "乙", "丙", "丁"))
	b := func(agree ...string) PlainBallot {
		l := map[string][]string{}
		for _, a := range agree {
			l[a] = []string{"同意"}
		}
		return cast(p, "g2", l)
	}
	over := b("n1", "n2", "n3")
	if sp, _ := p.Check(&over.Ballot); len(sp) != 1 || sp[0].Line != WholeForm {
		t.Fatalf("over: %+v", sp)
	}
	var box []PlainBallot
	box = append(box, many(25, b("n1", "n2"))...) // 甲 25, 乙 25
	box = append(box, many(5, b("n2", "n3"))...)  // 乙 30, 丙 5
	box = append(box, many(3, over)...)
	at := Count(p, present(p), box).Forms[0].Approval
	got := ""
	for _, n := range at.Nominees {
		got += fmt.Sprintf("%s:%d:%v:%s ", n.Name, n.Counts.Options[0].Total, n.Elected, flagsOf(n.Flags))
	}
	if want := "甲:25:true:passed,elected 乙:30:true:passed,elected 丙:5:false:not_passed 丁:0:false:not_passed "; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if at.WholeVoid.Total != 3 || at.Nominees[0].Counts.Invalid.Total != 3 {
		t.Fatalf("void %+v", at.WholeVoid)
	}
	// A tie for the last seat among passing nominees.
	box = append(many(24, b("n1", "n2")), many(24, b("n1", "n3"))...) // 甲 48, 乙 24, 丙 24
	at = Count(p, present(p), box).Forms[0].Approval
	if !at.Nominees[0].Elected || at.Nominees[1].Elected || at.Nominees[2].Elected || flagsOf(at.Nominees[1].Flags) != "passed,tie" || flagsOf(at.Nominees[2].Flags) != "passed,tie" {
		t.Fatalf("tie: %+v", at.Nominees)
	}
}

// RULES: 新提拔干部评议 — rates over all answers including 不了解; blank is outside; 不认同率
// > 1/3 flagged (exactly 1/3 not); lowest 认同率 flagged; 总体评价 reports 好+较好.
func TestReview(t *testing.T) {
	t.Parallel()
	p := pollWith(Form{Kind: KindReview, Title: "一报告两评议", Review: &Review{Overall: "对本单位选人用人工作的总体评价",
		Cadres: []Subject{{Name: "甲", Post: "科长"}, {Name: "乙", Post: "副科长"}, {Name: "丙"}}}})
	r := func(o, a, b, c string) PlainBallot {
		l := map[string][]string{}
		for k, v := range map[string]string{"overall": o, "c1": a, "c2": b, "c3": c} {
			if v != "" {
				l[k] = []string{v}
			}
		}
		return cast(p, "g2", l)
	}
	var box []PlainBallot
	box = append(box, many(4, r("好", "认同", "认同", "不认同"))...)
	box = append(box, many(2, r("较好", "不了解", "不认同", "不认同"))...)
	box = append(box, many(3, r("一般", "基本认同", "认同", "认同"))...)
	box = append(box, r("", "", "", "")) // blank: outside every denominator
	box = append(box, cast(p, "g2", map[string][]string{"c1": {"认同", "不认同"}}))
	rt := Count(p, present(p), box).Forms[0].Review
	if rt.OverallGood != R(6, 9) || rt.OverallCounts.Blank.Total != 2 {
		t.Fatalf("overall %+v", rt.OverallGood)
	}
	a, b, c := rt.Cadres[0], rt.Cadres[1], rt.Cadres[2]
	if a.Approve != R(7, 9) || a.Counts.Invalid.Total != 1 || b.Disagree != R(2, 9) || c.Disagree != R(6, 9) {
		t.Fatalf("rates a %v b %v c %v", a.Approve, b.Disagree, c.Disagree)
	}
	if flagsOf(a.Flags) != "" || flagsOf(c.Flags) != "disagree,lowest" || c.Rank != 3 || a.Rank != 1 || b.Rank != 1 {
		t.Fatalf("flags a %s c %s ranks %d %d %d", flagsOf(a.Flags), flagsOf(c.Flags), a.Rank, b.Rank, c.Rank)
	}
	// exactly 1/3 不认同 is not flagged
	box = append(many(1, r("好", "不认同", "", "")), many(2, r("好", "认同", "", ""))...)
	if rt = Count(p, present(p), box).Forms[0].Review; flagsOf(rt.Cadres[0].Flags) != "lowest" && flagsOf(rt.Cadres[0].Flags) != "" {
		t.Fatalf("1/3: %s", flagsOf(rt.Cadres[0].Flags))
	}
	if strings.Contains(flagsOf(rt.Cadres[0].Flags), "disagree") {
		t.Fatal("exactly 1/3 不认同 must not be flagged")
	}
}

// A poll of several forms: each form is judged on its own, one spoilt line spoils nothing else.
func TestSeveralForms(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(1, "张三", "李四"), Form{Kind: KindEvaluation, Title: "测评", Evaluation: &Evaluation{Subjects: []Subject{{Name: "王五"}}}})
	b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {"c1", "c2"}}}, {Form: "f2", Lines: map[string][]string{"s1": {"优秀"}}}}}
	sp, err := p.Check(&b)
	if err != nil || len(sp) != 1 || sp[0].Form != "f1" {
		t.Fatalf("%+v %v", sp, err)
	}
	tl := Count(p, present(p), []PlainBallot{{Group: "g1", Ballot: b}})
	if tl.Forms[0].Recommendation.Positions[0].Invalid.Total != 1 || tl.Forms[1].Evaluation.Subjects[0].Total.Valid != 1 {
		t.Fatalf("%+v", tl.Forms)
	}
}

func TestFromFields(t *testing.T) {
	t.Parallel()
	f := markForm(2, "张三", "李四")
	p := pollWith(f, approvalForm(0, "甲"))
	post := [][2]string{{"f1.p1", "c1"}, {"f1.p1.w", " 赵六 "}, {"f1.p1.w", ""}, {"f2.n1", "同意"}, {"_csrf", "x"}, {"f9.x", "y"}, {"accept_invalid", "1"}}
	b := p.FromFields(func(visit func(k, v string)) {
		for _, kv := range post {
			visit(kv[0], kv[1])
		}
	})
	if fmt.Sprint(b.Forms[0].Lines) != "map[p1:[c1 + 赵六 ]]" || fmt.Sprint(b.Forms[1].Lines) != "map[n1:[同意]]" {
		t.Fatalf("%v", b.Forms)
	}
	if sp, err := p.Check(&b); err != nil || len(sp) != 0 {
		t.Fatalf("%+v %v", sp, err)
	}
}

func TestPositionsFromText(t *testing.T) {
	t.Parallel()
	ps, err := PositionsFromText("副局长 2\n张三 办公室主任\n李四\n\n纪检组长 1人\n")
	if err != nil || len(ps) != 2 || ps[0].Seats != 2 || len(ps[0].Candidates) != 2 || ps[0].Candidates[0].Post != "办公室主任" || ps[1].Title != "纪检组长" || len(ps[1].Candidates) != 0 {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := PositionsFromText("副局长\n张三"); !strings.Contains(ErrorMessage(err), "第1行") {
		t.Fatal(err)
	}
	if _, err := PositionsFromText("副局长 2\n张三\n王五 x\n\n纪检组长 一"); !strings.Contains(ErrorMessage(err), "第5行：应推荐人数“一”不是整数") {
		t.Fatal(err)
	}
}

// RULES: 试用期满考核 — 「不宜正式任职」 when 优秀+称职 ≤ 2/3: exactly 2/3 is flagged.
func TestProbationFlag(t *testing.T) {
	t.Parallel()
	p := pollWith(Form{Kind: KindEvaluation, Title: "试用期满测评", Evaluation: &Evaluation{Probation: true, Subjects: []Subject{{Name: "甲"}}}})
	g := func(grade string, n int) []PlainBallot {
		return many(n, cast(p, "g2", map[string][]string{"s1": {grade}}))
	}
	for _, c := range []struct {
		good, other int
		want        string
	}{{2, 1, "probation"}, {3, 1, ""}, {1, 2, "adjust,probation"}} {
		s := Count(p, present(p), append(g("称职", c.good), g("基本称职", c.other)...)).Forms[0].Evaluation.Subjects[0]
		if got := flagCodes(s); got != c.want {
			t.Errorf("%d good of %d: %q, want %q", c.good, c.good+c.other, got, c.want)
		}
	}
}

// A team graded 好/较好/一般/差: good rate from the first two, no 建议免职 (no 不称职 grade).
func TestTeamGrades(t *testing.T) {
	t.Parallel()
	p := pollWith(Form{Kind: KindEvaluation, Title: "班子测评", Evaluation: &Evaluation{Grades: TeamGrades(), Subjects: []Subject{{Name: "局领导班子"}}}})
	box := append(many(1, cast(p, "g2", map[string][]string{"s1": {"好"}})), many(2, cast(p, "g2", map[string][]string{"s1": {"差"}}))...)
	s := Count(p, present(p), box).Forms[0].Evaluation.Subjects[0]
	if s.Good != R(1, 3) || flagCodes(s) != "adjust" {
		t.Fatalf("%+v", s)
	}
}

// RULES: 民主测评 weights — weighted rate = Σ group weight × group rate; a group with no
// valid line is reported and its weight shared in proportion; unweighted counts stay.
func TestWeightedEvaluation(t *testing.T) {
	t.Parallel()
	w := func(n, d int64) *Ratio { r := R(n, d); return &r }
	p := &Poll{ID: "p", Title: "加权测评", MinGroup: 3, Groups: []Group{
		{ID: "a", Name: "上级领导", Expected: 5, Weight: w(1, 5)},
		{ID: "b", Name: "班子成员", Expected: 5, Weight: w(3, 10)},
		{ID: "c", Name: "职工代表", Expected: 40, Weight: w(1, 2)},
	}, Forms: []Form{{Kind: KindEvaluation, Title: "测评", Evaluation: &Evaluation{Subjects: []Subject{{Name: "甲"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	g := func(group, grade string, n int) []PlainBallot {
		return many(n, PlainBallot{Group: group, Ballot: Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {grade}}}}}})
	}
	// 上级领导 3/3 优秀; 班子 2 优秀 + 2 不称职; 职工 1 称职 + 3 不称职 (each at least 3, the minimum)
	box := append(append(append(g("a", "优秀", 3), g("b", "优秀", 2)...), g("b", "不称职", 2)...), append(g("c", "称职", 1), g("c", "不称职", 3)...)...)
	s := Count(p, present(p), box).Forms[0].Evaluation.Subjects[0]
	// good: 1/5·1 + 3/10·1/2 + 1/2·1/4 = 16/80 + 12/80 + 10/80 = 19/40; unweighted 6/11
	if s.Weighted == nil || s.Weighted.Good != R(19, 40) || s.Good != R(6, 11) {
		t.Fatalf("weighted good %+v, unweighted %v", s.Weighted, s.Good)
	}
	// bad: 3/10·1/2 + 1/2·3/4 = 6/40 + 15/40 = 21/40 > 1/3 → dismiss on the weighted rate
	if s.Weighted.Bad != R(21, 40) || flagCodes(s) != "adjust,dismiss" || !strings.HasPrefix(s.Flags[0].Rule, "加权") {
		t.Fatalf("weighted bad %v flags %s", s.Weighted.Bad, flagCodes(s))
	}
	// 上级领导 absent: its 1/5 is shared 3:5 between the others.
	box = append(append(g("b", "优秀", 2), g("b", "不称职", 2)...), append(g("c", "称职", 1), g("c", "不称职", 3)...)...)
	s = Count(p, present(p), box).Forms[0].Evaluation.Subjects[0]
	ws := s.Weighted.Groups
	if !ws[0].Absent || ws[1].Effective != R(3, 8) || ws[2].Effective != R(5, 8) || s.Weighted.Good != R(11, 32) {
		t.Fatalf("redistribution %+v good %v", ws, s.Weighted.Good)
	}
}

func TestWeightsValidate(t *testing.T) {
	t.Parallel()
	w := func(n, d int64) *Ratio { r := R(n, d); return &r }
	for name, gs := range map[string][]Group{
		"sum not 1":   {{Name: "a", Expected: 1, Weight: w(1, 2)}, {Name: "b", Expected: 1, Weight: w(1, 3)}},
		"some unset":  {{Name: "a", Expected: 1, Weight: w(1, 1)}, {Name: "b", Expected: 1}},
		"zero weight": {{Name: "a", Expected: 1, Weight: w(0, 1)}, {Name: "b", Expected: 1, Weight: w(1, 1)}},
	} {
		p := evalPoll("张三")
		p.Groups = gs
		if err := p.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	groups, err := GroupsFromLines("主要领导 2 15%\n其它领导 5 0.2\n机关部门 30 0.65")
	if err != nil || *groups[0].Weight != R(3, 20) || *groups[2].Weight != R(13, 20) || groups[1].Expected != 5 {
		t.Fatalf("%+v %v", groups, err)
	}
	p := evalPoll("张三")
	p.Groups = groups
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A questionnaire counts as one form of a poll; a survey's blank answers need no
// confirmation (未答), its over-chosen answers are refused like an over-marked position.
func TestSurveyForm(t *testing.T) {
	t.Parallel()
	q, err := survey.FromText("[量表] 满意度\n\n[多选 1-2] 改进\n甲\n乙\n丙")
	if err != nil {
		t.Fatal(err)
	}
	p := pollWith(Form{Kind: KindSurvey, Title: "满意度测评", Survey: &Survey{Questionnaire: q}})
	b := cast(p, "g2", map[string][]string{"q2": {"甲", "乙", "丙"}}).Ballot
	sp, err := p.Check(&b)
	if err != nil || len(sp) != 1 || sp[0].Blank {
		t.Fatalf("%+v %v", sp, err)
	}
	box := []PlainBallot{cast(p, "g2", map[string][]string{"q1": {"满意"}}), cast(p, "g1", map[string][]string{"q1": {"不满意"}, "q2": {"甲"}}), {Group: "g2", Ballot: b}}
	st := Count(p, present(p), box).Forms[0].Survey
	if st.Questions[0].Counts.Good != 1 || st.Questions[0].Counts.Answered != 2 || st.Questions[1].Counts.Invalid != 1 {
		t.Fatalf("%+v", st.Questions)
	}
	if R(15, 2).Decimal() != "7.50" || R(2, 3).Decimal() != "0.67" {
		t.Fatal("Decimal")
	}
}

// RULES: 述职述廉 — mean, weighted mean, and the trimmed mean (去掉一个最高分和一个最低分)
// once there are 5 scores; 未评 is not counted; a partly scored subject is invalid. The
// form takes tenths of a point.
func TestScoring(t *testing.T) {
	t.Parallel()
	p := pollWith(Form{Kind: KindScoring, Title: "述职述廉测评", Scoring: &Scoring{Subjects: []Subject{{Name: "甲"}, {Name: "乙"}}, Step: 1}})
	sc := func(a, b string) PlainBallot {
		l := map[string][]string{}
		if a != "" {
			l["s1"] = []string{a}
		}
		if b != "" {
			l["s2"] = []string{b}
		}
		return cast(p, "g2", l)
	}
	for _, bad := range []string{"101", "-1", "90.55", "九十", "90."} {
		b := sc(bad, "").Ballot
		if _, err := p.Check(&b); ErrorCode(err) != EINVALID {
			t.Errorf("score %q accepted", bad)
		}
	}
	box := []PlainBallot{sc("90", "80"), sc("85.5", ""), sc("70", "60"), sc("100", "90")}
	s := Count(p, present(p), box).Forms[0].Scoring.Subjects
	if s[0].Mean.Decimal() != "86.38" || s[0].Trimmed != nil || s[1].Blank != 1 || s[1].Mean != R(2300, 30) || s[0].Rank != 1 || s[1].Rank != 2 {
		t.Fatalf("%+v", s)
	}
	box = append(box, sc("60", ""))
	s = Count(p, present(p), box).Forms[0].Scoring.Subjects
	// 60 70 85.5 90 100 → drop 60 and 100 → (70+85.5+90)/3 = 81.83
	if s[0].Trimmed == nil || s[0].Trimmed.Decimal() != "81.83" || s[0].Scored != 5 {
		t.Fatalf("trimmed %+v", s[0])
	}
	// Indicators: 德能勤绩廉 of 20 each; a subject scored on some only is invalid.
	p = pollWith(Form{Kind: KindScoring, Title: "分项测评", Scoring: &Scoring{Subjects: []Subject{{Name: "甲"}},
		Indicators: []Indicator{{Name: "德", Max: 20}, {Name: "能", Max: 20}, {Name: "勤", Max: 20}, {Name: "绩", Max: 20}, {Name: "廉", Max: 20}}}})
	full := cast(p, "g1", map[string][]string{"s1/i1": {"18"}, "s1/i2": {"17"}, "s1/i3": {"19"}, "s1/i4": {"16"}, "s1/i5": {"20"}})
	part := cast(p, "g1", map[string][]string{"s1/i1": {"18"}})
	if sp, err := p.Check(&part.Ballot); err != nil || len(sp) != 1 || sp[0].Blank {
		t.Fatalf("partial: %+v %v", sp, err)
	}
	over := cast(p, "g1", map[string][]string{"s1/i1": {"21"}})
	if _, err := p.Check(&over.Ballot); ErrorCode(err) != EINVALID {
		t.Fatal("21 of 20 accepted")
	}
	ss := Count(p, present(p), []PlainBallot{full, part}).Forms[0].Scoring
	if ss.FullMarks != 100 || ss.Subjects[0].Mean != R(900, 10) || ss.Subjects[0].Invalid != 1 || ss.Subjects[0].IndicatorMeans[4] != R(200, 10) {
		t.Fatalf("%+v", ss.Subjects[0])
	}
}

func TestListsFromRows(t *testing.T) {
	t.Parallel()
	subs, err := SubjectsFromRows([][]string{{"姓名", "职务"}, {"张 三", "局长"}, {}, {" 李四 ", ""}})
	if err != nil || len(subs) != 2 || subs[0].Name != "张三" || SubjectsText(subs) != "张三 局长\n李四" {
		t.Fatalf("%+v %v", subs, err)
	}
	for rows, want := range map[*[][]string]string{
		{{"姓名", "职务"}, {"张三", "局长"}, {"", "副局长"}}: "第 3 行：姓名为空",
		{{"张三", "局长"}, {"李四", ""}, {"张三", "局长"}}:  "第 3 行：与第 1 行重复",
		{{"姓名"}}: "表格中没有名单",
	} {
		if _, err := SubjectsFromRows(*rows); !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%v: %v, want %q", *rows, err, want)
		}
	}
	ps, err := PositionsFromRows([][]string{{"职位", "应推荐人数", "姓名", "职务"}, {"副局长", "2", "张三", "主任"}, {"", "", "李四", ""}, {"纪检组长", "1人", "", ""}})
	if err != nil || len(ps) != 2 || len(ps[0].Candidates) != 2 || ps[1].Seats != 1 || PositionsText(ps) != "副局长 2\n张三 主任\n李四\n\n纪检组长 1" {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := PositionsFromRows([][]string{{"副局长", "两", "张三"}}); !strings.Contains(ErrorMessage(err), "第 1 行：职位“副局长”的应推荐人数“两”不是正整数") {
		t.Fatal(err)
	}
	back, err := PositionsFromText(PositionsText(ps))
	if err != nil || len(back) != 2 || back[0].Candidates[1].Name != "李四" {
		t.Fatalf("round trip %+v %v", back, err)
	}
}

// RULES: 二次推荐 — round 2 takes each position's shortlist of round 1, ties included,
// write-ins too, in order of votes.
func TestNextRound(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(1, "甲", "乙", "丙", "丁", "戊"))
	vote := func(c string, n int) []PlainBallot { return many(n, cast(p, "g2", map[string][]string{"p1": {c}})) }
	box := append(vote("c2", 5), append(vote("c1", 3), append(vote("c3", 2), append(vote("c4", 2), vote("+己", 4)...)...)...)...)
	rt := Count(p, present(p), box).Forms[0].Recommendation
	next := p.Forms[0].Recommendation.NextRound(rt)
	var names []string
	for _, c := range next[0].Candidates {
		names = append(names, c.Name)
	}
	if strings.Join(names, " ") != "乙 己 甲" || next[0].Seats != 1 || !next[0].WriteIns {
		t.Fatalf("%+v", next)
	}
}

// RULES: 工作互评 — a voter never evaluates own unit: the line must be absent, is not blank,
// and the unit's own group counts nothing for it.
func TestMutualEvaluation(t *testing.T) {
	t.Parallel()
	p := &Poll{ID: "p", Title: "工作互评", Groups: []Group{{ID: "a", Name: "办公室", Unit: "办公室", Expected: 5}, {ID: "b", Name: "财务科", Unit: "财务科", Expected: 5}},
		Forms: []Form{{Kind: KindEvaluation, Title: "互评表", Evaluation: &Evaluation{Grades: TeamGrades(), Subjects: []Subject{{Name: "办公室", Unit: "办公室"}, {Name: "财务科", Unit: "财务科"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	office := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s2": {"好"}}}}}
	if sp, err := p.CheckGroup("a", &office); err != nil || len(sp) != 0 {
		t.Fatalf("office rates finance only: %+v %v", sp, err)
	}
	self := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {"好"}, "s2": {"好"}}}}}
	if _, err := p.CheckGroup("a", &self); ErrorCode(err) != EINVALID {
		t.Fatalf("rating own unit: %v", err)
	}
	finance := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {"差"}}}}}
	p.MinGroup = 3
	box := append(many(3, PlainBallot{Group: "a", Ballot: office}), many(4, PlainBallot{Group: "b", Ballot: finance})...)
	tl := Count(p, present(p), box)
	s1, s2 := tl.Forms[0].Evaluation.Subjects[0], tl.Forms[0].Evaluation.Subjects[1]
	if s1.Total.Valid != 4 || s1.Total.Invalid != 0 || s1.ByGroup[0].Valid != 0 || s2.Total.Valid != 3 || s2.ByGroup[1].Valid != 0 {
		t.Fatalf("%+v\n%+v", s1, s2)
	}
}

// RULES: indicators split a subject into 德能勤绩廉 graded on their own beside the overall
// grade; score conversion 好/较好/一般/差 = 1/.8/.6/.4 of each item's points gives 0–100.
func TestEvaluationIndicatorsAndScore(t *testing.T) {
	t.Parallel()
	e := &Evaluation{Grades: TeamGrades(), Points: DefaultPoints(), Subjects: []Subject{{Name: "班子"}},
		Indicators: []Indicator{{Name: "思想政治建设", Max: 25}, {Name: "领导水平", Max: 25}, {Name: "工作实绩", Max: 25}, {Name: "反腐倡廉", Max: 25}}}
	p := pollWith(Form{Kind: KindEvaluation, Title: "班子测评", Evaluation: e})
	full := cast(p, "g2", map[string][]string{"s1": {"好"}, "s1/i1": {"好"}, "s1/i2": {"较好"}, "s1/i3": {"一般"}, "s1/i4": {"差"}})
	part := cast(p, "g2", map[string][]string{"s1": {"较好"}, "s1/i1": {"好"}, "s1/i2": {"好"}, "s1/i3": {"好"}})
	if sp, err := p.Check(&part.Ballot); err != nil || len(sp) != 1 || sp[0].Line != "s1/i4" || !sp[0].Blank {
		t.Fatalf("blank indicator: %+v %v", sp, err)
	}
	s := Count(p, present(p), []PlainBallot{full, part}).Forms[0].Evaluation.Subjects[0]
	// items: i1 (好,好) 25; i2 (较好,好) 25·.9 = 22.5; i3 (一般,好) 20; i4 (差 + invalid) 10 → 77.5
	if s.Score == nil || *s.Score != R(155, 2) || s.Indicators[3].Counts.Invalid != 1 || s.Indicators[1].Good != R(2, 2) || s.Total.Valid != 2 {
		t.Fatalf("score %v %+v", s.Score, s.Indicators)
	}
	// Without indicators the overall grade is one item of 100.
	p = pollWith(Form{Kind: KindEvaluation, Title: "测评", Evaluation: &Evaluation{Points: DefaultPoints(), Subjects: []Subject{{Name: "甲"}}}})
	s = Count(p, present(p), []PlainBallot{cast(p, "g2", map[string][]string{"s1": {"优秀"}}), cast(p, "g2", map[string][]string{"s1": {"基本称职"}})}).Forms[0].Evaluation.Subjects[0]
	if *s.Score != R(80, 1) {
		t.Fatalf("score %v", s.Score)
	}
}

// present is a full turnout: every group's expected voters came, so the quorum holds and
// the rules under test draw their conclusions.
func present(p *Poll) []Turnout {
	var out []Turnout
	for _, g := range p.Groups {
		out = append(out, Turnout{Group: g.ID, Issued: g.Expected, Used: g.Expected})
	}
	return out
}
