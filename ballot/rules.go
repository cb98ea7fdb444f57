package ballot

import (
	"fmt"
	"strings"
)

// Rule codes: each names one rule of RULES.md; the flag a rule raises carries the code.
const (
	RuleAdjust      = "adjust"       // 民主测评 建议调整
	RuleDismiss     = "dismiss"      // 民主测评 建议免职
	RuleProbation   = "probation"    // 试用期满 不宜正式任职
	RuleShortlist   = "shortlist"    // 民主推荐 进入差额考察
	RuleBelowHalf   = "below_half"   // 民主推荐 得票未过半
	RuleSecondRound = "second_round" // 民主推荐 建议二次推荐
	RulePass        = "passed"       // 表决 通过
	RuleDisagree    = "disagree"     // 一报告两评议 不认同率
	RuleNoQuorum    = "no_quorum"    // 未达法定人数
)

// RuleText is the sentence of a rule as this form sets it: the form's own grade names
// (好和较好 for a team, 优秀和称职 for individuals) and its own threshold, written the
// way the rules are written (三分之二, 四分之三). Every rule sentence the tally, the
// builder and the exports show comes from here, so a changed threshold or grade set
// changes every place at once. "" when the form has no such rule.
func (f *Form) RuleText(code string) string {
	switch {
	case f.Evaluation != nil:
		return f.Evaluation.ruleText(code, "")
	case f.Recommendation != nil:
		return f.Recommendation.ruleText(code)
	case f.Approval != nil:
		return f.Approval.ruleText(code)
	case f.Review != nil && code == RuleDisagree:
		return fmt.Sprintf(ruleDisagree, FractionText(f.Review.DisagreeAbove))
	}
	return ""
}

// ruleText of an evaluation; basis is "加权" when the rates are weighted, "" otherwise.
func (e *Evaluation) ruleText(code, basis string) string {
	// one format for each basis, so that a reader of another language is told the
	// whole sentence (see Say)
	pick := func(plain, weighted string) string {
		if basis == "加权" {
			return weighted
		}
		return plain
	}
	switch code {
	case RuleAdjust:
		return fmt.Sprintf(pick(ruleAdjust, ruleAdjustWeighted), e.GoodLabel(), FractionText(e.AdjustBelow))
	case RuleProbation:
		return fmt.Sprintf(pick(ruleProbation, ruleProbationWeight), e.GoodLabel(), FractionText(e.ProbationAbove))
	case RuleDismiss:
		if !e.hasBad() {
			return ""
		}
		return fmt.Sprintf(pick(ruleDismiss, ruleDismissWeighted), e.BadLabel(), FractionText(e.DismissAbove))
	}
	return ""
}

func (r *Recommendation) ruleText(code string) string {
	switch code {
	case RuleShortlist:
		return fmt.Sprintf(ruleShortlist, r.Shortlist)
	case RuleBelowHalf:
		return fmt.Sprintf(ruleBelowHalf, FractionText(r.FlagBelow))
	case RuleSecondRound:
		return fmt.Sprintf(ruleSecondRound, FractionText(r.SecondRoundBelow))
	}
	return ""
}

func (a *Approval) ruleText(code string) string {
	if code != RulePass {
		return ""
	}
	if a.PassBase == BaseTurnout {
		return fmt.Sprintf(rulePassTurnout, FractionText(a.PassOver))
	}
	return fmt.Sprintf(rulePassExpected, FractionText(a.PassOver))
}

// Rules lists the rules an evaluation applies, with their labels and sentences, for the
// tally's notes.
func (e *Evaluation) rules(basis string) []Flag {
	out := []Flag{{Code: RuleAdjust, Label: "建议调整", Rule: e.ruleText(RuleAdjust, basis), Threshold: e.AdjustBelow}}
	if e.Probation {
		out = append(out, Flag{Code: RuleProbation, Label: "不宜正式任职", Rule: e.ruleText(RuleProbation, basis), Threshold: e.ProbationAbove})
	}
	if e.hasBad() {
		out = append(out, Flag{Code: RuleDismiss, Label: "建议免职", Rule: e.ruleText(RuleDismiss, basis), Threshold: e.DismissAbove})
	}
	return out
}

// GoodLabel names the good grades as the rules do: 「优秀和称职」, 「好和较好」.
func (e *Evaluation) GoodLabel() string { return GradeLabel(e.Grades, true) }

// BadLabel names the bad grade: 「不称职」; "" when the set has none (teams).
func (e *Evaluation) BadLabel() string { return GradeLabel(e.Grades, false) }

// GradeLabel joins the good (or bad) grades' names: 「优秀和称职」, 「优秀、良好和较好」.
func GradeLabel(grades []Grade, good bool) string {
	var names []string
	for _, g := range grades {
		if good && g.Good || !good && g.Bad {
			names = append(names, g.Label)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], "、") + "和" + names[len(names)-1]
}

var cnDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// FractionText writes a threshold as the rules write it: 2/3 → 三分之二, 3/4 → 四分之三,
// 3/10 → 30%; a fraction with no short Chinese name stays as digits (7/13).
func FractionText(r Ratio) string {
	if r.Den <= 0 {
		return r.String()
	}
	n, d := r.Num, r.Den
	for g := gcd(n, d); g > 1; g = gcd(n, d) {
		n, d = n/g, d/g
	}
	switch {
	case n == d:
		return "全部"
	case n == 0:
		return "零"
	case d <= 9:
		return cnDigits[d] + "分之" + cnDigits[n]
	case 100%d == 0:
		return fmt.Sprintf("%d%%", n*(100/d))
	}
	return fmt.Sprintf("%d/%d", n, d)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

// Tone says whether a flag is good news for the person (positive), bad news (negative)
// or neither; pages and printouts mark the two apart by word and sign as well as colour,
// so they stay distinct in grey.
func (f Flag) Tone() string {
	switch f.Code {
	case RulePass, "elected", RuleShortlist:
		return "positive"
	case "not_passed", RuleBelowHalf, RuleAdjust, RuleDismiss, RuleProbation, RuleDisagree, "lowest", RuleSecondRound, RuleNoQuorum:
		return "negative"
	}
	return "neutral"
}

// Icon is the sign printed before a flag's label: ✓ for positive, ✗ for negative, ！ for
// a flag that asks for attention only (a tie, a write-in).
func (f Flag) Icon() string {
	switch f.Tone() {
	case "positive":
		return "✓"
	case "negative":
		return "✗"
	}
	return "！"
}
