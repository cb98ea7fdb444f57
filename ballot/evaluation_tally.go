package ballot

import "math/big"

// EvaluationTally is the result of a 民主测评 form.
type EvaluationTally struct {
	Grades   []string       `json:"grades"`
	Subjects []SubjectTally `json:"subjects"`
	// GoodLabel and BadLabel name the form's good and bad grades (「好和较好」); Rules are
	// the rules the form applies, worded from its own grades and thresholds.
	GoodLabel string `json:"good_label,omitempty"`
	BadLabel  string `json:"bad_label,omitempty"`
	Rules     []Flag `json:"rules,omitempty"`
}

// SubjectTally is one subject's result: votes per grade, in total and per voter group.
// Rates are over the valid ballots for this subject (RULES: rate denominators).
type SubjectTally struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Post    string       `json:"post"`
	Total   GradeCounts  `json:"total"`
	ByGroup []GradeCount `json:"by_group"`
	Good    Ratio        `json:"good"` // (优秀+称职) / valid
	Bad     Ratio        `json:"bad"`  // 不称职 / valid
	// Weighted holds the weighted rates when the groups carry weights; the flags are then
	// judged on them.
	Weighted *Weighted `json:"weighted,omitempty"`
	Flags    []Flag    `json:"flags,omitempty"`
	// Indicators are the items' own counts (德 能 勤 绩 廉).
	Indicators []IndicatorGrades `json:"indicators,omitempty"`
	// Score is the 0–100 score of the grade conversion, when the form converts.
	Score *Ratio `json:"score,omitempty"`
}

// IndicatorGrades is one indicator of a subject.
type IndicatorGrades struct {
	Name   string      `json:"name"`
	Points int         `json:"points"`
	Counts GradeCounts `json:"counts"`
	Good   Ratio       `json:"good"`
}

// GradeCounts are the votes per grade with the valid and invalid lines.
type GradeCounts struct {
	Votes   []int `json:"votes"`
	Valid   int   `json:"valid"`
	Invalid int   `json:"invalid"`
}

// Rate is the share of grade i among the valid lines.
func (c GradeCounts) Rate(i int) Ratio { return R(int64(c.Votes[i]), int64(c.Valid)) }

// GradeCount is GradeCounts for one voter group.
type GradeCount struct {
	Group string `json:"group"`
	GradeCounts
}

type evaluationCounter struct {
	e      *Evaluation
	groups []Group
	// votes[subject][group] counts
	counts [][]GradeCounts
	// ind[subject][indicator] counts, all groups together
	ind [][]GradeCounts
}

func (e *Evaluation) counter(groups []Group) formCounter { return newEvaluationCounter(e, groups) }

func newEvaluationCounter(e *Evaluation, groups []Group) *evaluationCounter {
	c := &evaluationCounter{e: e, groups: groups, counts: make([][]GradeCounts, len(e.Subjects)), ind: make([][]GradeCounts, len(e.Subjects))}
	for i := range c.counts {
		c.counts[i] = make([]GradeCounts, len(groups))
		for g := range groups {
			c.counts[i][g].Votes = make([]int, len(e.Grades))
		}
		c.ind[i] = make([]GradeCounts, len(e.Indicators))
		for j := range e.Indicators {
			c.ind[i][j].Votes = make([]int, len(e.Grades))
		}
	}
	return c
}

func (c *evaluationCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	for i, s := range c.e.Subjects {
		// The voter's own unit, from the check: a result row may pool several units.
		if s.ownUnit(ff.own) {
			continue // 工作互评: this group does not evaluate its own unit
		}
		c.e.countLine(&c.counts[i][group], ff, s.ID, spoilt)
		for j, x := range c.e.Indicators {
			c.e.countLine(&c.ind[i][j], ff, indicatorLine(s.ID, x.ID), spoilt)
		}
	}
}

func (e *Evaluation) countLine(gc *GradeCounts, ff *FilledForm, line string, spoilt func(string) bool) {
	if spoilt(line) {
		gc.Invalid++
		return
	}
	gc.Valid++
	gc.Votes[e.grade(ff.Lines[line][0])]++
}

// score converts a subject's grades into points (RULES: score conversion, 海盐): each item
// gives its points × Σ share(grade) × votes / valid; without indicators the overall grade
// is one item of 100. nil when the form does not convert or an item has no valid line.
func (e *Evaluation) score(overall GradeCounts, items []GradeCounts) *Ratio {
	if len(e.Points) == 0 {
		return nil
	}
	part := func(c GradeCounts, points int64) *big.Rat {
		if c.Valid == 0 {
			return nil
		}
		sum := new(big.Rat)
		for i, v := range c.Votes {
			sum.Add(sum, new(big.Rat).Mul(ratOf(e.Points[i]), big.NewRat(int64(v), 1)))
		}
		return sum.Mul(sum, big.NewRat(points, int64(c.Valid)))
	}
	total := new(big.Rat)
	if len(e.Indicators) == 0 {
		p := part(overall, 100)
		if p == nil {
			return nil
		}
		total = p
	}
	for j, x := range e.Indicators {
		p := part(items[j], int64(x.Max))
		if p == nil {
			return nil
		}
		total.Add(total, p)
	}
	r := ratio(total)
	return &r
}

func (c *evaluationCounter) finish(ft *FormTally) {
	et := &EvaluationTally{GoodLabel: c.e.GoodLabel(), BadLabel: c.e.BadLabel()}
	basis := ""
	if len(c.groups) > 0 && c.groups[0].Weight != nil {
		basis = "加权"
	}
	et.Rules = c.e.rules(basis)
	for _, g := range c.e.Grades {
		et.Grades = append(et.Grades, g.Label)
	}
	for i, s := range c.e.Subjects {
		st := SubjectTally{ID: s.ID, Name: s.Name, Post: s.Post, Total: GradeCounts{Votes: make([]int, len(c.e.Grades))}}
		for g, gc := range c.counts[i] {
			st.ByGroup = append(st.ByGroup, GradeCount{Group: c.groups[g].ID, GradeCounts: gc})
			st.Total.Valid += gc.Valid
			st.Total.Invalid += gc.Invalid
			for k, v := range gc.Votes {
				st.Total.Votes[k] += v
			}
		}
		st.Good, st.Bad = c.e.rates(st.Total)
		for j, x := range c.e.Indicators {
			good, _ := c.e.rates(c.ind[i][j])
			st.Indicators = append(st.Indicators, IndicatorGrades{Name: x.Name, Points: x.Max, Counts: c.ind[i][j], Good: good})
		}
		st.Score = c.e.score(st.Total, c.ind[i])
		good, bad, basis := st.Good, st.Bad, ""
		if len(c.groups) > 0 && c.groups[0].Weight != nil {
			st.Weighted = c.weighted(st.ByGroup)
			if st.Weighted != nil {
				good, bad, basis = st.Weighted.Good, st.Weighted.Bad, "加权"
			}
		}
		if st.Total.Valid > 0 {
			st.Flags = c.e.judge(good, bad, basis)
		}
		et.Subjects = append(et.Subjects, st)
	}
	ft.Evaluation = et
}

// goodBad splits a line's votes into the good grades and the bad grade.
func (e *Evaluation) goodBad(votes []int) (g, b int) {
	for i, gr := range e.Grades {
		if gr.Good {
			g += votes[i]
		}
		if gr.Bad {
			b += votes[i]
		}
	}
	return g, b
}

// rates are the good rate ((优秀+称职)/valid) and the bad rate (不称职/valid).
func (e *Evaluation) rates(c GradeCounts) (good, bad Ratio) {
	g, b := e.goodBad(c.Votes)
	return R(int64(g), int64(c.Valid)), R(int64(b), int64(c.Valid))
}

// weighted computes a subject's weighted rates from its counts per group.
func (c *evaluationCounter) weighted(byGroup []GradeCount) *Weighted {
	valid := func(g int) int { return byGroup[g].Valid }
	groups, eff := effectiveWeights(c.groups, valid)
	if eff == nil {
		return nil
	}
	w := &Weighted{Groups: groups}
	for i := range c.e.Grades {
		w.Rates = append(w.Rates, weightedRate(eff, func(g int) int { return byGroup[g].Votes[i] }, valid))
	}
	w.Good = weightedRate(eff, func(g int) int { good, _ := c.e.goodBad(byGroup[g].Votes); return good }, valid)
	w.Bad = weightedRate(eff, func(g int) int { _, bad := c.e.goodBad(byGroup[g].Votes); return bad }, valid)
	return w
}

// judge applies the thresholds of RULES 民主测评 to a subject's good and bad rates; basis
// says whether they are weighted.
func (e *Evaluation) judge(good, bad Ratio, basis string) (flags []Flag) {
	// RULES: 民主测评 优秀+称职 < 2/3 → 建议调整 (001 §29 「未达到三分之二」).
	if good.Less(e.AdjustBelow) {
		flags = append(flags, Flag{Code: RuleAdjust, Label: "建议调整", Rule: e.ruleText(RuleAdjust, basis), Value: good, Threshold: e.AdjustBelow})
	}
	// RULES: 试用期满考核 — 优秀+称职 ≤ 2/3 → 不宜正式任职 (四平 「未超过三分之二」).
	if e.Probation && !good.Greater(e.ProbationAbove) {
		flags = append(flags, Flag{Code: RuleProbation, Label: "不宜正式任职", Rule: e.ruleText(RuleProbation, basis), Value: good, Threshold: e.ProbationAbove})
	}
	// RULES: 民主测评 不称职 > 1/3 → 建议免职 (001 §29 「超过三分之一」).
	if e.hasBad() && bad.Greater(e.DismissAbove) {
		flags = append(flags, Flag{Code: RuleDismiss, Label: "建议免职", Rule: e.ruleText(RuleDismiss, basis), Value: bad, Threshold: e.DismissAbove})
	}
	return flags
}

func (e *Evaluation) hasBad() bool {
	for _, g := range e.Grades {
		if g.Bad {
			return true
		}
	}
	return false
}

// As cells: a line per subject and per indicator of a subject, one cell per grade, one
// grade at most. A blank or over-marked line is invalid; the voters' own unit's lines
// stay all zeros, as the plain counter passes them over.

func (e *Evaluation) layout(b *layoutBuilder) {
	grades := make([]string, len(e.Grades))
	for i, g := range e.Grades {
		grades[i] = g.Label
	}
	for _, s := range e.Subjects {
		b.line(s.ID, grades, 1)
		for _, x := range e.Indicators {
			b.line(indicatorLine(s.ID, x.ID), grades, 1)
		}
	}
}

func (e *Evaluation) marks(ff *FilledForm, spoilt func(string) bool, m *marker) {
	for _, s := range e.Subjects {
		if s.ownUnit(ff.own) {
			continue
		}
		e.markLine(ff, s.ID, spoilt, m)
		for _, x := range e.Indicators {
			e.markLine(ff, indicatorLine(s.ID, x.ID), spoilt, m)
		}
	}
}

func (e *Evaluation) markLine(ff *FilledForm, line string, spoilt func(string) bool, m *marker) {
	if spoilt(line) {
		m.void(line)
		return
	}
	m.mark(line, e.grade(ff.Lines[line][0]))
}

func (e *Evaluation) textSlots() []TextSlot { return nil }

func (e *Evaluation) sumsCounter(groups []Group) sumsCounter { return newEvaluationCounter(e, groups) }

func (c *evaluationCounter) addRow(r int, s rowSums) {
	for i, subj := range c.e.Subjects {
		sumGrades(&c.counts[i][r], s, subj.ID)
		for j, x := range c.e.Indicators {
			sumGrades(&c.ind[i][j], s, indicatorLine(subj.ID, x.ID))
		}
	}
}

// sumGrades adds a line's sums: one grade per valid line, so the grades add up to them.
func sumGrades(gc *GradeCounts, s rowSums, line string) {
	for k, v := range s.options(line) {
		gc.Votes[k] += v
		gc.Valid += v
	}
	gc.Invalid += s.invalid(line)
}

func (c *evaluationCounter) addText(int, Text) bool { return false }
