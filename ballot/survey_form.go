package ballot

import (
	"errors"
	"strconv"

	"minyi/survey"
)

// Survey is a questionnaire as one form of a poll (满意度测评 / 问卷). The questions, their
// rules and their aggregation live in package survey; this adapts them to a poll.
type Survey struct {
	survey.Questionnaire
}

// KindSurvey is 问卷 / 满意度测评.
const KindSurvey Kind = "survey"

func surveyError(err error) error {
	var se *survey.Error
	if errors.As(err, &se) {
		return Errorf(EINVALID, "%s", se.Message)
	}
	return err
}

func (s *Survey) normalize() { s.Questionnaire.Normalize() }

func (s *Survey) validate() error {
	if err := s.Questionnaire.Validate(); err != nil {
		return surveyError(err)
	}
	for _, q := range s.Questions {
		if err := checkIDs("题目", q.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Survey) check(ff *FilledForm) ([]Spoilt, error) {
	// Free answers are cleaned here, at the door, before their length is judged and
	// they are sealed.
	for _, q := range s.Questions {
		switch q.Kind {
		case survey.Rating:
			if err := canonicalRatings(ff.Lines, q); err != nil {
				return nil, err
			}
			continue
		case survey.Text:
		default:
			continue
		}
		answers := ff.Lines[q.ID]
		// One box takes one answer; more would make a ballot longer than any bound.
		if len(answers) > 1 {
			return nil, Errorf(EINVALID, "“%s”只能填写一个回答", q.Title)
		}
		for i, a := range answers {
			clean, err := CleanText("“"+q.Title+"”的回答", a, TextPara)
			if err != nil {
				return nil, err
			}
			answers = setMark(ff.Lines, q.ID, answers, i, clean)
		}
	}
	inv, err := s.Check(ff.Lines)
	if err != nil {
		return nil, surveyError(err)
	}
	var out []Spoilt
	for _, i := range inv {
		out = append(out, Spoilt{Line: i.Key, Label: i.Label, Reason: i.Reason})
	}
	return out, nil
}

// canonicalRatings keeps each rating in one spelling ("7", not "07" or "+7") and refuses
// the same rating marked twice, as an option marked twice is refused. What is not a
// rating is left for the questionnaire's own check to refuse.
func canonicalRatings(lines map[string][]string, q survey.Question) error {
	answers := lines[q.ID]
	seen := map[int]bool{}
	for i, a := range answers {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 || n > survey.RatingMax {
			continue
		}
		if seen[n] {
			return Errorf(EINVALID, "“%s”的评分%d被重复选择", q.Title, n)
		}
		seen[n] = true
		answers = setMark(lines, q.ID, answers, i, strconv.Itoa(n))
	}
	return nil
}

type surveyCounter struct{ c *survey.Counter }

func (s *Survey) counter(groups []Group) formCounter {
	return &surveyCounter{c: s.NewCounter(len(groups))}
}

func (c *surveyCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	c.c.Add(group, ff.Lines, spoilt)
}

func (c *surveyCounter) finish(ft *FormTally) { ft.Survey = c.c.Finish() }
