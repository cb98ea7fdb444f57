package server

import (
	"strconv"
	"strings"

	"minyi/ballot"
	"minyi/survey"
)

func (bf builderForm) form() (ballot.Form, error) {
	f := ballot.Form{Kind: bf.Kind, Title: bf.Title}
	bf.defaults()
	th, err := bf.thresholds()
	if err != nil {
		return f, err
	}
	switch bf.Kind {
	case ballot.KindEvaluation:
		subjects, err := ballot.SubjectsFromLines(bf.Subjects)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "测评对象%s", ballot.Cause{Err: err})
		}
		grades, ok := ballot.GradeSet(bf.Grades)
		if !ok {
			return f, ballot.Errorf(ballot.EINVALID, "测评等次请从列表中选择")
		}
		if bf.Mutual {
			for i := range subjects {
				subjects[i].Unit = subjects[i].Name
			}
		}
		indicators, err := ballot.IndicatorsFromText(bf.Indicators)
		if err != nil {
			return f, err
		}
		f.Evaluation = &ballot.Evaluation{Subjects: subjects, Grades: grades, Probation: bf.Probation, Indicators: indicators,
			AdjustBelow: th.Adjust, DismissAbove: th.Dismiss, ProbationAbove: th.Probation}
		if bf.Score {
			if len(grades) != len(ballot.DefaultPoints()) {
				return f, ballot.Errorf(ballot.EINVALID, "折算分数需要四个等次")
			}
			f.Evaluation.Points = ballot.DefaultPoints()
		}
	case ballot.KindRecommendation:
		positions, err := ballot.PositionsFromText(bf.Positions)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "推荐职位%s", ballot.Cause{Err: err})
		}
		for i := range positions {
			positions[i].WriteIns = bf.WriteIns
		}
		n, err := strconv.Atoi(strings.TrimSpace(bf.Shortlist))
		if err != nil || n < 1 {
			return f, ballot.Errorf(ballot.EINVALID, "进入差额考察的人数应为正整数")
		}
		f.Recommendation = &ballot.Recommendation{Shape: bf.Shape, Positions: positions, FlagBelow: th.FlagBelow, Shortlist: n, SecondRoundBelow: th.SecondRound}
	case ballot.KindApproval:
		nominees, err := ballot.CandidatesFromLines(bf.Nominees)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "表决对象%s", ballot.Cause{Err: err})
		}
		seats, err := strconv.Atoi(strings.TrimSpace(bf.Seats))
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "应选人数请填写整数（逐一表决填0）")
		}
		f.Approval = &ballot.Approval{Nominees: nominees, Seats: seats, PassOver: th.PassOver, PassBase: bf.PassBase}
	case ballot.KindReview:
		cadres, err := ballot.SubjectsFromLines(bf.Cadres)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "评议干部%s", ballot.Cause{Err: err})
		}
		f.Review = &ballot.Review{Overall: bf.Overall, Cadres: cadres, DisagreeAbove: th.DisagreeAbove}
	case ballot.KindScoring:
		subjects, err := ballot.SubjectsFromLines(bf.Subjects)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "打分对象%s", ballot.Cause{Err: err})
		}
		indicators, err := ballot.IndicatorsFromText(bf.Indicators)
		if err != nil {
			return f, err
		}
		step, err := strconv.Atoi(strings.TrimSpace(bf.Step))
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "分数的最小单位请从列表中选择")
		}
		f.Scoring = &ballot.Scoring{Subjects: subjects, Indicators: indicators, Step: step}
	case ballot.KindSurvey:
		q, err := survey.FromText(bf.Questions)
		if err != nil {
			return f, ballot.Errorf(ballot.EINVALID, "问卷%s", err) // the survey's error says itself in the reader's language
		}
		f.Survey = &ballot.Survey{Questionnaire: q}
	default:
		return f, ballot.Errorf(ballot.EINVALID, "不支持的表类型“%s”", bf.Kind)
	}
	return f, nil
}
