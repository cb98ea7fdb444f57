package ballot

import (
	"fmt"
	"strings"

	"minyi/survey"
)

// Turnout is the count of tokens per voter group, the only figure visible before close.
type Turnout struct {
	Group  string `json:"group"`
	Issued int    `json:"issued"` // issued and not voided (发出)
	Voided int    `json:"voided"`
	Used   int    `json:"used"`  // 实到, on phones and on paper
	Paper  int    `json:"paper"` // tokens whose voters voted on paper
	// PaperBallots is how many paper ballots went into the box: a count kept apart, since
	// no ballot in the box says it came from paper.
	PaperBallots int `json:"paper_ballots"`
}

// PlainBallot is an opened ballot with the voter group it was cast in.
type PlainBallot struct {
	Group  string
	Ballot Ballot
	Broken bool // failed to open or to decode
	// Unit is the unit of the voter's group, for a ballot whose Group is MergedGroup (a
	// certified bundle's, where a pooled group's ballots do not name their group).
	Unit string
}

// Tally is the result of counting a poll's box.
type Tally struct {
	PollID    string        `json:"poll_id"`
	Title     string        `json:"title"`
	Rehearsal bool          `json:"rehearsal,omitempty"` // a 模拟测评: test data, never a result
	Groups    []GroupResult `json:"groups"`
	// Results are the rows the forms' per-group counts (by_group) follow, when small
	// groups were pooled (see ResultGroups); none when they follow Groups.
	Results   []GroupResult `json:"results,omitempty"`
	Expected  int           `json:"expected"`   // 应到
	Used      int           `json:"used"`       // 实到: tokens used
	Ballots   int           `json:"ballots"`    // ballots in the box
	Paper     int           `json:"paper"`      // of which entered from paper
	Rejected  int           `json:"rejected"`   // ballots that failed to open or to parse
	Quorum    Ratio         `json:"quorum"`     // the setting q
	Needed    int           `json:"needed"`     // ⌈应到 × q⌉
	QuorumMet bool          `json:"quorum_met"` // 实到 ≥ needed
	Notes     []string      `json:"notes,omitempty"`
	// BoxChecks say which voter groups the count checked ballot by ballot although the box
	// kept sums for them, and why (a ballot missing, changed, or a record altered).
	BoxChecks []string `json:"box_checks,omitempty"`
	// OpenedBy are the tellers whose shares opened the box (none: the server-held key).
	OpenedBy []string `json:"opened_by,omitempty"`
	// KeyNote says who held the poll's key (Poll.KeyNote), as every document prints it;
	// tallies of polls saved before the setting existed have none (see KeyText).
	KeyNote string      `json:"key_note,omitempty"`
	Forms   []FormTally `json:"forms"`
	// Rules is the version of the counting rules' wording and conclusions this tally was
	// made with; tallies from before it was kept have none (see Verify).
	Rules int `json:"rules,omitempty"`

	// Unreadable are the places (from 1) of the rejected ballots among the ballots of
	// the certified bundle, so the tellers can find each one there.
	Unreadable []int `json:"unreadable,omitempty"`
}

// RulesVersion is the version of the conclusions Count draws: 2 words every rule from
// its form and withholds every conclusion below quorum; 3 pools the small voter groups
// and counts per result row.
const RulesVersion = 3

// GroupResult is a voter group's turnout in the tally.
type GroupResult struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Expected int    `json:"expected"`
	Issued   int    `json:"issued"`
	Voided   int    `json:"voided"`
	Used     int    `json:"used"`
	Ballots  int    `json:"ballots"`
	Paper    int    `json:"paper"`        // paper ballots among the ballots
	PaperTok int    `json:"paper_tokens"` // tokens marked for paper
	// Members are the names of the groups a pooled result row holds.
	Members []string `json:"members,omitempty"`
}

// ResultRows are the rows the forms' per-group counts follow, in their order.
func (t *Tally) ResultRows() []GroupResult {
	if len(t.Results) > 0 {
		return t.Results
	}
	return t.Groups
}

// Participation is 实到/应到 (RULES: 参与率).
func (g GroupResult) Participation() Ratio { return R(int64(g.Used), int64(g.Expected)) }

// Participation is the poll's 实到/应到.
func (t *Tally) Participation() Ratio { return R(int64(t.Used), int64(t.Expected)) }

// FormTally is the result of one form.
type FormTally struct {
	Form           string               `json:"form"`
	Kind           Kind                 `json:"kind"`
	Title          string               `json:"title"`
	Evaluation     *EvaluationTally     `json:"evaluation,omitempty"`
	Recommendation *RecommendationTally `json:"recommendation,omitempty"`
	Approval       *ApprovalTally       `json:"approval,omitempty"`
	Review         *ReviewTally         `json:"review,omitempty"`
	Survey         *survey.Tally        `json:"survey,omitempty"`
	Scoring        *ScoringTally        `json:"scoring,omitempty"`
}

// Flag is a suggestion for the evaluators, never a verdict (RULES: conclusions): the rule,
// its threshold and the exact fraction that triggered it.
type Flag struct {
	Code      string `json:"code"`
	Label     string `json:"label"`
	Rule      string `json:"rule"`
	Value     Ratio  `json:"value"`
	Threshold Ratio  `json:"threshold"`
}

// QuorumNote is printed on a tally whose turnout is below quorum (RULES: quorum).
const QuorumNote = "未达法定人数，结果无效"

// Count opens nothing and trusts nothing: it re-checks every plain ballot with Poll.Check
// and counts it by the form rules. A ballot that fails the check is rejected whole and
// reported, never silently dropped.
//
// Small groups are pooled first (ResultGroups, on the ballots each group put in the box,
// which a paper ballot still waiting to be entered is not): every ballot is checked against
// its own group and counted in its group's result row.
func Count(p *Poll, turnout []Turnout, box []PlainBallot) *Tally {
	return count(p, turnout, box, true, nil)
}

// count is Count; merge false keeps every group its own row, as tallies were made before
// small groups were pooled, to recount their bundles. sizes are the ballots per group the
// pooling is decided on; nil: the box's ballots by their group.
func count(p *Poll, turnout []Turnout, box []PlainBallot, merge bool, sizes []int) *Tally {
	byGroup := map[string]int{}
	for i, g := range p.Groups {
		byGroup[g.ID] = i
	}
	if sizes == nil {
		sizes = make([]int, len(p.Groups))
		for _, pb := range box {
			if i, ok := byGroup[pb.Group]; ok {
				sizes[i]++
			}
		}
	}
	t, rg := p.openTally(turnout, sizes, merge)
	counters := make([]formCounter, len(p.Forms))
	for i := range p.Forms {
		counters[i] = p.Forms[i].kind().counter(rg.Groups)
	}
	for n, pb := range box {
		t.Ballots++
		gi, ok := byGroup[pb.Group]
		ri := -1
		if ok {
			t.Groups[gi].Ballots++
			ri = rg.Of[gi]
		} else if pb.Group == MergedGroup && rg.Merged >= 0 {
			ok, ri = true, rg.Merged
		}
		if ri >= 0 && t.Results != nil {
			t.Results[ri].Ballots++
		}
		if !ok || pb.Broken {
			t.reject(n)
			continue
		}
		b, spoilt, err := p.countable(pb)
		if err != nil {
			t.reject(n)
			continue
		}
		for i := range p.Forms {
			counters[i].add(ri, &b.Forms[i], spoiltLines(p.Forms[i].ID, spoilt))
		}
	}
	t.conclude()
	t.noteUnreadable()
	t.finishForms(p, func(i int, ft *FormTally) { counters[i].finish(ft) })
	return t
}

// spoiltLines is the judgement of the rule on one form of a ballot: a line counts as
// invalid when it is spoilt itself or its whole form is.
func spoiltLines(form string, spoilt []Spoilt) func(line string) bool {
	bad := map[string]bool{}
	for _, s := range spoilt {
		if s.Form == form {
			bad[s.Line] = true
		}
	}
	return func(line string) bool { return bad[line] || bad[WholeForm] }
}

// openTally starts a tally: the groups' turnout and the result rows decided on sizes, the
// ballots each group put in the box. merge false keeps every group its own row.
func (p *Poll) openTally(turnout []Turnout, sizes []int, merge bool) (*Tally, ResultGroups) {
	t := &Tally{PollID: p.ID, Title: p.Title, Rehearsal: p.Rehearsal, Quorum: p.Quorum, Needed: p.QuorumNeeded()}
	if p.KeyHolder != "" { // a poll saved before the setting existed says nothing of it
		t.KeyNote = p.KeyNote()
	}
	byGroup := map[string]int{}
	for i, g := range p.Groups {
		byGroup[g.ID] = i
		t.Groups = append(t.Groups, GroupResult{ID: g.ID, Name: g.Name, Expected: g.Expected})
		t.Expected += g.Expected
	}
	for _, tu := range turnout {
		if i, ok := byGroup[tu.Group]; ok {
			g := &t.Groups[i]
			g.Issued, g.Voided, g.Used, g.PaperTok, g.Paper = tu.Issued, tu.Voided, tu.Used, tu.Paper, tu.PaperBallots
			t.Paper += tu.PaperBallots
			t.Used += tu.Used
		}
	}
	rg := ResultGroups{Groups: p.Groups, Of: make([]int, len(p.Groups)), Merged: -1}
	if merge {
		rg = p.ResultGroups(sizes)
	} else {
		for i := range rg.Of {
			rg.Of[i] = i
		}
	}
	if rg.Merged >= 0 {
		for i, g := range rg.Groups {
			t.Results = append(t.Results, GroupResult{ID: g.ID, Name: g.Name, Expected: g.Expected})
			if i == rg.Merged {
				for gi, of := range rg.Of {
					if of == i {
						t.Results[i].Members = append(t.Results[i].Members, p.Groups[gi].Name)
					}
				}
			}
		}
		for gi, g := range t.Groups {
			r := &t.Results[rg.Of[gi]]
			r.Issued += g.Issued
			r.Voided += g.Voided
			r.Used += g.Used
			r.Paper += g.Paper
			r.PaperTok += g.PaperTok
		}
		t.Notes = append(t.Notes, rg.Note(p.Weighted()))
	}
	return t, rg
}

// conclude judges the quorum and notes a box that does not match the tokens used.
func (t *Tally) conclude() {
	t.QuorumMet = t.Used >= t.Needed
	if !t.QuorumMet {
		t.Notes = append(t.Notes, fmt.Sprintf(noteNoQuorum, t.Used, t.Expected, t.Needed))
	}
	if t.Ballots != t.Used {
		t.Notes = append(t.Notes, noteBoxMismatch)
	}
}

// finishForms writes each form's result, finish filling its counts, and draws the
// conclusions the rules allow.
func (t *Tally) finishForms(p *Poll, finish func(i int, ft *FormTally)) {
	for i := range p.Forms {
		f := &p.Forms[i]
		ft := FormTally{Form: f.ID, Kind: f.Kind, Title: f.Title}
		finish(i, &ft)
		if ft.Approval != nil {
			f.Approval.judge(ft.Approval, t.Expected, t.Used)
		}
		if !t.QuorumMet {
			withhold(&ft, t.noQuorum())
		}
		t.Forms = append(t.Forms, ft)
	}
	t.Rules = RulesVersion
}

// QuorumReason says why a tally is below quorum: 「实到 5 人，应到 40 人，须至少 27 人」.
func (t *Tally) QuorumReason() string {
	return fmt.Sprintf("实到 %d 人，应到 %d 人，须至少 %d 人", t.Used, t.Expected, t.Needed)
}

// noQuorum is the one flag a line carries below quorum.
func (t *Tally) noQuorum() Flag {
	return Flag{Code: RuleNoQuorum, Label: "未达法定人数", Rule: fmt.Sprintf(ruleNoQuorum, t.Used, t.Expected, t.Needed),
		Value: R(int64(t.Used), int64(t.Expected)), Threshold: t.Quorum}
}

// withhold replaces every conclusion of a form below quorum (RULES: quorum, 「结果无效」)
// by the quorum flag: no 通过, 当选, 进入差额考察 and no suggestion either, since the
// counts they would rest on are not a valid result. The counts themselves stay, to be
// seen. Every output reads the tally, so none can print a conclusion the tally lacks.
func withhold(ft *FormTally, nq Flag) {
	only := []Flag{nq}
	if e := ft.Evaluation; e != nil {
		for i := range e.Subjects {
			e.Subjects[i].Flags = only
		}
	}
	if r := ft.Recommendation; r != nil {
		for i := range r.Positions {
			p := &r.Positions[i]
			p.Flags = only
			for j := range p.Candidates {
				p.Candidates[j].Flags = only
			}
		}
	}
	if a := ft.Approval; a != nil {
		for i := range a.Nominees {
			n := &a.Nominees[i]
			n.Passed, n.Elected, n.Flags = false, false, only
		}
	}
	if r := ft.Review; r != nil {
		for i := range r.Cadres {
			r.Cadres[i].Flags = only
		}
	}
}

// countable is a stored ballot as the count reads it: its text made readable, then
// judged and cleaned by the rule that took it at the door.
func (p *Poll) countable(pb PlainBallot) (Ballot, []Spoilt, error) {
	b := pb.Ballot.readable()
	unit := pb.Unit
	if g, ok := p.Group(pb.Group); ok {
		unit = g.Unit
	}
	spoilt, err := p.checkUnit(unit, &b)
	return b, spoilt, err
}

// unreadable reports a ballot the count rejects.
func (p *Poll) unreadable(pb PlainBallot) bool {
	if _, ok := p.Group(pb.Group); !ok && pb.Group != MergedGroup || pb.Broken {
		return true
	}
	_, _, err := p.countable(pb)
	return err != nil
}

// maxUnreadableNotes bounds the notes naming unreadable ballots one by one.
const maxUnreadableNotes = 20

// unreadableNote is in every note about unreadable ballots.
const unreadableNote = "张选票无法读取"

// reject counts the ballot at place n (from 0) of the box as unreadable.
func (t *Tally) reject(n int) {
	t.Rejected++
	t.Unreadable = append(t.Unreadable, n+1)
}

// noteUnreadable writes the notes naming the unreadable ballots, last, in place of any
// written before (the bundle numbers them again in its own order).
func (t *Tally) noteUnreadable() {
	notes := t.Notes[:0:0]
	for _, n := range t.Notes {
		if !strings.Contains(n, unreadableNote) {
			notes = append(notes, n)
		}
	}
	for i, n := range t.Unreadable {
		if i == maxUnreadableNotes {
			notes = append(notes, fmt.Sprintf(noteUnreadableMore, len(t.Unreadable)-i))
			break
		}
		notes = append(notes, fmt.Sprintf(noteUnreadableOne, n))
	}
	t.Notes = notes
}

// WholeForm as a Spoilt line makes every line of that form invalid on that ballot (e.g. a
// 差额票决 with more 同意 than seats).
const WholeForm = "*"

type formCounter interface {
	add(group int, ff *FilledForm, spoilt func(line string) bool)
	finish(ft *FormTally)
}
