package ballot

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	"minyi/i18n"
)

// Scoring is 述职述廉 / 分项测评 (seed 001 §31 「测评打分」): each subject gets a score, out of
// Max or as the sum of indicator scores (德 能 勤 绩 廉).
type Scoring struct {
	Subjects   []Subject   `json:"subjects"`
	Indicators []Indicator `json:"indicators,omitempty"`
	Max        int         `json:"max"` // without indicators; default 100
	// TrimAt: the trimmed mean drops one highest and one lowest score when a subject has
	// at least this many (RULES: 「去掉一个最高分和一个最低分」, when ≥ 5).
	TrimAt int `json:"trim_at"`
	// Step is the finest score a voter may give, in tenths of a point: 1 (one decimal,
	// also when unset, as forms saved before the step existed are), 2, 5 (half points) or
	// 10 (whole points, what a new form gets unless it says otherwise). A sealed ballot
	// holds a cell per score a line may take (cells.go), so whole points make it ten
	// times smaller.
	Step int `json:"step,omitempty"`
}

// ScoreSteps are the steps a scoring form may set, in tenths of a point.
var ScoreSteps = []int{1, 2, 5, 10}

// step is the form's step in tenths.
func (s *Scoring) step() int {
	if s.Step == 0 {
		return 1
	}
	return s.Step
}

// StepLabel is the step in points as a voter types it: "1", "0.5", "0.2" or "0.1".
func (s *Scoring) StepLabel() string { return formatScore(s.step()) }

// StepHint tells the voter what scores the form takes.
func (s *Scoring) StepHint() string {
	format, args := s.StepHintFormat()
	return fmt.Sprintf(format, args...)
}

// StepHintFormat is the StepHint as a message format and its arguments, so that a page
// in another language can say it.
func (s *Scoring) StepHintFormat() (string, []any) {
	switch s.step() {
	case 10:
		return StepHints[0], nil
	case 1:
		return StepHints[1], nil
	}
	return StepHints[2], []any{formatScore(s.step())}
}

// StepHints are the formats StepHintFormat gives.
var StepHints = []string{"请打整数分", "可保留一位小数", "分数须为%s分的整数倍"}

// InputMode is the keyboard a phone shows for a score: digits only for whole points.
func (s *Scoring) InputMode() string {
	if s.step() == 10 {
		return "numeric"
	}
	return "decimal"
}

// Indicator is a part of the score with its full marks.
type Indicator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Max  int    `json:"max"`
}

// KindScoring is 述职述廉测评打分.
const KindScoring Kind = "scoring"

// Defaults of a scoring form.
const (
	DefaultScoreMax = 100
	DefaultTrimAt   = 5
	// DefaultScoreStep: whole points. Tenths of a point give 10,022 cells for ten subjects
	// out of 100, a ballot ten times the size, for a precision meetings do not use.
	DefaultScoreStep = 10
)

func (s *Scoring) normalize() {
	if s.Max == 0 {
		s.Max = DefaultScoreMax
	}
	if s.TrimAt == 0 {
		s.TrimAt = DefaultTrimAt
	}
	if s.Step == 0 {
		s.Step = DefaultScoreStep
	}
	for i := range s.Subjects {
		x := &s.Subjects[i]
		x.Name, x.Post = strings.TrimSpace(x.Name), strings.TrimSpace(x.Post)
		if x.ID == "" {
			x.ID = fmt.Sprintf("s%d", i+1)
		}
	}
	for i := range s.Indicators {
		x := &s.Indicators[i]
		x.Name = strings.TrimSpace(x.Name)
		if x.ID == "" {
			x.ID = fmt.Sprintf("i%d", i+1)
		}
	}
}

func (s *Scoring) validate() error {
	if len(s.Subjects) == 0 || len(s.Subjects) > MaxSubjects {
		return Errorf(EINVALID, "打分对象应为1到%d位", MaxSubjects)
	}
	if s.Max < 1 || s.Max > 1000 || s.TrimAt < 3 {
		return Errorf(EINVALID, "满分应在1到1000之间，去掉最高最低分的起点至少为3个分数")
	}
	if s.Step != 0 && !slices.Contains(ScoreSteps, s.Step) {
		return Errorf(EINVALID, "分数的最小单位应为0.1、0.2、0.5或1分")
	}
	seen := map[string]bool{}
	for i, x := range s.Subjects {
		if x.Name == "" {
			return Errorf(EINVALID, "第%d位打分对象缺少姓名", i+1)
		}
		person := NameKey(x.Name) + "\x00" + x.Post
		if seen[x.ID] || seen[person] {
			return Errorf(EINVALID, "打分对象“%s”重复", x.Name)
		}
		seen[x.ID], seen[person] = true, true
		if err := checkIDs(i18n.N("打分对象"), x.ID); err != nil {
			return err
		}
	}
	for _, x := range s.Indicators {
		if x.Name == "" || x.Max < 1 || x.Max > 1000 {
			return Errorf(EINVALID, "分项“%s”的名称为空或满分不在1到1000之间", x.Name)
		}
		if seen["i\x00"+x.ID] || seen["n\x00"+x.Name] {
			return Errorf(EINVALID, "分项“%s”重复", x.Name)
		}
		seen["i\x00"+x.ID], seen["n\x00"+x.Name] = true, true
		if err := checkIDs(i18n.N("分项"), x.ID); err != nil {
			return err
		}
	}
	return nil
}

// FullMarks is the highest total a subject can get.
func (s *Scoring) FullMarks() int {
	if len(s.Indicators) == 0 {
		return s.Max
	}
	n := 0
	for _, x := range s.Indicators {
		n += x.Max
	}
	return n
}

// parseScore reads a score with at most one decimal ("92", "92.5") in tenths.
func parseScore(v string, max int) (int, error) {
	v = strings.TrimSpace(halfWidthDigits(v))
	whole, frac, dot := strings.Cut(v, ".")
	n, err := strconv.Atoi(whole)
	t := 0
	if err == nil && dot {
		if len(frac) != 1 {
			err = fmt.Errorf("one decimal")
		} else {
			t, err = strconv.Atoi(frac)
		}
	}
	if err != nil || n < 0 || whole == "" || n*10+t > max*10 {
		return 0, Errorf(EINVALID, "分数“%s”应为0到%d之间的数（最多一位小数）", v, max)
	}
	return n*10 + t, nil
}

// formatScore writes a score in tenths as parseScore reads it: "92", "92.5".
func formatScore(tenths int) string {
	if tenths%10 == 0 {
		return strconv.Itoa(tenths / 10)
	}
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}

// lineKey is the line of a subject (and indicator).
func (s *Scoring) lineKey(subject, indicator string) string {
	if indicator == "" {
		return subject
	}
	return subject + "/" + indicator
}

// score reads a subject's score in tenths: ok is false when it is blank (未评);
// partial says some indicators were scored and others not.
func (s *Scoring) score(subject string, lines map[string][]string) (tenths int, ok, partial bool) {
	if len(s.Indicators) == 0 {
		v := lines[subject]
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			return 0, false, false
		}
		n, _ := parseScore(v[0], s.Max)
		return n, true, false
	}
	filled := 0
	for _, x := range s.Indicators {
		v := lines[s.lineKey(subject, x.ID)]
		if len(v) == 0 || strings.TrimSpace(v[0]) == "" {
			continue
		}
		n, _ := parseScore(v[0], x.Max)
		tenths += n
		filled++
	}
	return tenths, filled == len(s.Indicators), filled > 0 && filled < len(s.Indicators)
}

// check: a score out of range is an error; a subject scored on some indicators only is
// invalid for that subject; a subject not scored is 未评 (not counted).
func (s *Scoring) check(ff *FilledForm) ([]Spoilt, error) {
	keys := map[string]int{}
	for _, x := range s.Subjects {
		if len(s.Indicators) == 0 {
			keys[x.ID] = s.Max
		}
		for _, i := range s.Indicators {
			keys[s.lineKey(x.ID, i.ID)] = i.Max
		}
	}
	for k, v := range ff.Lines {
		max, ok := keys[k]
		if !ok {
			return nil, Errorf(EINVALID, "选票中有不存在的打分项目“%s”", k)
		}
		if len(v) > 1 {
			return nil, Errorf(EINVALID, "同一项目只能打一个分数")
		}
		if len(v) == 1 {
			// A score is kept in one spelling ("92", "92.5"; a blank as ""): spaces,
			// leading zeros and full-width digits would make a ballot longer than any
			// bound and say nothing more.
			canon := ""
			if strings.TrimSpace(v[0]) != "" {
				n, err := parseScore(v[0], max)
				if err != nil {
					return nil, err
				}
				if n%s.step() != 0 {
					return nil, Errorf(EINVALID, "分数“%s”应为%s分的整数倍", v[0], formatScore(s.step()))
				}
				canon = formatScore(n)
			}
			setMark(ff.Lines, k, v, 0, canon)
		}
	}
	var out []Spoilt
	for _, x := range s.Subjects {
		if _, _, partial := s.score(x.ID, ff.Lines); partial {
			out = append(out, Spoilt{Line: x.ID, Label: x.Name, Reason: "只给部分分项打了分"})
		}
	}
	return out, nil
}

// ScoringTally is the result of a scoring form; scores are in tenths of a point.
type ScoringTally struct {
	FullMarks  int            `json:"full_marks"`
	Indicators []Indicator    `json:"indicators,omitempty"`
	TrimAt     int            `json:"trim_at"`
	Subjects   []SubjectScore `json:"subjects"`
}

// SubjectScore is one subject's scores.
type SubjectScore struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Post     string  `json:"post,omitempty"`
	Scored   int     `json:"scored"` // how many scored it
	Blank    int     `json:"blank"`  // 未评
	Invalid  int     `json:"invalid"`
	Mean     Ratio   `json:"mean"` // in points
	Trimmed  *Ratio  `json:"trimmed,omitempty"`
	Weighted *Ratio  `json:"weighted,omitempty"`
	ByGroup  []Ratio `json:"by_group"` // mean per group
	// IndicatorMeans are the means per indicator, in points.
	IndicatorMeans []Ratio `json:"indicator_means,omitempty"`
	Rank           int     `json:"rank"`
}

type scoringCounter struct {
	s      *Scoring
	groups []Group
	scores [][][]int // [subject][group] tenths
	blank  []int
	inval  []int
	ind    [][]int // [subject][indicator] sum of tenths over complete scores
}

func (s *Scoring) counter(groups []Group) formCounter {
	c := &scoringCounter{s: s, groups: groups, scores: make([][][]int, len(s.Subjects)), blank: make([]int, len(s.Subjects)), inval: make([]int, len(s.Subjects)), ind: make([][]int, len(s.Subjects))}
	for i := range c.scores {
		c.scores[i] = make([][]int, len(groups))
		c.ind[i] = make([]int, len(s.Indicators))
	}
	return c
}

func (c *scoringCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	for i, x := range c.s.Subjects {
		if spoilt(x.ID) {
			c.inval[i]++
			continue
		}
		t, ok, _ := c.s.score(x.ID, ff.Lines)
		if !ok {
			c.blank[i]++
			continue
		}
		c.scores[i][group] = append(c.scores[i][group], t)
		for j, ind := range c.s.Indicators {
			n, _ := parseScore(ff.Lines[c.s.lineKey(x.ID, ind.ID)][0], ind.Max)
			c.ind[i][j] += n
		}
	}
}

func (c *scoringCounter) finish(ft *FormTally) {
	st := &ScoringTally{FullMarks: c.s.FullMarks(), Indicators: c.s.Indicators, TrimAt: c.s.TrimAt}
	var means []Ratio
	for i, x := range c.s.Subjects {
		ss := SubjectScore{ID: x.ID, Name: x.Name, Post: x.Post, Blank: c.blank[i], Invalid: c.inval[i]}
		var all []int
		for g := range c.groups {
			gs := c.scores[i][g]
			all = append(all, gs...)
			ss.ByGroup = append(ss.ByGroup, R(int64(sum(gs)), int64(10*len(gs))))
		}
		ss.Scored = len(all)
		ss.Mean = R(int64(sum(all)), int64(10*len(all)))
		// RULES: 述职述廉 — trimmed mean drops one highest and one lowest, when ≥ 5 scores.
		if len(all) >= c.s.TrimAt {
			sort.Ints(all)
			t := R(int64(sum(all[1:len(all)-1])), int64(10*(len(all)-2)))
			ss.Trimmed = &t
		}
		if len(c.groups) > 0 && c.groups[0].Weight != nil {
			valid := func(g int) int { return len(c.scores[i][g]) }
			if _, eff := effectiveWeights(c.groups, valid); eff != nil {
				w := new(big.Rat)
				for g, e := range eff {
					if n := valid(g); n > 0 {
						w.Add(w, new(big.Rat).Mul(e, big.NewRat(int64(sum(c.scores[i][g])), int64(10*n))))
					}
				}
				wr := ratio(w)
				ss.Weighted = &wr
			}
		}
		for j := range c.s.Indicators {
			ss.IndicatorMeans = append(ss.IndicatorMeans, R(int64(c.ind[i][j]), int64(10*len(all))))
		}
		means = append(means, ss.Mean)
		st.Subjects = append(st.Subjects, ss)
	}
	for i := range st.Subjects {
		r := 1
		for j := range st.Subjects {
			if means[j].Valid() && (!means[i].Valid() || means[j].Greater(means[i])) {
				r++
			}
		}
		st.Subjects[i].Rank = r
	}
	ft.Scoring = st
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// As cells. A score is one cell per value it may take, every step from 0 to full marks
// (a tenth of a point unless the form sets a coarser step, since the door keeps one
// decimal), so that a row's sums are the histogram of its scores, from which the mean,
// the lowest and the highest come exactly (the trimmed mean drops those two). With
// indicators the subject's line holds its total and each indicator has its own line for
// the indicator means. A subject scored on some indicators only is invalid on all its
// lines; one not scored is all zeros.

// scoreLabels are the values of a line of full marks full, every step tenths, as a
// ballot writes them.
func scoreLabels(full, step int) []string {
	out := make([]string, full*10/step+1)
	for k := range out {
		out[k] = formatScore(k * step)
	}
	return out
}

func (s *Scoring) layout(b *layoutBuilder) {
	total := scoreLabels(s.FullMarks(), s.step())
	for _, x := range s.Subjects {
		b.line(x.ID, total, 1)
		for _, i := range s.Indicators {
			b.line(s.lineKey(x.ID, i.ID), scoreLabels(i.Max, s.step()), 1)
		}
	}
}

func (s *Scoring) marks(ff *FilledForm, spoilt func(string) bool, m *marker) {
	for _, x := range s.Subjects {
		if spoilt(x.ID) {
			m.void(x.ID)
			for _, i := range s.Indicators {
				m.void(s.lineKey(x.ID, i.ID))
			}
			continue
		}
		t, ok, _ := s.score(x.ID, ff.Lines)
		if !ok {
			continue
		}
		m.mark(x.ID, t/s.step())
		for _, i := range s.Indicators {
			n, _ := parseScore(ff.Lines[s.lineKey(x.ID, i.ID)][0], i.Max)
			m.mark(s.lineKey(x.ID, i.ID), n/s.step())
		}
	}
}

func (s *Scoring) textSlots() []TextSlot { return nil }

func (s *Scoring) sumsCounter(groups []Group) sumsCounter { return s.counter(groups).(*scoringCounter) }

func (c *scoringCounter) addRow(r int, s rowSums) {
	for i, x := range c.s.Subjects {
		scored := 0
		step := c.s.step()
		for k, n := range s.options(x.ID) {
			for range n {
				c.scores[i][r] = append(c.scores[i][r], k*step)
			}
			scored += n
		}
		inv := s.invalid(x.ID)
		c.inval[i] += inv
		c.blank[i] += s.n - scored - inv
		for j, ind := range c.s.Indicators {
			for k, n := range s.options(c.s.lineKey(x.ID, ind.ID)) {
				c.ind[i][j] += k * step * n
			}
		}
	}
}

func (c *scoringCounter) addText(int, Text) bool { return false }
