package ballot

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"minyi/i18n"
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
		// the survey's own format, so the message is said again in the reader's language
		return &Error{Code: EINVALID, Message: se.Message, Format: se.Format, Args: se.Args}
	}
	return err
}

func (s *Survey) normalize() { s.Questionnaire.Normalize() }

func (s *Survey) validate() error {
	if err := s.Questionnaire.Validate(); err != nil {
		return surveyError(err)
	}
	for _, q := range s.Questions {
		if err := checkIDs(i18n.N("题目"), q.ID); err != nil {
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
			clean, err := CleanText(fieldf("“%s”的回答", q.Title), a, TextPara)
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
		out = append(out, Spoilt{Line: i.Key, Label: i.Label, Reason: i.Reason, Format: i.Format, Args: i.Args})
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

// As cells. A single-choice, scale or matrix line is one cell per option, one at most; a
// multiple-choice line one per option and one for a line left unanswered (its answered
// lines are then the rest), at most its Max; a rating one per value 0–10; a free answer
// one cell saying it was answered, its text sealed apart. An invalid line sets its
// invalid cell only.

func (s *Survey) layout(b *layoutBuilder) {
	for _, q := range s.Questions {
		switch q.Kind {
		case survey.Matrix:
			for r := range q.Rows {
				b.line(survey.RowKey(q.ID, r), q.Options, 1)
			}
		case survey.Multiple:
			b.line(q.ID, append(append([]string(nil), q.Options...), BlankLabel), max(q.Max, 1))
		case survey.Rating:
			b.line(q.ID, ratingMarks, 1)
		case survey.Text:
			b.line(q.ID, []string{"已答"}, 1)
		default:
			b.line(q.ID, q.Options, 1)
		}
	}
}

func (s *Survey) marks(ff *FilledForm, spoilt func(string) bool, m *marker) {
	one := func(key string, options []string) {
		a := ff.Lines[key]
		switch {
		case spoilt(key):
			m.void(key)
		case len(a) > 0:
			m.mark(key, indexOf(options, a[0]))
		}
	}
	for _, q := range s.Questions {
		a := ff.Lines[q.ID]
		switch q.Kind {
		case survey.Matrix:
			for r := range q.Rows {
				one(survey.RowKey(q.ID, r), q.Options)
			}
		case survey.Multiple:
			switch {
			case spoilt(q.ID):
				m.void(q.ID)
			case len(a) == 0:
				m.mark(q.ID, len(q.Options))
			}
			for _, o := range a {
				if !spoilt(q.ID) {
					m.mark(q.ID, indexOf(q.Options, o))
				}
			}
		case survey.Rating:
			one(q.ID, ratingMarks)
		case survey.Text:
			t := ""
			if len(a) == 1 {
				t = strings.TrimSpace(a[0])
			}
			if t != "" && !spoilt(q.ID) {
				m.mark(q.ID, 0)
				m.text(q.ID, t, false)
			}
		default:
			one(q.ID, q.Options)
		}
	}
}

func (s *Survey) textSlots() []TextSlot {
	var out []TextSlot
	for _, q := range s.Questions {
		if q.Kind == survey.Text {
			out = append(out, TextSlot{Line: q.ID, Count: 1, Size: q.MaxLen * maxRuneUTF8})
		}
	}
	return out
}

// surveySums fills a questionnaire's tally, shaped by its own counter, from sums.
type surveySums struct {
	s *Survey
	t *survey.Tally
}

func (s *Survey) sumsCounter(groups []Group) sumsCounter {
	return &surveySums{s: s, t: s.NewCounter(len(groups)).Finish()}
}

// addCounts adds a line's option sums; answered is how many lines answered it.
func addCounts(c *survey.Counts, row int, opts []int, good, answered, blank, invalid int) {
	for k, v := range opts {
		c.Options[k] += v
		c.ByGroup[row][k] += v
		if k < good {
			c.Good += v
		}
	}
	c.Answered += answered
	c.Blank += blank
	c.Invalid += invalid
}

func (c *surveySums) addRow(row int, s rowSums) {
	for i, q := range c.s.Questions {
		qt := &c.t.Questions[i]
		inv := s.invalid(q.ID)
		opts := s.options(q.ID)
		switch q.Kind {
		case survey.Matrix:
			for r := range q.Rows {
				k := survey.RowKey(q.ID, r)
				o, bad := s.options(k), s.invalid(k)
				addCounts(&qt.Rows[r].Counts, row, o, q.Good, sum(o), s.n-sum(o)-bad, bad)
			}
		case survey.Multiple:
			blank := opts[len(q.Options)]
			addCounts(&qt.Counts, row, opts[:len(q.Options)], q.Good, s.n-blank-inv, blank, inv)
		case survey.Rating:
			addCounts(&qt.Counts, row, opts, 0, sum(opts), s.n-sum(opts)-inv, inv)
			for v, n := range opts {
				qt.Sum += v * n
			}
		case survey.Text:
			addCounts(&qt.Counts, row, nil, 0, opts[0], s.n-opts[0], 0)
		default:
			addCounts(&qt.Counts, row, opts, q.Good, sum(opts), s.n-sum(opts)-inv, inv)
		}
	}
}

func (c *surveySums) addText(_ int, t Text) bool {
	for i, q := range c.s.Questions {
		if q.ID == t.Line && q.Kind == survey.Text {
			c.t.Questions[i].Texts = append(c.t.Questions[i].Texts, t.Text)
			return true
		}
	}
	return false
}

func (c *surveySums) finish(ft *FormTally) {
	for i := range c.t.Questions {
		qt := &c.t.Questions[i]
		sort.Strings(qt.Texts)
		if qt.Kind == survey.Rating {
			qt.Hist = qt.Counts.Options
		}
	}
	ft.Survey = c.t
}
