package ballot

import (
	"fmt"
	"sort"
	"strings"

	"minyi/i18n"
)

// Review is 一报告两评议 (seed 001 §24, 000): an overall evaluation of the unit's 选人用人工作
// and an evaluation of each newly promoted cadre.
type Review struct {
	// Overall is the question of the overall evaluation; empty leaves that part out.
	Overall string    `json:"overall"`
	Cadres  []Subject `json:"cadres"`
	// DisagreeAbove: flag 「不认同率超过1/3」 (practice, not in central text).
	DisagreeAbove Ratio `json:"disagree_above"`
}

// Options of the two parts of a review (RULES: 一报告两评议).
var (
	OverallOptions = []string{"好", "较好", "一般", "差"}
	CadreOptions   = []string{"认同", "基本认同", "不认同", "不了解"}
)

// OverallLine is the line key of the overall evaluation.
const OverallLine = "overall"

// DefaultDisagreeAbove is 1/3.
var DefaultDisagreeAbove = R(1, 3)

func (r *Review) normalize() {
	r.Overall = strings.TrimSpace(r.Overall)
	if !r.DisagreeAbove.Valid() {
		r.DisagreeAbove = DefaultDisagreeAbove
	}
	for i := range r.Cadres {
		c := &r.Cadres[i]
		c.Name = strings.TrimSpace(c.Name)
		c.Post = strings.TrimSpace(c.Post)
		if c.ID == "" {
			c.ID = fmt.Sprintf("c%d", i+1)
		}
	}
}

func (r *Review) validate() error {
	if r.Overall == "" && len(r.Cadres) == 0 {
		return Errorf(EINVALID, "评议表至少需要总体评价或一位新提拔干部")
	}
	if len(r.Cadres) > MaxSubjects {
		return Errorf(EINVALID, "评议的干部不能超过%d位", MaxSubjects)
	}
	if err := checkThreshold(i18n.N("不认同率"), r.DisagreeAbove); err != nil {
		return err
	}
	seen := map[string]bool{OverallLine: true}
	for i, c := range r.Cadres {
		if c.Name == "" {
			return Errorf(EINVALID, "第%d位评议干部缺少姓名", i+1)
		}
		person := NameKey(c.Name) + "\x00" + c.Post
		if seen[c.ID] || seen[person] {
			return Errorf(EINVALID, "评议干部“%s”重复", c.Name)
		}
		seen[c.ID], seen[person] = true, true
		if err := checkIDs(i18n.N("评议干部"), c.ID); err != nil {
			return err
		}
	}
	return nil
}

func (r *Review) lines() map[string][]string {
	m := map[string][]string{}
	if r.Overall != "" {
		m[OverallLine] = OverallOptions
	}
	for _, c := range r.Cadres {
		m[c.ID] = CadreOptions
	}
	return m
}

// check: a blank line is 未答 (valid, outside the denominator); two options make that line
// invalid.
func (r *Review) check(ff *FilledForm) ([]Spoilt, error) {
	if err := checkOptions(ff, r.lines()); err != nil {
		return nil, err
	}
	var spoilt []Spoilt
	if len(ff.Lines[OverallLine]) > 1 {
		spoilt = append(spoilt, Spoilt{Line: OverallLine, Label: "总体评价", Reason: "选择了多个评价"})
	}
	for _, c := range r.Cadres {
		if len(ff.Lines[c.ID]) > 1 {
			spoilt = append(spoilt, Spoilt{Line: c.ID, Label: c.Name, Reason: "选择了多个评价"})
		}
	}
	return spoilt, nil
}

// ReviewTally is the result of a review form.
type ReviewTally struct {
	Overall        string        `json:"overall,omitempty"`
	OverallOptions []string      `json:"overall_options"`
	OverallCounts  *OptionCounts `json:"overall_counts,omitempty"`
	OverallGood    Ratio         `json:"overall_good"` // (好 + 较好) / answered
	CadreOptions   []string      `json:"cadre_options"`
	Cadres         []CadreReview `json:"cadres"`
}

// CadreReview is one cadre's result; rates are over all answers including 不了解.
type CadreReview struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	Post     string       `json:"post,omitempty"`
	Counts   OptionCounts `json:"counts"`
	Approve  Ratio        `json:"approve"`  // 认同率 = (认同 + 基本认同) / answered
	Disagree Ratio        `json:"disagree"` // 不认同 / answered
	Rank     int          `json:"rank"`     // by 认同率, 1 is highest
	Flags    []Flag       `json:"flags,omitempty"`
}

type reviewCounter struct {
	r       *Review
	overall OptionCounts
	cadres  []OptionCounts
}

func (r *Review) counter(groups []Group) formCounter {
	c := &reviewCounter{r: r, overall: newOptionCounts(len(OverallOptions), len(groups))}
	for range r.Cadres {
		c.cadres = append(c.cadres, newOptionCounts(len(CadreOptions), len(groups)))
	}
	return c
}

func (c *reviewCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	if c.r.Overall != "" {
		c.overall.count(group, ff.Lines[OverallLine], OverallOptions)
	}
	for i, cad := range c.r.Cadres {
		c.cadres[i].count(group, ff.Lines[cad.ID], CadreOptions)
	}
}

func (c *reviewCounter) finish(ft *FormTally) {
	rt := &ReviewTally{Overall: c.r.Overall, OverallOptions: OverallOptions, CadreOptions: CadreOptions}
	if c.r.Overall != "" {
		o := c.overall
		rt.OverallCounts = &o
		rt.OverallGood = R(int64(o.Sum(0, 1)), int64(o.Answered()))
	}
	for i, cad := range c.r.Cadres {
		oc := c.cadres[i]
		ans := int64(oc.Answered())
		cr := CadreReview{ID: cad.ID, Name: cad.Name, Post: cad.Post, Counts: oc,
			Approve: R(int64(oc.Sum(0, 1)), ans), Disagree: R(int64(oc.Sum(2)), ans)}
		// RULES: 新提拔干部评议 — flag 不认同率 > 1/3 (practice; configurable).
		if ans > 0 && cr.Disagree.Greater(c.r.DisagreeAbove) {
			cr.Flags = append(cr.Flags, Flag{Code: RuleDisagree, Label: fmt.Sprintf(labelDisagree, FractionText(c.r.DisagreeAbove)), Rule: fmt.Sprintf(ruleDisagree, FractionText(c.r.DisagreeAbove)), Value: cr.Disagree, Threshold: c.r.DisagreeAbove})
		}
		rt.Cadres = append(rt.Cadres, cr)
	}
	rankReview(rt.Cadres)
	ft.Review = rt
}

// rankReview ranks cadres by 认同率 and flags the lowest (RULES: 「满意度明显偏低」 → the
// organisation explains; Minyi flags, never judges).
func rankReview(cs []CadreReview) {
	idx := make([]int, len(cs))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) Ratio {
		if !cs[i].Approve.Valid() {
			return R(-1, 1)
		}
		return cs[i].Approve
	}
	sort.SliceStable(idx, func(a, b int) bool { return key(idx[a]).Greater(key(idx[b])) })
	for pos, i := range idx {
		cs[i].Rank = pos + 1
		if pos > 0 && key(i).Cmp(key(idx[pos-1])) == 0 {
			cs[i].Rank = cs[idx[pos-1]].Rank
		}
	}
	if len(cs) < 2 {
		return
	}
	last := key(idx[len(idx)-1])
	if last.Cmp(key(idx[0])) == 0 || !cs[idx[len(idx)-1]].Approve.Valid() {
		return
	}
	for _, i := range idx {
		if key(i).Cmp(last) == 0 {
			cs[i].Flags = append(cs[i].Flags, Flag{Code: "lowest", Label: "认同率末位", Rule: ruleLowest, Value: cs[i].Approve})
		}
	}
}

// As cells: a line for the overall evaluation and one per cadre, one option at most; a
// line of several is invalid, a blank one all zeros (its count is the row's ballots less
// the others).

func (r *Review) layout(b *layoutBuilder) {
	if r.Overall != "" {
		b.line(OverallLine, OverallOptions, 1)
	}
	for _, c := range r.Cadres {
		b.line(c.ID, CadreOptions, 1)
	}
}

func (r *Review) marks(ff *FilledForm, _ func(string) bool, m *marker) {
	one := func(line string, options []string) {
		switch marks := ff.Lines[line]; len(marks) {
		case 0:
		case 1:
			m.mark(line, indexOf(options, marks[0]))
		default:
			m.void(line)
		}
	}
	if r.Overall != "" {
		one(OverallLine, OverallOptions)
	}
	for _, c := range r.Cadres {
		one(c.ID, CadreOptions)
	}
}

func (r *Review) textSlots() []TextSlot { return nil }

func (r *Review) sumsCounter(groups []Group) sumsCounter { return r.counter(groups).(*reviewCounter) }

func (c *reviewCounter) addRow(row int, s rowSums) {
	if c.r.Overall != "" {
		c.overall.addSums(row, s, OverallLine)
	}
	for i, cad := range c.r.Cadres {
		c.cadres[i].addSums(row, s, cad.ID)
	}
}

func (c *reviewCounter) addText(int, Text) bool { return false }
