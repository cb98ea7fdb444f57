package ballot

import (
	"fmt"
	"strings"

	"minyi/i18n"
)

// Recommendation is a 民主推荐 form: positions with seats and a candidate list (RULES:
// 民主推荐, seeds 001 §19, 002, 000).
type Recommendation struct {
	// Shape is "mark" (mark at most seats names, write in others) or "per_candidate"
	// (同意/不同意/弃权 on each name, at most seats 同意; a 不同意 or 弃权 may name another).
	Shape     string     `json:"shape"`
	Positions []Position `json:"positions"`
	// FlagBelow: 「得票未过半」 when 得票率 < this (001 §19 「得票数低于二分之一的，一般不列为考察对象」).
	FlagBelow Ratio `json:"flag_below"`
	// Shortlist: the top n of each position are 「进入差额考察」 (001 §19 「得票数前三名」).
	Shortlist int `json:"shortlist"`
	// SecondRoundBelow: suggest a second round when the best 得票率 is below this (practice, 温州).
	SecondRoundBelow Ratio `json:"second_round_below"`
}

// Recommendation shapes.
const (
	ShapeMark         = "mark"
	ShapePerCandidate = "per_candidate"
)

// Options on a per-candidate line.
const (
	Agree    = "同意"
	Disagree = "不同意"
	Abstain  = "弃权"
)

// AgreeOptions are the options of a per-candidate or approval line.
var AgreeOptions = []string{Agree, Disagree, Abstain}

// Position is a post to recommend for (推荐职位) with its seats (应推荐人数).
type Position struct {
	ID         string      `json:"id"`
	Title      string      `json:"title"`
	Seats      int         `json:"seats"`
	Candidates []Candidate `json:"candidates"`
	WriteIns   bool        `json:"write_ins"` // 另推他人 / 另选 allowed
}

// Candidate is a listed person (参考人选, nominee).
type Candidate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Post string `json:"post"`
}

// Defaults of RULES.md 民主推荐.
var (
	DefaultFlagBelow        = R(1, 2)
	DefaultSecondRoundBelow = R(3, 10)
)

// DefaultShortlist is n of 「得票数前三名」.
const DefaultShortlist = 3

// Limits of a recommendation form.
const (
	MaxPositions  = 30
	MaxSeats      = 50
	MaxCandidates = 200
)

func (r *Recommendation) normalize() {
	if r.Shape == "" {
		r.Shape = ShapeMark
	}
	if !r.FlagBelow.Valid() {
		r.FlagBelow = DefaultFlagBelow
	}
	if !r.SecondRoundBelow.Valid() {
		r.SecondRoundBelow = DefaultSecondRoundBelow
	}
	if r.Shortlist == 0 {
		r.Shortlist = DefaultShortlist
	}
	for i := range r.Positions {
		p := &r.Positions[i]
		p.Title = strings.TrimSpace(p.Title)
		if p.ID == "" {
			p.ID = fmt.Sprintf("p%d", i+1)
		}
		for j := range p.Candidates {
			c := &p.Candidates[j]
			c.Name = NormalizeName(c.Name)
			c.Post = strings.TrimSpace(c.Post)
			if c.ID == "" {
				c.ID = fmt.Sprintf("c%d", j+1)
			}
		}
	}
}

func (r *Recommendation) validate() error {
	if r.Shape != ShapeMark && r.Shape != ShapePerCandidate {
		return Errorf(EINVALID, "推荐表的样式应为 mark（划票）或 per_candidate（逐人表态）")
	}
	if len(r.Positions) == 0 || len(r.Positions) > MaxPositions {
		return Errorf(EINVALID, "推荐职位应为1到%d个", MaxPositions)
	}
	if r.Shortlist < 1 {
		return Errorf(EINVALID, "进入差额考察的人数至少为1")
	}
	if err := checkThreshold(i18n.N("得票未过半提示"), r.FlagBelow); err != nil {
		return err
	}
	if err := checkThreshold(i18n.N("建议二次推荐"), r.SecondRoundBelow); err != nil {
		return err
	}
	ids := map[string]bool{}
	for i, p := range r.Positions {
		if p.Title == "" {
			return Errorf(EINVALID, "第%d个推荐职位缺少名称", i+1)
		}
		if ids[p.ID] {
			return Errorf(EINVALID, "推荐职位编号“%s”重复", p.ID)
		}
		if err := checkIDs(i18n.N("推荐职位"), p.ID); err != nil {
			return err
		}
		ids[p.ID] = true
		if p.Seats < 1 || p.Seats > MaxSeats {
			return Errorf(EINVALID, "职位“%s”的应推荐人数应在1到%d之间", p.Title, MaxSeats)
		}
		if len(p.Candidates) > MaxCandidates {
			return Errorf(EINVALID, "职位“%s”的候选人不能超过%d人", p.Title, MaxCandidates)
		}
		if len(p.Candidates) == 0 && r.Shape == ShapeMark && !p.WriteIns {
			return Errorf(EINVALID, "职位“%s”没有候选人，也不允许另推他人", p.Title)
		}
		names, cids := map[string]bool{}, map[string]bool{}
		for j, c := range p.Candidates {
			if c.Name == "" || NameLen(c.Name) > MaxNameLen {
				return Errorf(EINVALID, "职位“%s”第%d位候选人的姓名为空或过长", p.Title, j+1)
			}
			if names[NameKey(c.Name)] {
				return Errorf(EINVALID, "职位“%s”的候选人“%s”重复", p.Title, c.Name) // RULES: duplicates rejected at input
			}
			if cids[c.ID] {
				return Errorf(EINVALID, "职位“%s”的候选人编号“%s”重复", p.Title, c.ID)
			}
			if err := checkIDs(i18n.N("候选人"), c.ID); err != nil {
				return err
			}
			names[NameKey(c.Name)], cids[c.ID] = true, true
		}
	}
	return nil
}

func (p *Position) candidate(id string) int {
	for i, c := range p.Candidates {
		if c.ID == id {
			return i
		}
	}
	return -1
}

func (p *Position) listed(name string) bool { return p.listedIndex(name) >= 0 }

// listedIndex finds a listed candidate by name, compared by NameKey as write-ins are,
// so that the lists of polls saved before names were normalised, or before they kept
// their spaces, compare the same way.
func (p *Position) listedIndex(name string) int {
	key := NameKey(name)
	for i, c := range p.Candidates {
		if NameKey(c.Name) == key {
			return i
		}
	}
	return -1
}

// recommendationLine is one position of one filled ballot, read by the rule.
type recommendationLine struct {
	votes    []int    // candidate indexes recommended (marked, or 同意)
	writeIns []string // names written in, as NormalizeName spells them
	spelled  []string // each write-in as the voter spelled it
	// listedAs: listed candidates that were written in by name, as the voter spelled them.
	listedAs map[int]string
	opinion  []string // per candidate (per_candidate shape): 同意/不同意/弃权, "" when blank
	multi    []bool   // per candidate: more than one opinion marked
}

// read parses the lines of one position. Malformed input is an error; breaking the rule
// (more recommendations than seats, two opinions on one name) is judged by spoilt.
func (r *Recommendation) read(p *Position, ff *FilledForm) (recommendationLine, error) {
	var l recommendationLine
	seen := map[string]bool{}
	var named []int // listed candidates written in by name, settled once the marks are read
	addWriteIn := func(m string) error {
		name, err := writeIn(m)
		if err != nil {
			return err
		}
		if !p.WriteIns && !(r.Shape == ShapePerCandidate && len(p.Candidates) == 0) {
			return Errorf(EINVALID, "职位“%s”不允许另推他人", p.Title)
		}
		if i := p.listedIndex(name); i >= 0 {
			// RULES: write-ins are counted like candidates: a listed name written in is a
			// vote for that candidate, whatever its width, spacing or invisible characters.
			if l.listedAs == nil {
				l.listedAs = map[int]string{}
			}
			if _, twice := l.listedAs[i]; twice {
				return Errorf(EINVALID, "职位“%s”中“%s”被重复推荐", p.Title, p.Candidates[i].Name)
			}
			l.listedAs[i] = strings.TrimPrefix(m, WriteInPrefix)
			named = append(named, i)
			return nil
		}
		if seen["+"+NameKey(name)] {
			return Errorf(EINVALID, "职位“%s”中“%s”被重复推荐", p.Title, name)
		}
		seen["+"+NameKey(name)] = true
		l.writeIns = append(l.writeIns, name)
		l.spelled = append(l.spelled, strings.TrimPrefix(m, WriteInPrefix))
		return nil
	}
	// settle counts the listed candidates written in by name: once, and on a
	// per-candidate form only where the voter gave that name no opinion.
	settle := func() error {
		for _, i := range named {
			c := &p.Candidates[i]
			switch {
			case r.Shape == ShapeMark && seen[c.ID]:
				return Errorf(EINVALID, "职位“%s”中“%s”被重复推荐", p.Title, c.Name)
			case r.Shape == ShapePerCandidate && l.opinion[i] != "":
				return Errorf(EINVALID, "另选人选“%s”已在职位“%s”的候选名单中，请直接对其表态", c.Name, p.Title)
			case r.Shape == ShapePerCandidate:
				l.opinion[i] = Agree
			}
			seen[c.ID] = true
			l.votes = append(l.votes, i)
		}
		return nil
	}
	for _, line := range r.lineKeysOf(p) {
		if err := r.checkWriteInSlots(p, line, ff.Lines[line]); err != nil {
			return l, err
		}
	}
	if r.Shape == ShapeMark {
		for _, m := range ff.Lines[p.ID] {
			if strings.HasPrefix(m, WriteInPrefix) {
				if err := addWriteIn(m); err != nil {
					return l, err
				}
				continue
			}
			i := p.candidate(m)
			if i < 0 {
				return l, Errorf(EINVALID, "选票中有不存在的候选人“%s”", m)
			}
			if seen[m] {
				return l, Errorf(EINVALID, "职位“%s”中同一候选人被重复标记", p.Title)
			}
			seen[m] = true
			l.votes = append(l.votes, i)
		}
		return l, settle()
	}
	// per candidate: "p1/c1" → [opinion, +另选]; "p1" → write-ins in the blank slots
	l.opinion, l.multi = make([]string, len(p.Candidates)), make([]bool, len(p.Candidates))
	for i, c := range p.Candidates {
		for _, m := range ff.Lines[p.ID+"/"+c.ID] {
			if strings.HasPrefix(m, WriteInPrefix) {
				if err := addWriteIn(m); err != nil {
					return l, err
				}
				continue
			}
			if !contains(AgreeOptions, m) {
				return l, Errorf(EINVALID, "选票中有不存在的选项“%s”", m)
			}
			if l.opinion[i] != "" {
				if l.opinion[i] == m {
					return l, Errorf(EINVALID, "同一选项“%s”被重复标记", m)
				}
				l.multi[i] = true
			}
			l.opinion[i] = m
		}
		if l.opinion[i] == Agree && !l.multi[i] {
			l.votes = append(l.votes, i)
		}
	}
	for _, m := range ff.Lines[p.ID] {
		if !strings.HasPrefix(m, WriteInPrefix) {
			return l, Errorf(EINVALID, "选票中有不存在的选项“%s”", m)
		}
		if err := addWriteIn(m); err != nil {
			return l, err
		}
	}
	return l, settle()
}

// lineKeys lists every line key a filled form of this kind may carry.
func (r *Recommendation) lineKeys() map[string]bool {
	keys := map[string]bool{}
	for i := range r.Positions {
		for _, k := range r.lineKeysOf(&r.Positions[i]) {
			keys[k] = true
		}
	}
	return keys
}

// lineKeysOf lists the line keys of one position.
func (r *Recommendation) lineKeysOf(p *Position) []string {
	keys := []string{p.ID}
	if r.Shape == ShapePerCandidate {
		for _, c := range p.Candidates {
			keys = append(keys, p.ID+"/"+c.ID)
		}
	}
	return keys
}

// writeInSlots is how many names a line of the position may carry written in: as many
// as the boxes the ballot gives it, seats on the position's own line and one beside a
// name. Nothing counts a name beyond them (a position over its seats is invalid
// anyway), and the bound keeps every sealed ballot of the poll one size.
func (r *Recommendation) writeInSlots(p *Position, line string) int {
	if !p.WriteIns && !(r.Shape == ShapePerCandidate && len(p.Candidates) == 0) {
		return 0
	}
	if line == p.ID {
		return p.Seats
	}
	return 1
}

// checkWriteInSlots refuses a line with more names written in than it has boxes. A line
// that may take none is left to read, which says that write-ins are not allowed.
func (r *Recommendation) checkWriteInSlots(p *Position, line string, marks []string) error {
	n := 0
	for _, m := range marks {
		if strings.HasPrefix(m, WriteInPrefix) {
			n++
		}
	}
	slots := r.writeInSlots(p, line)
	if n <= slots || slots == 0 {
		return nil
	}
	if line == p.ID {
		return Errorf(EINVALID, "职位“%s”最多另推%d人", p.Title, slots)
	}
	return Errorf(EINVALID, "职位“%s”中每位候选人旁只能另选一人", p.Title)
}

// check applies RULES 废票 for recommendation: fewer recommendations than seats is valid,
// none is 弃权 (valid), more than seats makes that position invalid on this ballot; on a
// per-candidate form two opinions on one name do too.
func (r *Recommendation) check(ff *FilledForm) ([]Spoilt, error) {
	keys := r.lineKeys()
	for k := range ff.Lines {
		if !keys[k] {
			return nil, Errorf(EINVALID, "选票中有不存在的项目“%s”", k)
		}
	}
	var spoilt []Spoilt
	for i := range r.Positions {
		p := &r.Positions[i]
		l, err := r.read(p, ff)
		if err != nil {
			return nil, err
		}
		if n := len(l.votes) + len(l.writeIns); n > p.Seats {
			spoilt = append(spoilt, spoiltf(p.ID, p.Title, "推荐%d人，超过应推荐人数%d人", n, p.Seats))
			continue
		}
		for j, m := range l.multi {
			if m {
				spoilt = append(spoilt, spoiltf(p.ID, p.Title, "对“%s”选择了多个意见", p.Candidates[j].Name))
				break
			}
		}
	}
	return spoilt, nil
}
