package ballot

import (
	"fmt"
	"strings"

	"minyi/i18n"
)

// Approval is a 表决 / 票决 form: 同意 / 不同意 / 弃权 on each nominee (RULES: 表决, seed 001 §5
// 「票决制」, 004 「差额票决」).
type Approval struct {
	Nominees []Candidate `json:"nominees"`
	// Seats: 0 decides each nominee on its own; fewer than the nominees is 差额票决, where
	// the seats nominees with the most 同意 that also pass are elected.
	Seats int `json:"seats"`
	// PassOver: a nominee passes when 同意 > base × this (practice for 常委会票决: 1/2).
	PassOver Ratio `json:"pass_over"`
	// PassBase: "expected" (应到, default) or "turnout" (实到).
	PassBase string `json:"pass_base"`
}

// Bases of the approval threshold.
const (
	BaseExpected = "expected"
	BaseTurnout  = "turnout"
)

// DefaultPassOver is "more than half".
var DefaultPassOver = R(1, 2)

func (a *Approval) normalize() {
	if !a.PassOver.Valid() {
		a.PassOver = DefaultPassOver
	}
	if a.PassBase == "" {
		a.PassBase = BaseExpected
	}
	for i := range a.Nominees {
		n := &a.Nominees[i]
		n.Name = NormalizeName(n.Name)
		n.Post = strings.TrimSpace(n.Post)
		if n.ID == "" {
			n.ID = fmt.Sprintf("n%d", i+1)
		}
	}
}

func (a *Approval) validate() error {
	if len(a.Nominees) == 0 || len(a.Nominees) > MaxCandidates {
		return Errorf(EINVALID, "表决对象应为1到%d人", MaxCandidates)
	}
	if a.Seats < 0 || a.Seats > len(a.Nominees) {
		return Errorf(EINVALID, "应选人数应在0（逐一表决）到表决对象人数之间")
	}
	if a.PassBase != BaseExpected && a.PassBase != BaseTurnout {
		return Errorf(EINVALID, "通过票数的基数应为 expected（应到）或 turnout（实到）")
	}
	if err := checkThreshold(i18n.N("通过"), a.PassOver); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, n := range a.Nominees {
		if n.Name == "" || NameLen(n.Name) > MaxNameLen {
			return Errorf(EINVALID, "第%d位表决对象的姓名为空或过长", i+1)
		}
		key := NameKey(n.Name) + "\x00" + n.Post
		if seen[key] || seen["id\x00"+n.ID] {
			return Errorf(EINVALID, "表决对象“%s”重复", n.Name)
		}
		seen[key], seen["id\x00"+n.ID] = true, true
		if err := checkIDs(i18n.N("表决对象"), n.ID); err != nil {
			return err
		}
	}
	return nil
}

func (a *Approval) lines() map[string][]string {
	m := map[string][]string{}
	for _, n := range a.Nominees {
		m[n.ID] = AgreeOptions
	}
	return m
}

// contested reports 差额票决.
func (a *Approval) contested() bool { return a.Seats > 0 && a.Seats < len(a.Nominees) }

// check: no mark is 弃权; two marks on a nominee make that nominee's line invalid; in a
// 差额票决 more 同意 than seats make the whole form invalid on this ballot.
func (a *Approval) check(ff *FilledForm) ([]Spoilt, error) {
	if err := checkOptions(ff, a.lines()); err != nil {
		return nil, err
	}
	var spoilt []Spoilt
	agree := 0
	for _, n := range a.Nominees {
		marks := ff.Lines[n.ID]
		if len(marks) > 1 {
			spoilt = append(spoilt, Spoilt{Line: n.ID, Label: n.Name, Reason: "选择了多个意见"})
		} else if len(marks) == 1 && marks[0] == Agree {
			agree++
		}
	}
	if a.contested() && agree > a.Seats {
		return []Spoilt{spoiltf(WholeForm, "全表", "同意%d人，超过应选人数%d人", agree, a.Seats)}, nil
	}
	return spoilt, nil
}

// ApprovalTally is the result of a 表决 form.
type ApprovalTally struct {
	Seats     int            `json:"seats"`
	PassBase  string         `json:"pass_base"`
	Base      int            `json:"base"` // 应到 or 实到, as PassBase says
	PassOver  Ratio          `json:"pass_over"`
	Needed    int            `json:"needed"` // the fewest 同意 that pass
	Nominees  []NomineeTally `json:"nominees"`
	WholeVoid groupCounts    `json:"whole_void"` // ballots whose whole form was invalid
	// Rule is the passing rule worded from the form: 「同意票超过应到人数的二分之一」.
	Rule string `json:"rule,omitempty"`
}

// NomineeTally is one nominee's result. Blank lines count as 弃权.
type NomineeTally struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Post    string       `json:"post,omitempty"`
	Counts  OptionCounts `json:"counts"`
	Agree   Ratio        `json:"agree"` // 同意 / base
	Passed  bool         `json:"passed"`
	Elected bool         `json:"elected"`
	Flags   []Flag       `json:"flags,omitempty"`
}

type approvalCounter struct {
	a      *Approval
	counts []OptionCounts
	void   groupCounts
}

func (a *Approval) counter(groups []Group) formCounter {
	c := &approvalCounter{a: a, void: newGroupCounts(len(groups))}
	for range a.Nominees {
		c.counts = append(c.counts, newOptionCounts(len(AgreeOptions), len(groups)))
	}
	return c
}

func (c *approvalCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	if spoilt(WholeForm) {
		c.void.add(group)
		for i := range c.a.Nominees {
			c.counts[i].Invalid.add(group)
		}
		return
	}
	for i, n := range c.a.Nominees {
		marks := ff.Lines[n.ID]
		if len(marks) == 0 {
			marks = []string{Abstain} // RULES: approval — no mark is 弃权
		}
		c.counts[i].count(group, marks, AgreeOptions)
	}
}

func (c *approvalCounter) finish(ft *FormTally) {
	at := &ApprovalTally{Seats: c.a.Seats, PassBase: c.a.PassBase, PassOver: c.a.PassOver, WholeVoid: c.void, Rule: c.a.ruleText(RulePass)}
	for i, n := range c.a.Nominees {
		at.Nominees = append(at.Nominees, NomineeTally{ID: n.ID, Name: n.Name, Post: n.Post, Counts: c.counts[i]})
	}
	ft.Approval = at
}

// judge decides who passes (同意 > base × PassOver, exactly) and, in a 差额票决, who is
// elected; ties at the last seat are flagged, not decided.
func (a *Approval) judge(at *ApprovalTally, expected, turnout int) {
	at.Base = expected
	if a.PassBase == BaseTurnout {
		at.Base = turnout
	}
	// smallest integer strictly above base × num/den
	at.Needed = int(int64(at.Base)*a.PassOver.Num/a.PassOver.Den) + 1
	votes := make([]int, len(at.Nominees))
	for i := range at.Nominees {
		n := &at.Nominees[i]
		agree := n.Counts.Options[0].Total
		n.Agree = R(int64(agree), int64(at.Base))
		// RULES: 表决 — passes when 同意 > 应到 × 1/2 (strictly more).
		n.Passed = at.Base > 0 && n.Agree.Greater(a.PassOver)
		rule := a.ruleText(RulePass)
		if n.Passed {
			n.Flags = append(n.Flags, Flag{Code: RulePass, Label: "通过", Rule: rule, Value: n.Agree, Threshold: a.PassOver})
			votes[i] = agree
		} else {
			n.Flags = append(n.Flags, Flag{Code: "not_passed", Label: "未通过", Rule: rule, Value: n.Agree, Threshold: a.PassOver})
		}
	}
	if !a.contested() {
		for i := range at.Nominees {
			at.Nominees[i].Elected = at.Nominees[i].Passed
		}
		return
	}
	_, in, tied := rankShortlist(votes, a.Seats)
	for i := range at.Nominees {
		n := &at.Nominees[i]
		switch {
		case tied[i]:
			n.Flags = append(n.Flags, Flag{Code: "tie", Label: "并列，需另行表决", Rule: fmt.Sprintf(ruleApprovalTie, a.Seats), Value: n.Agree})
		case in[i]:
			n.Elected = true
			n.Flags = append(n.Flags, Flag{Code: "elected", Label: "当选", Rule: fmt.Sprintf(ruleElected, a.Seats), Value: n.Agree})
		}
	}
}

// As cells: a line per nominee, 同意 / 不同意 / 弃权, one opinion at most, a blank line
// being 弃权 as the plain counter reads it; a 差额票决 adds a line of the whole form,
// whose invalid cell says the form was void (more 同意 than seats). A void form also
// sets every nominee's invalid cell, as it counts invalid for each.

func (a *Approval) layout(b *layoutBuilder) {
	if a.contested() {
		b.line(WholeForm, nil, 1)
	}
	for _, n := range a.Nominees {
		b.line(n.ID, AgreeOptions, 1)
	}
}

func (a *Approval) marks(ff *FilledForm, spoilt func(string) bool, m *marker) {
	if spoilt(WholeForm) {
		if a.contested() {
			m.void(WholeForm)
		}
		for _, n := range a.Nominees {
			m.void(n.ID)
		}
		return
	}
	for _, n := range a.Nominees {
		switch marks := ff.Lines[n.ID]; len(marks) {
		case 0:
			m.mark(n.ID, indexOf(AgreeOptions, Abstain)) // RULES: approval — no mark is 弃权
		case 1:
			m.mark(n.ID, indexOf(AgreeOptions, marks[0]))
		default:
			m.void(n.ID)
		}
	}
}

func (a *Approval) textSlots() []TextSlot { return nil }

func (a *Approval) sumsCounter(groups []Group) sumsCounter {
	return a.counter(groups).(*approvalCounter)
}

func (c *approvalCounter) addRow(r int, s rowSums) {
	if c.a.contested() {
		c.void.addN(r, s.invalid(WholeForm))
	}
	for i, n := range c.a.Nominees {
		for k, v := range s.options(n.ID) {
			c.counts[i].Options[k].addN(r, v)
		}
		c.counts[i].Invalid.addN(r, s.invalid(n.ID))
	}
}

func (c *approvalCounter) addText(int, Text) bool { return false }
