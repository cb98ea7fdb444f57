package server

import (
	"strconv"
	"time"

	"minyi/ballot"
	"minyi/i18n"
)

// scoreSteps are the steps the builder offers, coarsest first.
var scoreSteps = []struct{ Value, Label string }{{"10", i18n.N("1分（整数）")}, {"5", i18n.N("0.5分")}, {"2", i18n.N("0.2分")}, {"1", i18n.N("0.1分")}}

// keyHolders are the builder's choices of who holds the key.
var keyHolders = []struct{ Value, Label, Hint string }{
	{ballot.KeyOrganizer, ballot.KeyHolderLabel(ballot.KeyOrganizer), i18n.N("开始投票前在您本人的手机或电脑上生成密钥并保存备份，开箱时用它")},
	{ballot.KeyTellers, i18n.N("监票人（共同开箱）"), i18n.N("在上面填写监票人，开箱须其中若干位在各自的设备上共同完成")},
	{ballot.KeyServer, ballot.KeyHolderLabel(ballot.KeyServer), i18n.N("服务器可以解开任何一张选票；只适用于全部为问卷的投票活动，选票页和各类文件都将注明")},
}

// ruleForm is the section as far as the rules' wording goes: its grades and thresholds,
// the defaults standing in for a threshold that does not parse (that one is refused on
// saving, with its name).
func (f builderForm) ruleForm() ballot.Form {
	r := func(v string, def ballot.Ratio) ballot.Ratio {
		if x, err := ballot.ParseWeight(v); err == nil && x.Valid() {
			return x
		}
		return def
	}
	grades, ok := ballot.GradeSet(f.Grades)
	if !ok {
		grades = ballot.IndividualGrades()
	}
	return ballot.Form{Kind: f.Kind, Evaluation: &ballot.Evaluation{Grades: grades, Probation: f.Probation,
		AdjustBelow: r(f.Adjust, ballot.DefaultAdjustBelow), DismissAbove: r(f.Dismiss, ballot.DefaultDismissAbove), ProbationAbove: r(f.ProbationT, ballot.DefaultProbationAbove)}}
}

// Rule is an evaluation rule's sentence as this section sets it, worded by ballot.
func (f builderForm) Rule(code string) string {
	rf := f.ruleForm()
	return rf.RuleText(code)
}

// GoodLabel and BadLabel name the chosen grade set's good and bad grades (「好和较好」).
func (f builderForm) GoodLabel() string { return f.ruleForm().Evaluation.GoodLabel() }

// BadLabel is "" for a grade set without a bad grade (teams).
func (f builderForm) BadLabel() string { return f.ruleForm().Evaluation.BadLabel() }

// thresholds are a section's thresholds as read from the builder.
type thresholds struct {
	Adjust, Dismiss, Probation ballot.Ratio // evaluation: 建议调整, 建议免职, 不宜正式任职
	FlagBelow, SecondRound     ballot.Ratio // recommendation: 得票未过半, 建议二次推荐
	PassOver                   ballot.Ratio // approval: 通过
	DisagreeAbove              ballot.Ratio // review: 不认同率
}

// thresholds reads the typed thresholds; a bad one names itself.
func (f builderForm) thresholds() (thresholds, error) {
	var th thresholds
	for _, t := range []struct {
		name, v string
		dst     *ballot.Ratio
	}{{i18n.N("建议调整"), f.Adjust, &th.Adjust}, {i18n.N("建议免职"), f.Dismiss, &th.Dismiss}, {i18n.N("不宜正式任职"), f.ProbationT, &th.Probation},
		{i18n.N("得票未过半"), f.FlagBelow, &th.FlagBelow}, {i18n.N("建议二次推荐"), f.SecondRound, &th.SecondRound}, {i18n.N("通过"), f.PassOver, &th.PassOver},
		{i18n.N("不认同率"), f.DisagreeAbove, &th.DisagreeAbove}} {
		r, err := ballot.ParseWeight(t.v)
		if err != nil {
			return th, ballot.Errorf(ballot.EINVALID, "“%s”的阈值“%s”应写成分数（如2/3）、小数或百分数", t.name, t.v)
		}
		*t.dst = r
	}
	return th, nil
}

var quorums = []struct{ Value, Label string }{
	{"2/3", i18n.N("三分之二（默认）")}, {"1/2", i18n.N("二分之一")}, {"3/4", i18n.N("四分之三")}, {"4/5", i18n.N("五分之四")},
}

// addable are the kinds of section a builder can add.
var addable = []ballot.Kind{ballot.KindRecommendation, ballot.KindEvaluation, ballot.KindReview, ballot.KindApproval, ballot.KindScoring, ballot.KindSurvey}

// YearHint is the year the builder proposes for the title as typed now.
func (b builder) YearHint() int { return ballot.AssessmentYear(b.Title, time.Now()) }

// YearText is YearHint as a sentence shows it: a year is not a number to group (2,026).
func (b builder) YearText() string { return strconv.Itoa(b.YearHint()) }
