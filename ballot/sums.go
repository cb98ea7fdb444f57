package ballot

import "fmt"

// sumsCounter counts a form from the opened sums of its cells per result row and from
// its opened texts; finish writes the same result its plain counter writes.
type sumsCounter interface {
	addRow(row int, s rowSums)
	// addText counts an opened text; row is -1 for one without a group. false: the text
	// has no place in the form.
	addText(row int, t Text) bool
	finish(ft *FormTally)
}

// rowSums are one result row's sums, read by a form's lines.
type rowSums struct {
	layout Layout
	index  map[string]int
	form   string
	row    []int
	n      int // ballots counted in the row (the sum of BallotLine)
}

func (s rowSums) cell(i int) int {
	if i >= 0 && i < len(s.row) {
		return s.row[i]
	}
	return 0
}

// options are the sums of the line's option cells, in label order; nil for a line the
// layout does not have.
func (s rowSums) options(line string) []int {
	i, ok := s.index[lineKey(s.form, line)]
	if !ok {
		return nil
	}
	l := s.layout.Lines[i]
	out := make([]int, len(l.Labels)-1)
	for k := range out {
		out[k] = s.cell(l.Offset + k)
	}
	return out
}

// invalid is the sum of the line's invalid cell.
func (s rowSums) invalid(line string) int {
	i, ok := s.index[lineKey(s.form, line)]
	if !ok {
		return 0
	}
	return s.cell(s.layout.Lines[i].Invalid())
}

// option is the sum of option k of the line.
func (s rowSums) option(line string, k int) int {
	o := s.options(line)
	if k < 0 || k >= len(o) {
		return 0
	}
	return o[k]
}

func (g *groupCounts) addN(group, n int) {
	g.Total += n
	g.ByGroup[group] += n
}

// CountSums is Count from sums: it returns the tally Count returns for the same ballots,
// read from the sums of their cells (Marks) per result row and from their texts.
//
// sizes are the ballots each voter group put in the box (in the poll's group order); they
// decide the result rows as in Count (ResultGroups, SumRows). rows[r] are the opened sums
// of the cells of the ballots counted in row r, in layout order; texts the opened texts,
// in any order; rejected the ballots of the box that could not be counted. Their places
// are unknown here, so the tally names none (Unreadable stays empty).
func CountSums(p *Poll, turnout []Turnout, sizes []int, rows [][]int, texts []Text, rejected int) *Tally {
	return p.countSums(turnout, sizes, sizes, rows, texts, rejected)
}

// CountPooled is CountSums with the result rows decided on pool, the ballots of each
// voter group that were counted (a box's ballots that failed their proofs, or exceed the
// group's used tokens, do not keep a small group apart), while sizes are every ballot the
// groups put in the box.
func CountPooled(p *Poll, turnout []Turnout, sizes, pool []int, rows [][]int, texts []Text, rejected int) *Tally {
	return p.countSums(turnout, sizes, pool, rows, texts, rejected)
}

func (p *Poll) countSums(turnout []Turnout, sizes, pool []int, rows [][]int, texts []Text, rejected int) *Tally {
	t, rg := p.openTally(turnout, pool, true)
	for i := range p.Groups {
		n := 0
		if i < len(sizes) {
			n = sizes[i]
		}
		t.Groups[i].Ballots = n
		t.Ballots += n
		if t.Results != nil {
			t.Results[rg.Of[i]].Ballots += n
		}
	}
	t.Rejected = rejected
	l, index := p.layout()
	counters := make([]sumsCounter, len(p.Forms))
	for i := range p.Forms {
		if k := p.Forms[i].cellKind(); k != nil {
			counters[i] = k.sumsCounter(rg.Groups)
		}
	}
	for r := range rg.Groups {
		var row []int
		if r < len(rows) {
			row = rows[r]
		}
		s := rowSums{layout: l, index: index, row: row}
		s.n = s.cell(l.Lines[0].Offset)
		for i := range p.Forms {
			if counters[i] != nil {
				s.form = p.Forms[i].ID
				counters[i].addRow(r, s)
			}
		}
	}
	rowOf := p.SumRows(pool).Of
	stray := 0
	for _, tx := range texts {
		if tx.Text == "" {
			continue // a filler (TextSlot)
		}
		r, ok := rowOf[tx.Group]
		if !ok && tx.Group == "" {
			ok, r = true, -1 // a free answer, counted in no row
		}
		fi := -1
		for i := range p.Forms {
			if p.Forms[i].ID == tx.Form {
				fi = i
			}
		}
		if !ok || fi < 0 || counters[fi] == nil || !counters[fi].addText(r, tx) {
			stray++
		}
	}
	t.conclude()
	if stray > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf(noteStrayTexts, stray))
	}
	if rejected > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf(noteUnreadableAll, rejected))
	}
	t.finishForms(p, func(i int, ft *FormTally) {
		if counters[i] != nil {
			counters[i].finish(ft)
		}
	})
	return t
}
