package ballot

import (
	"fmt"
	"sort"
)

// RecommendationTally is the result of a 民主推荐 form.
type RecommendationTally struct {
	Shape     string          `json:"shape"`
	Positions []PositionTally `json:"positions"`
	// Rules are the rules the form applies, worded from its thresholds.
	Rules []Flag `json:"rules,omitempty"`
}

// PositionTally is one position's result. Valid lines include those that recommend nobody
// (弃权); rates are over the valid lines of the position (RULES: rate denominators).
type PositionTally struct {
	ID         string           `json:"id"`
	Title      string           `json:"title"`
	Seats      int              `json:"seats"`
	Valid      groupCounts      `json:"valid"`
	Invalid    groupCounts      `json:"invalid"`
	Blank      groupCounts      `json:"blank"` // valid lines recommending nobody
	Candidates []CandidateTally `json:"candidates"`
	Flags      []Flag           `json:"flags,omitempty"`
}

// CandidateTally is one person's votes in a position, listed or written in.
type CandidateTally struct {
	ID       string      `json:"id,omitempty"`
	Name     string      `json:"name"`
	Post     string      `json:"post,omitempty"`
	WriteIn  bool        `json:"write_in,omitempty"` // 另推
	Votes    groupCounts `json:"votes"`              // marks, or 同意 (+ 另选)
	Disagree groupCounts `json:"disagree"`           // per_candidate only
	Abstain  groupCounts `json:"abstain"`            // per_candidate only (blank counts as 弃权)
	Rate     Ratio       `json:"rate"`               // 得票率 = votes / valid
	Rank     int         `json:"rank"`
	Flags    []Flag      `json:"flags,omitempty"`
	// Spellings are the different ways voters wrote this name that were counted as this
	// person (width, spacing, invisible characters), for the tellers to see; empty when
	// every vote spelled it alike.
	Spellings []string `json:"spellings,omitempty"`
}

// RateIn is the 得票率 within voter group g (RULES: 分类统计).
func (c CandidateTally) RateIn(p PositionTally, g int) Ratio {
	return R(int64(c.Votes.ByGroup[g]), int64(p.Valid.ByGroup[g]))
}

type positionCounter struct {
	valid, invalid, blank groupCounts
	votes, disagree, abst []groupCounts
	writeIns              map[string]*writeInCount   // by NameKey
	spelled               map[string]map[string]bool // by candidate id, or "+" and the written-in name's key
}

// writeInCount is one person written in: the votes, and how often each normalised
// spelling of the name was written, from which the tally's spelling is chosen.
type writeInCount struct {
	votes groupCounts
	names map[string]int
}

// add counts a vote of group for the person, written as name (normalised).
func (w *writeInCount) add(group int, name string) {
	w.votes.add(group)
	w.names[name]++
}

// name is the spelling the tally shows for a person written in under several: the one
// written most often, and among those the first in byte order (so a spaced "Zhang San"
// comes before "ZhangSan"). It depends only on the counts, so the count and a recount
// from the bundle agree.
func (w *writeInCount) name() string {
	best, most := "", 0
	for n, k := range w.names {
		if k > most || k == most && n < best {
			best, most = n, k
		}
	}
	return best
}

// writeIn is the count of the person whose name has key, made at the first vote.
func (pc *positionCounter) writeIn(key string, groups int) *writeInCount {
	w := pc.writeIns[key]
	if w == nil {
		w = &writeInCount{votes: newGroupCounts(groups), names: map[string]int{}}
		pc.writeIns[key] = w
	}
	return w
}

type recommendationCounter struct {
	r      *Recommendation
	groups int
	pos    []positionCounter
}

func (r *Recommendation) counter(groups []Group) formCounter {
	c := &recommendationCounter{r: r, groups: len(groups), pos: make([]positionCounter, len(r.Positions))}
	for i, p := range r.Positions {
		pc := &c.pos[i]
		pc.valid, pc.invalid, pc.blank = newGroupCounts(len(groups)), newGroupCounts(len(groups)), newGroupCounts(len(groups))
		pc.writeIns = map[string]*writeInCount{}
		pc.spelled = map[string]map[string]bool{}
		for range p.Candidates {
			pc.votes = append(pc.votes, newGroupCounts(len(groups)))
			pc.disagree = append(pc.disagree, newGroupCounts(len(groups)))
			pc.abst = append(pc.abst, newGroupCounts(len(groups)))
		}
	}
	return c
}

func (c *recommendationCounter) add(group int, ff *FilledForm, spoilt func(string) bool) {
	for i := range c.r.Positions {
		p, pc := &c.r.Positions[i], &c.pos[i]
		if spoilt(p.ID) {
			pc.invalid.add(group)
			continue
		}
		l, err := c.r.read(p, ff)
		if err != nil { // Check passed this ballot, so this cannot happen; count it invalid
			pc.invalid.add(group)
			continue
		}
		pc.valid.add(group)
		if len(l.votes)+len(l.writeIns) == 0 {
			pc.blank.add(group)
		}
		for _, v := range l.votes {
			pc.votes[v].add(group)
		}
		for j, o := range l.opinion {
			switch o {
			case Disagree:
				pc.disagree[j].add(group)
			case Abstain, "":
				pc.abst[j].add(group)
			}
		}
		for j, spelling := range l.listedAs {
			pc.spell(p.Candidates[j].ID, spelling)
		}
		for k, name := range l.writeIns {
			key := NameKey(name)
			pc.spell("+"+key, l.spelled[k])
			pc.writeIn(key, c.groups).add(group, name)
		}
	}
}

func (c *recommendationCounter) finish(ft *FormTally) {
	rt := &RecommendationTally{Shape: c.r.Shape, Rules: []Flag{
		{Code: RuleShortlist, Label: "进入差额考察", Rule: c.r.ruleText(RuleShortlist)},
		{Code: RuleBelowHalf, Label: "得票未过半", Rule: c.r.ruleText(RuleBelowHalf), Threshold: c.r.FlagBelow},
		{Code: RuleSecondRound, Label: "建议二次推荐", Rule: c.r.ruleText(RuleSecondRound), Threshold: c.r.SecondRoundBelow}}}
	for i, p := range c.r.Positions {
		pc := &c.pos[i]
		pt := PositionTally{ID: p.ID, Title: p.Title, Seats: p.Seats, Valid: pc.valid, Invalid: pc.invalid, Blank: pc.blank}
		for j, cand := range p.Candidates {
			pt.Candidates = append(pt.Candidates, CandidateTally{ID: cand.ID, Name: cand.Name, Post: cand.Post,
				Votes: pc.votes[j], Disagree: pc.disagree[j], Abstain: pc.abst[j], Spellings: pc.spellings(cand.ID, cand.Name)})
		}
		// Ties are listed by key, as they were when the key was the name shown, so the
		// order of a tally counted before names kept their spaces is recounted alike.
		var keys []string
		for k := range pc.writeIns {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(a, b int) bool {
			va, vb := pc.writeIns[keys[a]].votes.Total, pc.writeIns[keys[b]].votes.Total
			return va > vb || va == vb && keys[a] < keys[b]
		})
		for _, k := range keys {
			w := pc.writeIns[k]
			pt.Candidates = append(pt.Candidates, CandidateTally{Name: w.name(), WriteIn: true, Votes: w.votes,
				Disagree: newGroupCounts(c.groups), Abstain: newGroupCounts(c.groups), Spellings: pc.spellings("+"+k, "")})
		}
		c.r.judge(&pt)
		rt.Positions = append(rt.Positions, pt)
	}
	ft.Recommendation = rt
}

func (pc *positionCounter) spell(key, spelling string) {
	if pc.spelled[key] == nil {
		pc.spelled[key] = map[string]bool{}
	}
	pc.spelled[key][spelling] = true
}

// spellings lists the spellings counted as one person, listed ones with the name on the
// list, when there is more than one.
func (pc *positionCounter) spellings(key, listed string) []string {
	set := pc.spelled[key]
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set)+1)
	for s := range set {
		if s != listed {
			out = append(out, s)
		}
	}
	if listed != "" {
		out = append(out, listed)
	}
	if len(out) < 2 {
		return nil
	}
	sort.Strings(out)
	return out
}

// judge applies the RULES 民主推荐 flags to a position: 得票率 below 1/2, the top n with
// ties at the cut, and the suggestion of a second round. Flags are suggestions only
// (2014 条例 §23: 「不简单以推荐票取人」).
func (r *Recommendation) judge(pt *PositionTally) {
	valid := int64(pt.Valid.Total)
	votes := make([]int, len(pt.Candidates))
	best := R(0, valid)
	for i := range pt.Candidates {
		c := &pt.Candidates[i]
		votes[i] = c.Votes.Total
		c.Rate = R(int64(c.Votes.Total), valid)
		if valid > 0 && c.Rate.Greater(best) {
			best = c.Rate
		}
	}
	rank, in, tied := rankShortlist(votes, r.Shortlist)
	for i := range pt.Candidates {
		c := &pt.Candidates[i]
		c.Rank = rank[i]
		if valid == 0 {
			continue
		}
		if in[i] {
			c.Flags = append(c.Flags, Flag{Code: RuleShortlist, Label: "进入差额考察", Rule: r.ruleText(RuleShortlist), Value: c.Rate})
		}
		if tied[i] {
			c.Flags = append(c.Flags, Flag{Code: "tie", Label: "并列", Rule: fmt.Sprintf(ruleTie, r.Shortlist), Value: c.Rate})
		}
		// RULES: 「得票数低于二分之一的，一般不列为考察对象」 (001 §19): strictly less.
		if c.Rate.Less(r.FlagBelow) {
			c.Flags = append(c.Flags, Flag{Code: RuleBelowHalf, Label: "得票未过半", Rule: r.ruleText(RuleBelowHalf), Value: c.Rate, Threshold: r.FlagBelow})
		}
		if c.WriteIn {
			c.Flags = append(c.Flags, Flag{Code: "write_in", Label: labelWriteIn, Rule: ruleWriteIn, Value: c.Rate})
		}
	}
	// RULES: a second round when the best 得票率 < 30% (practice, 温州).
	if valid > 0 && best.Less(r.SecondRoundBelow) {
		pt.Flags = append(pt.Flags, Flag{Code: RuleSecondRound, Label: "建议二次推荐", Rule: r.ruleText(RuleSecondRound), Value: best, Threshold: r.SecondRoundBelow})
	}
}

// NextRound proposes the positions of a second round (RULES: 「二次推荐」, 000 「一述两推」):
// each position keeps its seats and takes the candidates the first round shortlisted
// (「进入差额考察」, ties included), listed by votes. The organizer confirms the list.
func (r *Recommendation) NextRound(t *RecommendationTally) []Position {
	var out []Position
	for i, pt := range t.Positions {
		p := Position{Title: pt.Title, Seats: pt.Seats}
		if i < len(r.Positions) {
			p.WriteIns = r.Positions[i].WriteIns
		}
		cands := append([]CandidateTally(nil), pt.Candidates...)
		sort.SliceStable(cands, func(a, b int) bool { return cands[a].Votes.Total > cands[b].Votes.Total })
		for _, c := range cands {
			for _, f := range c.Flags {
				if f.Code == "shortlist" {
					p.Candidates = append(p.Candidates, Candidate{Name: c.Name, Post: c.Post})
					break
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// As cells. A marked form has a line per position: a cell per listed candidate and one
// for a line recommending nobody, at most seats marks. A per-candidate form has a line
// per position holding only that blank cell, and a line per candidate, 同意 / 不同意 /
// 弃权 (a blank opinion is 弃权, a listed name written in is 同意, as the rule reads
// them). A position over its seats or with two opinions on a name is invalid on all its
// lines. Names written in are texts, on the position's line: those of listed candidates
// too, since their spellings are shown; their vote is already the candidate's cell.

func (r *Recommendation) layout(b *layoutBuilder) {
	for i := range r.Positions {
		p := &r.Positions[i]
		if r.Shape == ShapeMark {
			ids := make([]string, 0, len(p.Candidates)+1)
			for _, c := range p.Candidates {
				ids = append(ids, c.ID)
			}
			b.line(p.ID, append(ids, BlankLabel), p.Seats)
			continue
		}
		b.line(p.ID, []string{BlankLabel}, 1)
		for _, c := range p.Candidates {
			b.line(p.ID+"/"+c.ID, AgreeOptions, 1)
		}
	}
}

func (r *Recommendation) marks(ff *FilledForm, spoilt func(string) bool, m *marker) {
	for i := range r.Positions {
		p := &r.Positions[i]
		l, err := r.read(p, ff)
		if spoilt(p.ID) || err != nil {
			for _, key := range r.lineKeysOf(p) {
				m.void(key)
			}
			continue
		}
		blank := 0
		if r.Shape == ShapeMark {
			blank = len(p.Candidates)
			for _, v := range l.votes {
				m.mark(p.ID, v)
			}
		} else {
			for j, o := range l.opinion {
				if o == "" {
					o = Abstain
				}
				m.mark(p.ID+"/"+p.Candidates[j].ID, indexOf(AgreeOptions, o))
			}
		}
		if len(l.votes)+len(l.writeIns) == 0 {
			m.mark(p.ID, blank)
		}
		for j := range p.Candidates {
			if s, ok := l.listedAs[j]; ok {
				m.text(p.ID, s, true)
			}
		}
		for _, s := range l.spelled {
			m.text(p.ID, s, true)
		}
	}
}

// textSlots: a valid position holds at most seats names, listed or written in.
func (r *Recommendation) textSlots() []TextSlot {
	var out []TextSlot
	for i := range r.Positions {
		if p := &r.Positions[i]; r.writeInSlots(p, p.ID) > 0 {
			out = append(out, TextSlot{Line: p.ID, Count: p.Seats, Size: MaxNameLen * maxRuneUTF8})
		}
	}
	return out
}

func (r *Recommendation) sumsCounter(groups []Group) sumsCounter {
	return r.counter(groups).(*recommendationCounter)
}

func (c *recommendationCounter) addRow(row int, s rowSums) {
	for i := range c.r.Positions {
		p, pc := &c.r.Positions[i], &c.pos[i]
		inv := s.invalid(p.ID)
		pc.invalid.addN(row, inv)
		pc.valid.addN(row, s.n-inv)
		if c.r.Shape == ShapeMark {
			for j := range p.Candidates {
				pc.votes[j].addN(row, s.option(p.ID, j))
			}
			pc.blank.addN(row, s.option(p.ID, len(p.Candidates)))
			continue
		}
		pc.blank.addN(row, s.option(p.ID, 0))
		for j, cand := range p.Candidates {
			key := p.ID + "/" + cand.ID
			pc.votes[j].addN(row, s.option(key, 0))
			pc.disagree[j].addN(row, s.option(key, 1))
			pc.abst[j].addN(row, s.option(key, 2))
		}
	}
}

// addText counts a name written in on a valid line: a listed candidate's spelling, or a
// vote for the person it names.
func (c *recommendationCounter) addText(row int, t Text) bool {
	for i := range c.r.Positions {
		p, pc := &c.r.Positions[i], &c.pos[i]
		if p.ID != t.Line {
			continue
		}
		name := NormalizeName(t.Text)
		if name == "" || row < 0 {
			return false
		}
		if j := p.listedIndex(name); j >= 0 {
			pc.spell(p.Candidates[j].ID, t.Text)
			return true
		}
		key := NameKey(name)
		pc.spell("+"+key, t.Text)
		pc.writeIn(key, c.groups).add(row, name)
		return true
	}
	return false
}
