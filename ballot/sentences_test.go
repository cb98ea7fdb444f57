package ballot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"minyi/i18n"
)

var hanRun = regexp.MustCompile(`[\p{Han}\x{3000}-\x{303F}\x{FF00}-\x{FFEF}“”‘’]+`)

// chineseLeft is the Chinese an English sentence still holds apart from the rules' terms
// (称职, 同意), which are shown beside their English on purpose.
func chineseLeft(s string) []string {
	var out []string
	for _, run := range hanRun.FindAllString(s, -1) {
		if !i18n.HasTerm(run) {
			out = append(out, run)
		}
	}
	return out
}

// sayAll checks that every sentence is read back into the format that wrote it (the
// format and its arguments print it again byte for byte) and that its English holds no
// Chinese but the rules' terms.
func sayAll(t *testing.T, what string, zh []string) {
	t.Helper()
	en := i18n.For(i18n.En)
	for _, s := range zh {
		format, args, ok := Read(s)
		if !ok {
			t.Errorf("%s: %q is read back by no format", what, s)
			continue
		}
		as := make([]any, len(args))
		for i, a := range args {
			as[i] = a
		}
		if again := fmt.Sprintf(strings.ReplaceAll(format, "%d", "%s"), as...); again != s {
			t.Errorf("%s: %q read as %q %q prints %q", what, s, format, args, again)
		}
		said := SayLabel(en, s)
		if left := chineseLeft(said); len(left) > 0 || said == s {
			t.Errorf("%s: %q in English is %q, still Chinese: %q", what, s, said, left)
		}
		if zh := Say(i18n.For(i18n.Zh), s); zh != s {
			t.Errorf("%s: Chinese reader gets %q, not the stored %q", what, zh, s)
		}
	}
}

func flagTexts(fs []Flag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
		if !i18n.HasTerm(f.Label) {
			out = append(out, f.Label)
		}
	}
	return out
}

// Every sentence a count writes (flags' rules and labels, the rules a form applies, the
// notes) is told to an English reader in English, whatever the form's grades and
// thresholds, above and below quorum; a Chinese reader gets the stored text unchanged.
func TestTallySentencesInEnglish(t *testing.T) {
	t.Parallel()
	three := []Grade{{Label: "优秀", Good: true}, {Label: "良好", Good: true}, {Label: "较好", Good: true}, {Label: "差", Bad: true}}
	ev := evalForm(IndividualGrades(), R(2, 3), R(1, 3))
	ev.Evaluation.Probation, ev.Evaluation.ProbationAbove = true, R(3, 4)
	ap := approvalForm(1, "赵六", "钱七")
	ap.Approval.PassBase = BaseTurnout
	var rules []string
	for _, f := range []Form{ev, evalForm(TeamGrades(), R(3, 4), R(1, 3)), evalForm(three, R(7, 10), R(1, 4)), markForm(2, "张三"),
		ap, approvalForm(0, "孙八"), {Kind: KindApproval, Approval: &Approval{PassOver: R(7, 13)}},
		{Kind: KindReview, Review: &Review{DisagreeAbove: R(1, 3)}}} {
		for _, code := range []string{RuleAdjust, RuleProbation, RuleDismiss, RuleShortlist, RuleBelowHalf, RuleSecondRound, RulePass, RuleDisagree} {
			if s := f.RuleText(code); s != "" {
				rules = append(rules, s)
			}
		}
	}
	if len(rules) < 15 {
		t.Fatalf("only %d rule sentences: %q", len(rules), rules)
	}
	sayAll(t, "rule", rules)

	p := pollWith(
		evalForm(IndividualGrades(), R(2, 3), R(1, 3)),
		markForm(1, "张三", "李四", "王五"),
		approvalForm(1, "赵六", "钱七"),
		Form{Kind: KindReview, Title: "评议", Review: &Review{Cadres: []Subject{{Name: "孙八"}, {Name: "周九"}}}},
	)
	f := p.Forms
	pos := f[1].Recommendation.Positions[0]
	ballot := func(grade, cand, agree, cadre string) PlainBallot {
		return PlainBallot{Group: "g2", Ballot: Ballot{Forms: []FilledForm{
			{Form: f[0].ID, Lines: map[string][]string{f[0].Evaluation.Subjects[0].ID: {grade}}},
			{Form: f[1].ID, Lines: map[string][]string{pos.ID: {cand}}},
			{Form: f[2].ID, Lines: map[string][]string{f[2].Approval.Nominees[0].ID: {agree}, f[2].Approval.Nominees[1].ID: {agree}}},
			{Form: f[3].ID, Lines: map[string][]string{f[3].Review.Cadres[0].ID: {"不认同"}, f[3].Review.Cadres[1].ID: {cadre}}},
		}}}
	}
	box := append(many(20, ballot("不称职", pos.Candidates[0].ID, Agree, "认同")), many(20, ballot("称职", pos.Candidates[1].ID, Agree, "不认同"))...)
	box = append(box, ballot("优秀", "+赵 六", Disagree, "认同"))
	for _, turnout := range [][]Turnout{present(p), {{Group: "g2", Used: 26}}} {
		tl := Count(p, turnout, box)
		var zh []string
		seen := map[string]bool{}
		for _, ft := range tl.Forms {
			if e := ft.Evaluation; e != nil {
				zh = append(zh, flagTexts(e.Rules)...)
				for _, s := range e.Subjects {
					zh = append(zh, flagTexts(s.Flags)...)
				}
			}
			if r := ft.Recommendation; r != nil {
				zh = append(zh, flagTexts(r.Rules)...)
				for _, p := range r.Positions {
					zh = append(zh, flagTexts(p.Flags)...)
					for _, c := range p.Candidates {
						zh = append(zh, flagTexts(c.Flags)...)
					}
				}
			}
			if a := ft.Approval; a != nil {
				zh = append(zh, a.Rule)
				for _, n := range a.Nominees {
					zh = append(zh, flagTexts(n.Flags)...)
				}
			}
			if r := ft.Review; r != nil {
				for _, c := range r.Cadres {
					zh = append(zh, flagTexts(c.Flags)...)
				}
			}
		}
		for _, s := range zh {
			seen[s] = true
		}
		zh = append(zh, tl.Notes...)
		sayAll(t, fmt.Sprintf("tally (quorum met %v)", tl.QuorumMet), zh)
		if tl.QuorumMet && len(seen) < 8 || len(tl.Notes) == 0 {
			t.Errorf("the tally has too few sentences to show anything: %v, notes %q", seen, tl.Notes)
		}
	}

	// A sentence no format wrote (a tally counted under older wording) stays as stored.
	en := i18n.For(i18n.En)
	for _, old := range []string{"优秀和称职票未达到某个比例", "与第二名得票相同", "得票率低于一半，一般不列为考察对象"} {
		if got := Say(en, old); got != old {
			t.Errorf("an unknown sentence %q is said as %q", old, got)
		}
	}
	// The English says the same rule: the same grades, the same threshold, the same number.
	for zh, want := range map[string]string{
		"不称职票超过四分之一":                            "不称职 / incompetent votes exceed one quarter",
		"加权好和较好票未达到四分之三":                        "Weighted 好和较好 / good and fairly good votes do not reach three quarters",
		"试用期满测评优秀和称职票未超过五分之三":                   "At the end-of-probation evaluation, 优秀和称职 / excellent and competent votes do not exceed three fifths",
		"得票率低于二分之一，一般不列为考察对象":                   "Vote share below one half; usually not taken up for inspection",
		"最高得票率低于30%，推荐票分散":                      "The highest vote share is below 30%; the votes are scattered",
		"同意票超过实到人数的三分之二":                        "Agree votes exceed two thirds of the voters who turned out",
		"同意票超过应到人数的7/13":                        "Agree votes exceed 7/13 of the expected voters",
		"得票数前3名":                                "Among the top 3 by votes",
		"与第2名同意票相同":                             "As many agree votes as the nominee in place 2",
		"未达法定人数，结果无效（实到 26 人，应到 40 人，须至少 27 人）": "Quorum not reached, the result is void (26 voted, 40 expected, at least 27 needed)",
		"需5名监票人中的3名共同开箱":                        "the box needs 3 of the 5 tellers together to open it",
	} {
		if got := Say(en, zh); got != want {
			t.Errorf("%q in English: %q, want %q", zh, got, want)
		}
	}
	if got, want := Say(en, "优秀和称职票未达到2/3"), "优秀和称职 / excellent and competent votes do not reach 2/3"; got != want {
		t.Errorf("an old bundle's sentence: %q, want %q", got, want)
	}
	if got, want := Say(en, "优秀、良好和较好票未达到70%"), "优秀 / excellent, 良好 / good and 较好 / fairly good votes do not reach 70%"; got != want {
		t.Errorf("three good grades: %q, want %q", got, want)
	}
}
