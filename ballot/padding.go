package ballot

import (
	"encoding/json"
	"strconv"

	"minyi/survey"
)

// Every sealed ballot of a poll is padded to one length, so that whoever reads the box
// learns nothing from a ballot's size. That length is PlainSize: the longest plain form
// (Encode) of any ballot the door (CheckGroup) accepts for the poll, worked out from the
// forms alone. Each kind says, line by line, the most its lines can hold; the sum follows
// the shape of encoding/json's output exactly.

// maxRuneJSON is the most bytes one rune of cleaned text takes in the plain form. The
// encoder writes <, > and & as \u003c (6 bytes) and a quote, a backslash or a line break
// as two; every other rune is written as its UTF-8 bytes, at most 4. Cleaning leaves no
// other control character, no broken UTF-8 and no U+2028/U+2029 (they become a space or
// a line break), which the encoder would also write as six bytes. Six is reached by a
// text of nothing but "<", which the door accepts, so it is the bound and not a guess.
const maxRuneJSON = 6

// PlainSize is an upper bound on len(b.Encode()) for every ballot b that CheckGroup
// accepts for the poll, in any of its groups, cast on a phone or entered from paper (where
// a line may carry every mark at once). It depends on the forms only, never on a ballot.
func (p *Poll) PlainSize() int {
	if len(p.Forms) == 0 {
		return len(`{"forms":null}`)
	}
	// A group never grades its own unit (工作互评), so the longest ballot is the longest
	// of its groups' units' ("" for a group of no unit).
	longest := 0
	for _, own := range p.units() {
		n := len(`{"forms":[]}`) + len(p.Forms) - 1
		for i := range p.Forms {
			n += p.Forms[i].plainSize(own)
		}
		longest = max(longest, n)
	}
	return longest
}

// units lists the units of the poll's groups, "" for a group of none; a ballot is only
// ever checked in a group of the poll, but a poll without groups still has a size.
func (p *Poll) units() []string {
	if len(p.Groups) == 0 {
		return []string{""}
	}
	seen := map[string]bool{}
	var out []string
	for _, g := range p.Groups {
		if !seen[g.Unit] {
			seen[g.Unit] = true
			out = append(out, g.Unit)
		}
	}
	return out
}

// plainSize is the longest `{"form":…,"lines":{…}}` of the form for a group of unit own.
func (f *Form) plainSize(own string) int {
	lines := lineBound{}
	if k := f.kind(); k != nil {
		k.plainLines(lines, own)
	}
	obj := 2
	for key, marks := range lines {
		obj += jsonLen(key) + len(":") + marks
	}
	if len(lines) > 1 {
		obj += len(lines) - 1
	}
	// An absent map is written "null", longer than "{}".
	return len(`{"form":,"lines":}`) + jsonLen(f.ID) + max(obj, len("null"))
}

// lineBound maps each line key a filled form may carry to the longest encoding of its
// marks.
type lineBound map[string]int

// set records a line whose marks may be the given encoded strings, all at once.
func (lb lineBound) set(key string, marks ...int) {
	if n := array(marks); n > lb[key] {
		lb[key] = n
	}
}

// options records a line on which any of opts may be marked, each at most once.
func (lb lineBound) options(key string, opts []string, more ...int) {
	marks := append([]int(nil), more...)
	for _, o := range opts {
		marks = append(marks, jsonLen(o))
	}
	lb.set(key, marks...)
}

// array is the length of a JSON array of elements of the given lengths; an empty or
// absent line is written "[]" or "null".
func array(elems []int) int {
	n := 2
	for i, e := range elems {
		if i > 0 {
			n++
		}
		n += e
	}
	return max(n, len("null"))
}

// jsonLen is the length of s as the encoder writes it, quotes included.
func jsonLen(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// textLen is the longest encoding of a cleaned text of at most runes runes after prefix.
func textLen(prefix string, runes int) int {
	return jsonLen(prefix) + maxRuneJSON*runes
}

// writeInLen is the longest write-in mark: "+" and a name as the voter spelled it.
var writeInLen = textLen(WriteInPrefix, MaxNameLen)

func repeat(n, times int) []int {
	out := make([]int, times)
	for i := range out {
		out[i] = n
	}
	return out
}

func (e *Evaluation) plainLines(lb lineBound, own string) {
	grades := make([]string, len(e.Grades))
	for i, g := range e.Grades {
		grades[i] = g.Label
	}
	for _, s := range e.Subjects {
		marks := grades
		if s.ownUnit(own) {
			marks = nil // its lines are refused when marked, but may be there empty
		}
		lb.options(s.ID, marks)
		for _, x := range e.Indicators {
			lb.options(indicatorLine(s.ID, x.ID), marks)
		}
	}
}

func (r *Recommendation) plainLines(lb lineBound, _ string) {
	for i := range r.Positions {
		p := &r.Positions[i]
		ids := make([]string, len(p.Candidates))
		for j, c := range p.Candidates {
			ids[j] = c.ID
		}
		if r.Shape == ShapeMark {
			lb.options(p.ID, ids, repeat(writeInLen, r.writeInSlots(p, p.ID))...)
			continue
		}
		for _, c := range p.Candidates {
			key := p.ID + "/" + c.ID
			lb.options(key, AgreeOptions, repeat(writeInLen, r.writeInSlots(p, key))...)
		}
		lb.set(p.ID, repeat(writeInLen, r.writeInSlots(p, p.ID))...)
	}
}

func (a *Approval) plainLines(lb lineBound, _ string) {
	for _, n := range a.Nominees {
		lb.options(n.ID, AgreeOptions)
	}
}

func (r *Review) plainLines(lb lineBound, _ string) {
	for key, opts := range r.lines() {
		lb.options(key, opts)
	}
}

func (s *Scoring) plainLines(lb lineBound, _ string) {
	for _, x := range s.Subjects {
		if len(s.Indicators) == 0 {
			lb.set(x.ID, scoreLen(s.Max))
		}
		for _, i := range s.Indicators {
			lb.set(s.lineKey(x.ID, i.ID), scoreLen(i.Max))
		}
	}
}

// scoreLen is the longest score the door keeps for full marks max: max itself, or the
// largest number below it with one decimal ("99.5" for 100).
func scoreLen(full int) int {
	return 2 + max(len(formatScore(full*10)), len(formatScore(full*10-1)))
}

// ratingMarks are the answers of a rating question as the door keeps them.
var ratingMarks = func() []string {
	out := make([]string, survey.RatingMax+1)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}()

func (s *Survey) plainLines(lb lineBound, _ string) {
	for _, q := range s.Questions {
		switch q.Kind {
		case survey.Matrix:
			for r := range q.Rows {
				lb.options(survey.RowKey(q.ID, r), q.Options)
			}
		case survey.Rating:
			lb.options(q.ID, ratingMarks)
		case survey.Text:
			lb.set(q.ID, textLen("", q.MaxLen))
		default:
			lb.options(q.ID, q.Options)
		}
	}
}
