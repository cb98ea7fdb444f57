// Package survey holds questionnaires (满意度测评, 问卷): the question types, the rule that
// judges an answer, and the aggregation into counts, distributions and satisfaction rates
// (RULES: 满意度测评 / 问卷). It imports no other package of Minyi; ballot adapts a
// questionnaire as one form of a poll.
package survey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"minyi/i18n"
)

// Kind is a question type.
type Kind string

// Question types.
const (
	Single   Kind = "single"   // one option
	Multiple Kind = "multiple" // between Min and Max options
	Scale    Kind = "scale"    // one option of an ordered scale, best first (满意/基本满意/不满意)
	Rating   Kind = "rating"   // a whole number from 0 to 10
	Matrix   Kind = "matrix"   // one option of the scale for each row (德 indicators × scale)
	Text     Kind = "text"     // free text, capped
)

// Label is the type as organizers read it.
func (k Kind) Label() string {
	switch k {
	case Single:
		return i18n.N("单选")
	case Multiple:
		return i18n.N("多选")
	case Scale:
		return i18n.N("量表")
	case Rating:
		return i18n.N("评分")
	case Matrix:
		return i18n.N("矩阵")
	case Text:
		return i18n.N("填空")
	}
	return string(k)
}

// Question is one question of a questionnaire.
type Question struct {
	ID      string   `json:"id"`
	Kind    Kind     `json:"kind"`
	Title   string   `json:"title"`
	Options []string `json:"options,omitempty"` // single, multiple, scale; the columns of a matrix
	Rows    []string `json:"rows,omitempty"`    // matrix
	Min     int      `json:"min,omitempty"`     // multiple
	Max     int      `json:"max,omitempty"`     // multiple
	// Good is how many options from the top of a scale or matrix count as satisfied
	// (RULES: satisfaction rate = top two / answered; 003: 「好」+「较好」).
	Good   int `json:"good,omitempty"`
	MaxLen int `json:"max_len,omitempty"` // text
}

// Questionnaire is a list of questions.
type Questionnaire struct {
	Questions []Question `json:"questions"`
}

// Limits of a questionnaire.
const (
	MaxQuestions  = 100
	MaxOptions    = 20
	MaxRows       = 30
	DefaultMaxLen = 200
	MaxTextLen    = 1000
	RatingMax     = 10
)

// DefaultScale is the scale used when none is given.
var DefaultScale = []string{"满意", "基本满意", "不满意"}

// Error is a problem with a questionnaire or an answer, in words for the person who made it.
// Format and Args are what Message was made of, so that it can be said in another
// language (the format is its ID in the catalogue, as ballot.Error's).
type Error struct {
	Message string
	Format  string
	Args    []any
}

func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// Say is the problem in p's language; Chinese is its Message.
func (e *Error) Say(p *i18n.Printer) string {
	if p.Lang() == i18n.Zh || e.Format == "" {
		return e.Message
	}
	return p.T(e.Format, i18n.SayArgs(p, e.Args)...)
}

// cause is a problem given as an argument of another's message ("第%d行：%s"): it prints as
// its Chinese message and says itself in the reader's language.
type cause struct{ err *Error }

func (c cause) String() string { return c.err.Message }

func (c cause) Say(p *i18n.Printer) string { return c.err.Say(p) }

// ofQuestion are the sentences of Validate about one question, without the question's
// number, as a spreadsheet row's problem reads ("第 3 行：应有2到20个选项"): the row names
// the question already.
var ofQuestion = map[string]string{
	"第%d题的题目为空或过长（不超过200字）":              i18n.N("题目为空或过长（不超过200字）"),
	"第%d题的编号“%s”重复或无效":                   i18n.N("的编号“%s”重复或无效"),
	"第%d题应有2到%d个选项":                      i18n.N("应有2到%d个选项"),
	"第%d题的选项“%s”重复":                      i18n.N("的选项“%s”重复"),
	"第%d题的题型“%s”不受支持":                    i18n.N("的题型“%s”不受支持"),
	"第%d题的最少、最多选择数应满足 1 ≤ 最少 ≤ 最多 ≤ 选项数": i18n.N("的最少、最多选择数应满足 1 ≤ 最少 ≤ 最多 ≤ 选项数"),
	"第%d题计入满意的选项数应小于选项数":                 i18n.N("计入满意的选项数应小于选项数"),
	"第%d题的字数上限应在1到%d之间":                  i18n.N("的字数上限应在1到%d之间"),
	"第%d题（矩阵）应有1到%d个评价项目":                i18n.N("（矩阵）应有1到%d个评价项目"),
	"第%d题的评价项目“%s”重复":                    i18n.N("的评价项目“%s”重复"),
}

// rowProblem is a one-question questionnaire's problem without the question's number.
func rowProblem(err error) any {
	var e *Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	if f, ok := ofQuestion[e.Format]; ok && len(e.Args) > 0 {
		return cause{&Error{Message: fmt.Sprintf(f, e.Args[1:]...), Format: f, Args: e.Args[1:]}}
	}
	return cause{e}
}

// Normalize trims text and gives ids and defaults.
func (q *Questionnaire) Normalize() {
	for i := range q.Questions {
		x := &q.Questions[i]
		x.Title = strings.TrimSpace(x.Title)
		if x.ID == "" {
			x.ID = fmt.Sprintf("q%d", i+1)
		}
		for j := range x.Options {
			x.Options[j] = strings.TrimSpace(x.Options[j])
		}
		for j := range x.Rows {
			x.Rows[j] = strings.TrimSpace(x.Rows[j])
		}
		switch x.Kind {
		case Scale, Matrix:
			if len(x.Options) == 0 {
				x.Options = append([]string(nil), DefaultScale...)
			}
			if x.Good == 0 {
				x.Good = min(2, len(x.Options)-1)
			}
		case Multiple:
			if x.Max == 0 {
				x.Max = len(x.Options)
			}
			if x.Min == 0 {
				x.Min = 1
			}
		case Text:
			if x.MaxLen == 0 {
				x.MaxLen = DefaultMaxLen
			}
		}
	}
}

// Validate checks the questionnaire; messages name the question.
func (q *Questionnaire) Validate() error {
	if len(q.Questions) == 0 || len(q.Questions) > MaxQuestions {
		return errorf("问卷应有1到%d道题", MaxQuestions)
	}
	ids := map[string]bool{}
	for i, x := range q.Questions {
		n := i + 1
		if x.Title == "" || utf8.RuneCountInString(x.Title) > 200 {
			return errorf("第%d题的题目为空或过长（不超过200字）", n)
		}
		if ids[x.ID] || strings.ContainsAny(x.ID, "./") {
			return errorf("第%d题的编号“%s”重复或无效", n, x.ID)
		}
		ids[x.ID] = true
		switch x.Kind {
		case Single, Multiple, Scale, Matrix:
			if len(x.Options) < 2 || len(x.Options) > MaxOptions {
				return errorf("第%d题应有2到%d个选项", n, MaxOptions)
			}
			if d := duplicate(x.Options); d != "" {
				return errorf("第%d题的选项“%s”重复", n, d)
			}
		case Rating, Text:
		default:
			return errorf("第%d题的题型“%s”不受支持", n, x.Kind)
		}
		switch x.Kind {
		case Multiple:
			if x.Min < 1 || x.Max < x.Min || x.Max > len(x.Options) {
				return errorf("第%d题的最少、最多选择数应满足 1 ≤ 最少 ≤ 最多 ≤ 选项数", n)
			}
		case Scale, Matrix:
			if x.Good < 1 || x.Good >= len(x.Options) {
				return errorf("第%d题计入满意的选项数应小于选项数", n)
			}
		case Text:
			if x.MaxLen < 1 || x.MaxLen > MaxTextLen {
				return errorf("第%d题的字数上限应在1到%d之间", n, MaxTextLen)
			}
		}
		if x.Kind == Matrix {
			if len(x.Rows) == 0 || len(x.Rows) > MaxRows {
				return errorf("第%d题（矩阵）应有1到%d个评价项目", n, MaxRows)
			}
			if d := duplicate(x.Rows); d != "" {
				return errorf("第%d题的评价项目“%s”重复", n, d)
			}
		}
	}
	return nil
}

func duplicate(list []string) string {
	seen := map[string]bool{}
	for _, s := range list {
		if s == "" {
			return i18n.N("（空）")
		}
		if seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}

// RowKey is the answer key of a row of a matrix question.
func RowKey(question string, row int) string { return fmt.Sprintf("%s/r%d", question, row+1) }

// Keys lists the answer keys of the questionnaire with the question and row they belong to.
func (q *Questionnaire) keys() map[string][2]int {
	m := map[string][2]int{}
	for i, x := range q.Questions {
		if x.Kind == Matrix {
			for r := range x.Rows {
				m[RowKey(x.ID, r)] = [2]int{i, r}
			}
			continue
		}
		m[x.ID] = [2]int{i, -1}
	}
	return m
}

// Invalid is an answer that breaks its question's rule; it counts as invalid for that
// question (or matrix row) only. A blank answer is 未答, not invalid.
type Invalid struct {
	Key    string
	Label  string
	Reason string
	// Format and Args are what a formatted Reason was made of, to say it in another language.
	Format string
	Args   []any
}

// Check judges a filled questionnaire: an unknown question or option, an answer that is not
// a number 0–10, or a text over its cap is an error; too many or too few choices make
// that question invalid.
func (q *Questionnaire) Check(answers map[string][]string) ([]Invalid, error) {
	keys := q.keys()
	for k, v := range answers {
		pos, ok := keys[k]
		if !ok {
			return nil, errorf("答卷中有不存在的题目“%s”", k)
		}
		x := &q.Questions[pos[0]]
		switch x.Kind {
		case Single, Multiple, Scale, Matrix:
			seen := map[string]bool{}
			for _, a := range v {
				if index(x.Options, a) < 0 {
					return nil, errorf("第%s题没有选项“%s”", x.ID, a)
				}
				if seen[a] {
					return nil, errorf("第%s题的选项“%s”被重复选择", x.ID, a)
				}
				seen[a] = true
			}
		case Rating:
			for _, a := range v {
				if n, err := strconv.Atoi(a); err != nil || n < 0 || n > RatingMax {
					return nil, errorf("“%s”的评分应为0到%d的整数", x.Title, RatingMax)
				}
			}
		case Text:
			for _, a := range v {
				if utf8.RuneCountInString(a) > x.MaxLen {
					return nil, errorf("“%s”的回答超过%d字", x.Title, x.MaxLen)
				}
			}
		}
	}
	var out []Invalid
	for _, x := range q.Questions {
		switch x.Kind {
		case Matrix:
			for r, row := range x.Rows {
				if len(answers[RowKey(x.ID, r)]) > 1 {
					out = append(out, Invalid{Key: RowKey(x.ID, r), Label: x.Title + "·" + row, Reason: "选择了多个评价"})
				}
			}
		case Multiple:
			if n := len(answers[x.ID]); n > 0 && (n < x.Min || n > x.Max) {
				out = append(out, Invalid{Key: x.ID, Label: x.Title, Reason: fmt.Sprintf("选择了%d项，应选%d到%d项", n, x.Min, x.Max),
					Format: "选择了%d项，应选%d到%d项", Args: []any{n, x.Min, x.Max}})
			}
		default:
			if len(answers[x.ID]) > 1 {
				out = append(out, Invalid{Key: x.ID, Label: x.Title, Reason: "只能有一个回答"})
			}
		}
	}
	return out, nil
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
