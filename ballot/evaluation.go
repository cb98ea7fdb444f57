package ballot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"minyi/i18n"
)

// Evaluation is a 民主测评 form: each subject gets exactly one grade.
type Evaluation struct {
	Subjects []Subject `json:"subjects"`
	Grades   []Grade   `json:"grades"`
	// AdjustBelow: flag 「建议调整」 when (good grades)/valid < this (RULES: 001 §29, 2/3).
	AdjustBelow Ratio `json:"adjust_below"`
	// DismissAbove: flag 「建议免职」 when (bad grade)/valid > this (RULES: 001 §29, 1/3).
	DismissAbove Ratio `json:"dismiss_above"`
	// Probation: a 试用期满考核; flag 「不宜正式任职」 when (good grades)/valid does not exceed
	// ProbationAbove (RULES: 四平 「未超过三分之二」).
	Probation      bool  `json:"probation,omitempty"`
	ProbationAbove Ratio `json:"probation_above"`
	// Indicators split each subject into items graded on their own (德 能 勤 绩 廉; for a
	// team 思想政治建设 / 领导水平 / 工作实绩 / 反腐倡廉), beside its overall grade. Max is
	// the item's points in the score conversion.
	Indicators []Indicator `json:"indicators,omitempty"`
	// Points converts each grade to a share of an item's points (e.g. 1, 4/5, 3/5, 2/5 in
	// 海盐), giving a 0–100 score per subject; empty means no score.
	Points []Ratio `json:"points,omitempty"`
}

// DefaultPoints are the shares of 海盐's conversion (RULES: 好/较好/一般/差 = 1/.8/.6/.4).
func DefaultPoints() []Ratio { return []Ratio{R(1, 1), R(4, 5), R(3, 5), R(2, 5)} }

// indicatorLine is the line of a subject's indicator.
func indicatorLine(subject, indicator string) string { return subject + "/" + indicator }

// Subject is a person (or a leadership team) being evaluated.
type Subject struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Post string `json:"post"`
	// Unit the subject belongs to; voters of a group of the same unit do not evaluate it
	// (RULES: 工作互评).
	Unit string `json:"unit,omitempty"`
}

// ownUnit reports a subject the voters of a group of unit own must not evaluate.
func (s Subject) ownUnit(own string) bool { return s.Unit != "" && s.Unit == own }

// Grade is one 等次. Good grades add up to the 优秀+称职 rate; the Bad grade is 不称职.
type Grade struct {
	Label string `json:"label"`
	Good  bool   `json:"good,omitempty"`
	Bad   bool   `json:"bad,omitempty"`
}

// IndividualGrades are the grades for individual cadres (RULES: 2009 中组发13号, 2019 考核条例).
func IndividualGrades() []Grade {
	return []Grade{{Label: "优秀", Good: true}, {Label: "称职", Good: true}, {Label: "基本称职"}, {Label: "不称职", Bad: true}}
}

// TeamGrades are the grades for a leadership team (RULES: 民主测评, teams); the first two
// make its good rate.
func TeamGrades() []Grade {
	return []Grade{{Label: "好", Good: true}, {Label: "较好", Good: true}, {Label: "一般"}, {Label: "差"}}
}

// TeamGradesAlt is the other grade set for teams in use.
func TeamGradesAlt() []Grade {
	return []Grade{{Label: "优秀", Good: true}, {Label: "良好", Good: true}, {Label: "一般"}, {Label: "较差"}}
}

// GradeSets are the named grade sets an organizer picks from.
var GradeSets = []struct {
	Key, Label string
	Grades     func() []Grade
}{
	{"individual", i18n.N("领导干部：优秀 / 称职 / 基本称职 / 不称职"), IndividualGrades},
	{"team", i18n.N("领导班子：好 / 较好 / 一般 / 差"), TeamGrades},
	{"team_alt", i18n.N("领导班子：优秀 / 良好 / 一般 / 较差"), TeamGradesAlt},
}

// GradeSet returns the named grade set.
func GradeSet(key string) ([]Grade, bool) {
	for _, g := range GradeSets {
		if g.Key == key {
			return g.Grades(), true
		}
	}
	return nil, false
}

// Default thresholds of RULES.md 民主测评 (seed 001 §29).
var (
	DefaultAdjustBelow    = R(2, 3)
	DefaultDismissAbove   = R(1, 3)
	DefaultProbationAbove = R(2, 3)
)

// Limits of an evaluation form.
const (
	MaxSubjects = 300
	MaxGrades   = 6
)

func (e *Evaluation) normalize() {
	if len(e.Grades) == 0 {
		e.Grades = IndividualGrades()
	}
	if !e.AdjustBelow.Valid() {
		e.AdjustBelow = DefaultAdjustBelow
	}
	if !e.DismissAbove.Valid() {
		e.DismissAbove = DefaultDismissAbove
	}
	if !e.ProbationAbove.Valid() {
		e.ProbationAbove = DefaultProbationAbove
	}
	for i := range e.Subjects {
		s := &e.Subjects[i]
		s.Name = strings.TrimSpace(s.Name)
		s.Post = strings.TrimSpace(s.Post)
		if s.ID == "" {
			s.ID = fmt.Sprintf("s%d", i+1)
		}
	}
	for i := range e.Grades {
		e.Grades[i].Label = strings.TrimSpace(e.Grades[i].Label)
	}
	for i := range e.Indicators {
		x := &e.Indicators[i]
		x.Name = strings.TrimSpace(x.Name)
		if x.ID == "" {
			x.ID = fmt.Sprintf("i%d", i+1)
		}
	}
}

func (e *Evaluation) validate() error {
	if len(e.Subjects) == 0 {
		return Errorf(EINVALID, "请至少添加一位被测评对象")
	}
	if len(e.Subjects) > MaxSubjects {
		return Errorf(EINVALID, "被测评对象不能超过%d位", MaxSubjects)
	}
	ids := map[string]bool{}
	people := map[string]int{}
	for i, s := range e.Subjects {
		if s.Name == "" {
			return Errorf(EINVALID, "第%d位被测评对象缺少姓名", i+1)
		}
		if NameLen(s.Name) > 30 || utf8.RuneCountInString(s.Post) > 60 {
			return Errorf(EINVALID, "第%d位被测评对象的姓名（不超过30字）或职务（不超过60字）过长", i+1)
		}
		if ids[s.ID] {
			return Errorf(EINVALID, "被测评对象编号“%s”重复", s.ID)
		}
		if err := checkIDs(i18n.N("被测评对象"), s.ID); err != nil {
			return err
		}
		ids[s.ID] = true
		key := NameKey(s.Name) + "\x00" + s.Post
		if j, dup := people[key]; dup {
			return Errorf(EINVALID, "第%d位与第%d位被测评对象重复：%s", i+1, j+1, s.Name)
		}
		people[key] = i
	}
	if len(e.Grades) < 2 || len(e.Grades) > MaxGrades {
		return Errorf(EINVALID, "测评等次应为2到%d个", MaxGrades)
	}
	labels := map[string]bool{}
	good, bad := 0, 0
	for _, g := range e.Grades {
		if g.Label == "" {
			return Errorf(EINVALID, "测评等次名称不能为空")
		}
		if labels[g.Label] {
			return Errorf(EINVALID, "测评等次“%s”重复", g.Label)
		}
		labels[g.Label] = true
		if g.Good && g.Bad {
			return Errorf(EINVALID, "测评等次“%s”不能既计入好评又计入差评", g.Label)
		}
		if g.Good {
			good++
		}
		if g.Bad {
			bad++
		}
	}
	if good == 0 {
		return Errorf(EINVALID, "请指定计入“优秀+称职”比例的等次")
	}
	if bad > 1 {
		return Errorf(EINVALID, "只能指定一个“不称职”类等次")
	}
	if err := checkThreshold(i18n.N("建议调整"), e.AdjustBelow); err != nil {
		return err
	}
	if err := checkThreshold(i18n.N("不宜正式任职"), e.ProbationAbove); err != nil {
		return err
	}
	if len(e.Points) != 0 && len(e.Points) != len(e.Grades) {
		return Errorf(EINVALID, "折算分数应为每个等次各给一个比例")
	}
	for _, p := range e.Points {
		if err := checkThreshold(i18n.N("折算比例"), p); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	for _, x := range e.Indicators {
		if x.Name == "" || names[x.Name] || names["id\x00"+x.ID] || x.Max < 0 || x.Max > 1000 {
			return Errorf(EINVALID, "测评分项“%s”为空、重复或分值不在0到1000之间", x.Name)
		}
		names[x.Name], names["id\x00"+x.ID] = true, true
		if err := checkIDs(i18n.N("测评分项"), x.ID); err != nil {
			return err
		}
	}
	return checkThreshold(i18n.N("建议免职"), e.DismissAbove)
}

func (e *Evaluation) grade(label string) int {
	for i, g := range e.Grades {
		if g.Label == label {
			return i
		}
	}
	return -1
}

// check applies RULES 废票 for evaluation: exactly one grade per subject; none or several
// make that subject's line invalid ("多选或不选视为无效").
func (e *Evaluation) check(ff *FilledForm) ([]Spoilt, error) {
	known := make(map[string]bool, len(e.Subjects))
	for _, s := range e.Subjects {
		known[s.ID] = true
		for _, x := range e.Indicators {
			known[indicatorLine(s.ID, x.ID)] = true
		}
	}
	for id, marks := range ff.Lines {
		if !known[id] {
			return nil, Errorf(EINVALID, "选票中有不存在的被测评对象“%s”", id)
		}
		seen := map[string]bool{}
		for _, m := range marks {
			if e.grade(m) < 0 {
				return nil, Errorf(EINVALID, "选票中有不存在的等次“%s”", m)
			}
			if seen[m] {
				return nil, Errorf(EINVALID, "同一等次“%s”被重复标记", m)
			}
			seen[m] = true
		}
	}
	var spoilt []Spoilt
	for _, s := range e.Subjects {
		if s.ownUnit(ff.own) {
			// Its items too: the count would pass them over in silence.
			marked := len(ff.Lines[s.ID]) > 0
			for _, x := range e.Indicators {
				marked = marked || len(ff.Lines[indicatorLine(s.ID, x.ID)]) > 0
			}
			if marked {
				return nil, Errorf(EINVALID, "不能测评本单位（%s）", s.Name)
			}
			continue
		}
		spoilt = append(spoilt, oneGrade(ff, s.ID, s.Name)...)
		for _, x := range e.Indicators {
			spoilt = append(spoilt, oneGrade(ff, indicatorLine(s.ID, x.ID), s.Name+"·"+x.Name)...)
		}
	}
	return spoilt, nil
}

// oneGrade is the rule of a graded line: exactly one grade.
func oneGrade(ff *FilledForm, line, label string) []Spoilt {
	switch n := len(ff.Lines[line]); {
	case n == 0:
		return []Spoilt{{Line: line, Label: label, Reason: "未选择等次", Blank: true}}
	case n > 1:
		return []Spoilt{{Line: line, Label: label, Reason: "选择了多个等次"}}
	}
	return nil
}
