package report

import (
	"fmt"

	"minyi/ballot"
)

// Table is one table of a tally as the documents lay it out. The workbook, the PDF
// and the selection record all take their figures from here, and this from the tally
// value alone, so they cannot disagree with each other or with the tally page.
type Table struct {
	Sheet  string // the workbook sheet it goes on: tables of the same Sheet are stacked
	Title  string
	Notes  []string // lines under the title: a position's flags, its blank ballots
	Header []string
	Rows   [][]Cell
	// Keys is how many leading columns name a row (对象, 职务); they are repeated when a
	// table too wide for the page is printed in column groups.
	Keys  int
	Chart *Chart
}

// cellKind says what a cell holds, so the workbook can write numbers as numbers and the
// PDF can keep a figure on one line.
type cellKind uint8

const (
	textCell      cellKind = iota // words, ours or a person's
	countCell                     // a whole number of votes, people or ballots
	percentCell                   // a rate: the percentage and its exact fraction
	countRateCell                 // a count with its rate among the valid lines
	decimalCell                   // a mean or a score, two decimals
)

// Cell is one cell. Text cells may hold what people typed (names, titles,
// answers): exports that open in a spreadsheet neutralise those (see Inert).
type Cell struct {
	Kind cellKind
	Text string
	N    int
	R    ballot.Ratio
	// Wrap lets long text break across lines in the PDF, between words or Chinese
	// characters, never inside a figure. Names and figures never wrap.
	Wrap bool
}

func Text(s string) Cell { return Cell{Kind: textCell, Text: s} }

func Prose(s string) Cell { return Cell{Kind: textCell, Text: s, Wrap: true} }

func num(n int) Cell { return Cell{Kind: countCell, N: n} }

func pct(r ballot.Ratio) Cell { return Cell{Kind: percentCell, R: r} }

func nrate(n int, r ballot.Ratio) Cell { return Cell{Kind: countRateCell, N: n, R: r} }

func dec(r ballot.Ratio) Cell { return Cell{Kind: decimalCell, R: r} }

func optDec(r *ballot.Ratio) Cell {
	if r == nil {
		return Text("—")
	}
	return dec(*r)
}

// String is the cell as printed: "83.93%（47/56）", "47（83.93%）", "81.10".
func (c Cell) String() string {
	switch c.Kind {
	case countCell:
		return fmt.Sprint(c.N)
	case percentCell:
		if !c.R.Valid() {
			return "—"
		}
		return c.R.Percent() + "（" + c.R.String() + "）"
	case countRateCell:
		if !c.R.Valid() {
			return fmt.Sprint(c.N)
		}
		return fmt.Sprintf("%d（%s）", c.N, c.R.Percent())
	case decimalCell:
		return c.R.Decimal()
	}
	return c.Text
}

// Chart is a bar chart drawn under a table in the PDF: one bar per row, split into
// parts (grades, 同意/不同意/弃权) over a full length, with an optional line (half the
// valid votes, the votes needed to pass).
type Chart struct {
	Legend    []string
	Bars      []Bar
	Mark      ballot.Ratio // where the line is, in votes; none when Den is 0
	MarkLabel string
}

type Bar struct {
	Label string
	Parts []int
	Full  int // the length of a whole bar: the valid lines, the base of a vote
}
