package ballot

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func evalForm(grades []Grade, adjust, dismiss Ratio) Form {
	return Form{Kind: KindEvaluation, Title: "测评表", Evaluation: &Evaluation{Grades: grades, AdjustBelow: adjust, DismissAbove: dismiss,
		Subjects: []Subject{{Name: "领导班子"}}}}
}

// The rule sentences come from the form: its own grade names and its own thresholds.
func TestRuleTextFromTheForm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		form Form
		code string
		want string
	}{
		{"individuals", evalForm(IndividualGrades(), R(2, 3), R(1, 3)), RuleAdjust, "优秀和称职票未达到三分之二"},
		{"individuals dismiss", evalForm(IndividualGrades(), R(2, 3), R(1, 3)), RuleDismiss, "不称职票超过三分之一"},
		{"team", evalForm(TeamGrades(), R(2, 3), R(1, 3)), RuleAdjust, "好和较好票未达到三分之二"},
		{"team 3/4", evalForm(TeamGrades(), R(3, 4), R(1, 3)), RuleAdjust, "好和较好票未达到四分之三"},
		{"team, no bad grade", evalForm(TeamGrades(), R(3, 4), R(1, 3)), RuleDismiss, ""},
		{"team alt", evalForm(TeamGradesAlt(), R(6, 10), R(1, 3)), RuleAdjust, "优秀和良好票未达到五分之三"},
		{"individuals 1/4", evalForm(IndividualGrades(), R(2, 3), R(1, 4)), RuleDismiss, "不称职票超过四分之一"},
		{"three good grades", evalForm([]Grade{{Label: "优秀", Good: true}, {Label: "良好", Good: true}, {Label: "较好", Good: true}, {Label: "差", Bad: true}}, R(7, 10), R(1, 3)), RuleAdjust, "优秀、良好和较好票未达到70%"},
		{"probation", Form{Kind: KindEvaluation, Evaluation: &Evaluation{Grades: IndividualGrades(), Probation: true, ProbationAbove: R(3, 4)}}, RuleProbation, "试用期满测评优秀和称职票未超过四分之三"},
		{"recommendation", Form{Kind: KindRecommendation, Recommendation: &Recommendation{FlagBelow: R(1, 2), SecondRoundBelow: R(3, 10)}}, RuleBelowHalf, "得票率低于二分之一，一般不列为考察对象"},
		{"second round", Form{Kind: KindRecommendation, Recommendation: &Recommendation{FlagBelow: R(1, 2), SecondRoundBelow: R(3, 10)}}, RuleSecondRound, "最高得票率低于30%，推荐票分散"},
		{"approval", Form{Kind: KindApproval, Approval: &Approval{PassOver: R(2, 3), PassBase: BaseTurnout}}, RulePass, "同意票超过实到人数的三分之二"},
		{"odd fraction", Form{Kind: KindApproval, Approval: &Approval{PassOver: R(7, 13), PassBase: BaseExpected}}, RulePass, "同意票超过应到人数的7/13"},
	} {
		if got := c.form.RuleText(c.code); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The flags of a counted team carry the form's wording, and the tally lists the rules
// the form applies, so the tally page and the exports print the form's words.
func TestTeamFlagsWordedFromTheForm(t *testing.T) {
	t.Parallel()
	p := pollWith(evalForm(TeamGrades(), R(3, 4), R(1, 3)))
	s1 := p.Forms[0].Evaluation.Subjects[0].ID
	box := append(many(2, cast(p, "g2", map[string][]string{s1: {"好"}})), cast(p, "g2", map[string][]string{s1: {"一般"}}))
	et := Count(p, present(p), box).Forms[0].Evaluation
	f := et.Subjects[0].Flags
	if len(f) != 1 || f[0].Code != RuleAdjust || f[0].Rule != "好和较好票未达到四分之三" {
		t.Fatalf("flags %+v", f)
	}
	if et.GoodLabel != "好和较好" || et.BadLabel != "" || len(et.Rules) != 1 || et.Rules[0].Rule != "好和较好票未达到四分之三" {
		t.Fatalf("labels %q %q rules %+v", et.GoodLabel, et.BadLabel, et.Rules)
	}
	for _, fl := range append(f, et.Rules...) {
		if strings.Contains(fl.Rule, "优秀") || strings.Contains(fl.Rule, "称职") {
			t.Fatalf("a team's rule worded for individuals: %q", fl.Rule)
		}
	}
}

// RULES: quorum — below it, no line of any kind carries a positive conclusion (or any
// suggestion); each says 未达法定人数 and why, and the counts stay.
func TestBelowQuorumNoConclusion(t *testing.T) {
	t.Parallel()
	p := pollWith(
		evalForm(IndividualGrades(), R(2, 3), R(1, 3)),
		markForm(1, "张三", "李四"),
		approvalForm(1, "赵六", "钱七"),
		Form{Kind: KindReview, Title: "评议", Review: &Review{Overall: "总体评价", Cadres: []Subject{{Name: "孙八"}}}},
	)
	f := p.Forms
	b := PlainBallot{Group: "g2", Ballot: Ballot{Forms: []FilledForm{
		{Form: f[0].ID, Lines: map[string][]string{f[0].Evaluation.Subjects[0].ID: {"不称职"}}},
		{Form: f[1].ID, Lines: map[string][]string{f[1].Recommendation.Positions[0].ID: {f[1].Recommendation.Positions[0].Candidates[0].ID}}},
		{Form: f[2].ID, Lines: map[string][]string{f[2].Approval.Nominees[0].ID: {Agree}}},
		{Form: f[3].ID, Lines: map[string][]string{}},
	}}}
	// 应到 40, quorum 2/3 → 27 needed; 26 came, all for 张三 and 赵六: above quorum these
	// would be 进入差额考察 and 通过/当选.
	box := many(26, b)
	tl := Count(p, []Turnout{{Group: "g2", Used: 26}}, box)
	if tl.QuorumMet || !strings.Contains(strings.Join(tl.Notes, ";"), "未达法定人数，结果无效：实到 26 人，应到 40 人，须至少 27 人") {
		t.Fatalf("notes %q", tl.Notes)
	}
	var seen []Flag
	ev := tl.Forms[0].Evaluation.Subjects[0]
	seen = append(seen, ev.Flags...)
	if ev.Total.Votes[3] != 26 {
		t.Fatalf("counts must stay: %+v", ev.Total)
	}
	for _, pos := range tl.Forms[1].Recommendation.Positions {
		seen = append(seen, pos.Flags...)
		for _, c := range pos.Candidates {
			seen = append(seen, c.Flags...)
		}
	}
	for _, n := range tl.Forms[2].Approval.Nominees {
		if n.Passed || n.Elected {
			t.Errorf("%s passed %v elected %v below quorum", n.Name, n.Passed, n.Elected)
		}
		seen = append(seen, n.Flags...)
	}
	if tl.Forms[2].Approval.Nominees[0].Counts.Options[0].Total != 26 {
		t.Fatal("approval counts must stay")
	}
	for _, c := range tl.Forms[3].Review.Cadres {
		seen = append(seen, c.Flags...)
	}
	if len(seen) != 1+1+2+2+1 {
		t.Fatalf("every line says why: %d flags %+v", len(seen), seen)
	}
	for _, fl := range seen {
		if fl.Code != RuleNoQuorum || fl.Label != "未达法定人数" || !strings.Contains(fl.Rule, "实到 26 人，应到 40 人，须至少 27 人") || fl.Tone() == "positive" {
			t.Errorf("below quorum: %+v", fl)
		}
	}
	if got := (&Recommendation{}).NextRound(tl.Forms[1].Recommendation); len(got[0].Candidates) != 0 {
		t.Fatalf("no second round list from an invalid round: %+v", got)
	}

	// One more voter and the same box draws its conclusions.
	tl = Count(p, []Turnout{{Group: "g2", Used: 27}}, many(27, b))
	if !tl.QuorumMet || !tl.Forms[2].Approval.Nominees[0].Elected || flagsOf(tl.Forms[1].Recommendation.Positions[0].Candidates[0].Flags) != "shortlist" ||
		flagsOf(tl.Forms[0].Evaluation.Subjects[0].Flags) != "adjust,dismiss" {
		t.Fatalf("at quorum: %+v", tl.Forms)
	}
}

func readSigned(t *testing.T, name string) *Signed {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var s Signed
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// Bundles signed by the rules before this version (a team and a cadre, a recommendation
// and an approval, below and at quorum) still verify; a count changed in one of them and
// re-signed still fails the recount.
func TestOldBundlesStillVerify(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"bundle_v1_below_quorum.json", "bundle_v1_quorum.json"} {
		s := readSigned(t, name)
		checks, b := Verify(s, s.PublicKey)
		if !Verified(checks) {
			t.Fatalf("%s: failed %s %+v", name, failed(checks), checks)
		}
		if b.Tally.Rules != 0 {
			t.Fatalf("%s is not an old bundle", name)
		}
	}
	s := readSigned(t, "bundle_v1_quorum.json")
	var raw map[string]any
	json.Unmarshal(s.Bundle, &raw)
	forms := raw["tally"].(map[string]any)["forms"].([]any)
	cand := forms[2].(map[string]any)["recommendation"].(map[string]any)["positions"].([]any)[0].(map[string]any)["candidates"].([]any)[0].(map[string]any)
	cand["votes"].(map[string]any)["total"] = 99
	s.Bundle, _ = json.Marshal(raw)
	// re-signing needs the key, which the file does not hold: the signature check fails,
	// and nothing unsigned is recounted (TestOlderBundleVerifies re-signs one to show the
	// recount of an old bundle catches a changed count).
	checks, _ := Verify(s, s.PublicKey)
	if got := failed(checks); got != "签名" {
		t.Fatalf("a changed count in an old bundle: failed %q", got)
	}
}
