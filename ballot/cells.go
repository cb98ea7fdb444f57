package ballot

import (
	"fmt"
	"slices"
)

// A ballot as cells. Ballots are sealed as one 0/1 cell per (form, line, option) and one
// "invalid" cell per line, so that only sums over many ballots are ever opened: whoever
// adds the cells of a result row learns what the row's plain ballots would have told the
// counters, and nothing about any one ballot. Every ballot of a poll has the same cells,
// in the same order (the Layout); names written in and free answers cannot be cells and
// travel apart as Texts, without the ballot they came from.
//
// Each kind lays out its lines (cells.go's layoutBuilder), turns a judged form into cells
// (marker) and counts from a result row's sums (sums.go's rowSums), next to its counter.

// InvalidLabel is the label of the last cell of every line: set, the line counts as
// invalid (over-marked, two opinions, a whole form void) and none of its options is set.
const InvalidLabel = "无效"

// BlankLabel is the label of the cell a line sets when it is valid and marks nothing
// where the count must tell such lines apart (a position recommending nobody, a
// multiple-choice question left unanswered).
const BlankLabel = "空白"

// BallotLine is the first line of every layout, of no form: its one option is set on
// every ballot, so a row's sum of it is the number of ballots counted in that row, which
// the lines whose marks do not add up to one per ballot need for their blank or valid
// counts.
const BallotLine = "ballot"

// Layout is the fixed shape of every ballot of a poll: lines in form order, each with its
// cells (the options, then "invalid" last) and its limit (the most marks the line takes;
// a line's cells satisfy Σ options + limit·invalid ≤ limit, so "invalid" excludes any
// mark).
type Layout struct {
	Lines []LayoutLine `json:"lines"`
	Cells int          `json:"cells"`
}

// LayoutLine is one line of the layout: its form and line key (as a filled form names the
// line, or a key of its own where the count needs one, such as a subject's total score),
// the labels of its cells with InvalidLabel last, its limit and where its cells start.
type LayoutLine struct {
	Form   string   `json:"form"`
	Line   string   `json:"line"`
	Labels []string `json:"labels"`
	Limit  int      `json:"limit"`
	Offset int      `json:"offset"`
}

// Invalid is the index of the line's invalid cell among all cells of a ballot.
func (l LayoutLine) Invalid() int { return l.Offset + len(l.Labels) - 1 }

// Text is a name written in or a free answer, sealed apart from the cells of its ballot,
// never with the ballot. A write-in carries its voter group, since a written-in person's
// votes are counted per result row; a free answer carries none (Group is empty).
type Text struct {
	Form  string `json:"form"`
	Line  string `json:"line"`
	Group string `json:"group"`
	Text  string `json:"text"`
}

// cellKind is what each kind of form adds for ballots as cells.
type cellKind interface {
	layout(b *layoutBuilder)
	// marks turns a form the rule has judged into cells and texts, as its counter
	// would read it.
	marks(ff *FilledForm, spoilt func(line string) bool, m *marker)
	sumsCounter(groups []Group) sumsCounter
	// textSlots are the lines that take texts (Form left empty).
	textSlots() []TextSlot
}

// cellKind returns the form's kind as cells, nil when the form is broken.
func (f *Form) cellKind() cellKind {
	k, _ := f.kind().(cellKind)
	return k
}

// Layout is the poll's ballot as cells.
func (p *Poll) Layout() Layout {
	l, _ := p.layout()
	return l
}

// layout builds the layout with an index from form and line to the line's place.
func (p *Poll) layout() (Layout, map[string]int) {
	b := &layoutBuilder{index: map[string]int{}}
	b.line(BallotLine, []string{"选票"}, 1)
	for i := range p.Forms {
		f := &p.Forms[i]
		if k := f.cellKind(); k != nil {
			b.form = f.ID
			k.layout(b)
		}
	}
	return b.l, b.index
}

func lineKey(form, line string) string { return form + "\x00" + line }

// layoutBuilder appends a form's lines to a layout.
type layoutBuilder struct {
	l     Layout
	form  string
	index map[string]int
}

// line adds a line with the given options (the invalid cell is added last) and limit.
func (b *layoutBuilder) line(line string, options []string, limit int) {
	labels := append(append(make([]string, 0, len(options)+1), options...), InvalidLabel)
	b.index[lineKey(b.form, line)] = len(b.l.Lines)
	b.l.Lines = append(b.l.Lines, LayoutLine{Form: b.form, Line: line, Labels: labels, Limit: limit, Offset: b.l.Cells})
	b.l.Cells += len(labels)
}

// marker writes one ballot's cells and texts.
type marker struct {
	layout Layout
	index  map[string]int
	form   string
	group  string
	cells  []uint8
	texts  []Text
	err    error
}

func (m *marker) at(line string) (LayoutLine, bool) {
	i, ok := m.index[lineKey(m.form, line)]
	if !ok {
		if m.err == nil {
			m.err = Errorf(EINTERNAL, "选票格式中没有表“%s”的“%s”", m.form, line)
		}
		return LayoutLine{}, false
	}
	return m.layout.Lines[i], true
}

// mark sets option i of the line.
func (m *marker) mark(line string, i int) {
	l, ok := m.at(line)
	if !ok {
		return
	}
	if i < 0 || i >= len(l.Labels)-1 {
		if m.err == nil {
			m.err = Errorf(EINTERNAL, "表“%s”的“%s”没有第%d个选项", m.form, line, i+1)
		}
		return
	}
	m.cells[l.Offset+i] = 1
}

// void sets the line's invalid cell.
func (m *marker) void(line string) {
	if l, ok := m.at(line); ok {
		m.cells[l.Invalid()] = 1
	}
}

// text seals a text apart; byGroup when the count needs its voter group. A free answer
// goes without it: no tally shows one per group, and a group may be a handful of people.
func (m *marker) text(line, s string, byGroup bool) {
	t := Text{Form: m.form, Line: line, Text: s}
	if byGroup {
		t.Group = m.group
	}
	m.texts = append(m.texts, t)
}

// Marks turns a voter group's ballot into cells, in layout order, and the texts to seal
// apart. It judges the ballot by the one rule, as the count does (Check on the ballot
// made readable): a malformed ballot is an error; a spoilt line, and every line of a
// form void as a whole, sets its invalid cell; a line the group does not fill (its own
// unit's subjects) is all zeros. Refusing a voter's spoilt lines at submission stays the
// caller's, as with Check; a paper ballot keeps them.
func (p *Poll) Marks(group string, b *Ballot) ([]uint8, []Text, error) {
	g, ok := p.Group(group)
	if !ok {
		return nil, nil, Errorf(EINVALID, "选票的参评类别“%s”不在本次投票中", group)
	}
	rb := b.readable()
	spoilt, err := p.checkUnit(g.Unit, &rb)
	if err != nil {
		return nil, nil, err
	}
	l, index := p.layout()
	return p.mark(l, index, group, &rb, spoilt)
}

// judge is CheckGroup and then Marks in the given layout, for a ballot at the door,
// judging it once: the door cleans the ballot's write-ins (refusing those it cannot), and
// the readable ballot is judged again only when it differs from the ballot checked,
// which a ballot that passed the door's cleaning seldom does. It returns the door's
// spoilt lines.
func (p *Poll) judge(l Layout, index map[string]int, group string, b *Ballot) ([]Spoilt, []uint8, []Text, error) {
	g, ok := p.Group(group)
	if !ok {
		return nil, nil, nil, Errorf(EINVALID, "选票的参评类别“%s”不在本次投票中", group)
	}
	door, err := p.checkUnit(g.Unit, b)
	if err != nil {
		return nil, nil, nil, err
	}
	// The count reads the ballot made readable; when that changes nothing, the door's
	// judgement is the count's.
	marked, spoilt := b, door
	if rb := b.readable(); !sameBallot(b, &rb) {
		if spoilt, err = p.checkUnit(g.Unit, &rb); err != nil {
			return nil, nil, nil, err
		}
		marked = &rb
	}
	cells, texts, err := p.mark(l, index, group, marked, spoilt)
	return door, cells, texts, err
}

// mark writes the cells and texts of a judged ballot in the layout.
func (p *Poll) mark(l Layout, index map[string]int, group string, b *Ballot, spoilt []Spoilt) ([]uint8, []Text, error) {
	m := &marker{layout: l, index: index, group: group, cells: make([]uint8, l.Cells)}
	m.cells[l.Lines[0].Offset] = 1
	for i := range p.Forms {
		f := &p.Forms[i]
		k := f.cellKind()
		if k == nil {
			return nil, nil, Errorf(EINVALID, "不支持的表类型“%s”", f.Kind)
		}
		m.form = f.ID
		k.marks(&b.Forms[i], spoiltLines(f.ID, spoilt), m)
	}
	if m.err != nil {
		return nil, nil, m.err
	}
	return m.cells, m.texts, nil
}

// sameBallot reports two ballots with the same forms and the same marks in every line.
func sameBallot(a, b *Ballot) bool {
	if len(a.Forms) != len(b.Forms) {
		return false
	}
	for i := range a.Forms {
		fa, fb := &a.Forms[i], &b.Forms[i]
		if fa.Form != fb.Form || len(fa.Lines) != len(fb.Lines) {
			return false
		}
		for k, marks := range fa.Lines {
			other, ok := fb.Lines[k]
			if !ok || !slices.Equal(marks, other) {
				return false
			}
		}
	}
	return true
}

// TextSlot is a line that takes texts: at most Count of them from one ballot, each at
// most Size bytes (UTF-8), as the door bounds them (write-ins by MaxNameLen runes and a
// position's seats, free answers by their question's cap). A sealer that pads each
// ballot's texts to Count texts of Size bytes per slot makes every ballot's texts look
// alike; CountSums passes over a Text whose Text is empty, such a filler.
type TextSlot struct {
	Form  string `json:"form"`
	Line  string `json:"line"`
	Count int    `json:"count"`
	Size  int    `json:"size"`
}

// TextSlots lists the poll's lines that take texts, in form order.
func (p *Poll) TextSlots() []TextSlot {
	var out []TextSlot
	for i := range p.Forms {
		f := &p.Forms[i]
		if k := f.cellKind(); k != nil {
			for _, s := range k.textSlots() {
				s.Form = f.ID
				out = append(out, s)
			}
		}
	}
	return out
}

// TextSize is the most bytes a text of the given form and line can take (TextSlots); 0
// when the line takes no text.
func (p *Poll) TextSize(form, line string) int {
	for _, s := range p.TextSlots() {
		if s.Form == form && s.Line == line {
			return s.Size
		}
	}
	return 0
}

// maxRuneUTF8 is the most bytes one rune takes in UTF-8.
const maxRuneUTF8 = 4

// CheckSums reports sums that cannot be the poll's: a row count other than the result
// rows sizes give, a row that is not one sum per cell of the layout, or a row whose sums
// no ballots of the layout could make (more ballots than its groups put in the box, a
// line with more marks or invalid cells than its ballots allow).
func (p *Poll) CheckSums(sizes []int, rows [][]int) error {
	rg := p.ResultGroups(sizes)
	if len(rows) != len(rg.Groups) {
		return Errorf(EINVALID, "计票的合计应有%d行，收到%d行", len(rg.Groups), len(rows))
	}
	inRow := make([]int, len(rg.Groups))
	for i, n := range sizes {
		if i < len(rg.Of) {
			inRow[rg.Of[i]] += n
		}
	}
	l := p.Layout()
	for r, row := range rows {
		if len(row) != l.Cells {
			return Errorf(EINVALID, "计票合计第%d行应有%d项，收到%d项", r+1, l.Cells, len(row))
		}
		for _, v := range row {
			if v < 0 {
				return Errorf(EINVALID, "计票合计第%d行有负数", r+1)
			}
		}
		n := row[l.Lines[0].Offset]
		if n > inRow[r] {
			return Errorf(EINVALID, "计票合计第%d行有%d张选票，多于票箱中该行的%d张", r+1, n, inRow[r])
		}
		for _, line := range l.Lines {
			marks := 0
			for k := range len(line.Labels) - 1 {
				marks += row[line.Offset+k]
			}
			if inv := row[line.Invalid()]; marks+line.Limit*inv > line.Limit*n {
				return Errorf(EINVALID, "计票合计第%d行中表“%s”的“%s”超出%d张选票所能有的标记", r+1, line.Form, line.Line, n)
			}
		}
	}
	return nil
}

// SumRows says into which result row each voter group's ballots are added before the
// sums are opened: Of maps a group's id to its row, Rows is the number of rows.
type SumRows struct {
	Rows int
	Of   map[string]int
}

// SumRows is the mapping of voter groups to result rows for the ballots per group sizes
// (in the poll's group order), the rows CountSums reads.
func (p *Poll) SumRows(sizes []int) SumRows {
	rg := p.ResultGroups(sizes)
	sr := SumRows{Rows: len(rg.Groups), Of: map[string]int{}}
	for i, g := range p.Groups {
		sr.Of[g.ID] = rg.Of[i]
	}
	if rg.Merged >= 0 {
		sr.Of[MergedGroup] = rg.Merged
	}
	return sr
}

// AddCells adds one ballot's cells to a row of sums.
func AddCells(row []int, cells []uint8) {
	for i, c := range cells {
		row[i] += int(c)
	}
}

func (l LayoutLine) String() string {
	return fmt.Sprintf("%s/%s%v≤%d@%d", l.Form, l.Line, l.Labels, l.Limit, l.Offset)
}
