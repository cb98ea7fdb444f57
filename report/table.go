package report

import (
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

// Chart is a bar chart drawn under a table in the PDF: one bar per row, split into
// parts (grades, 同意/不同意/弃权) over a full length, with an optional line (half the
// valid votes, the votes needed to pass).
type Chart struct {
	Legend    []string
	Bars      []Bar
	Mark      ballot.Ratio // where the line is, in votes; none when Den is 0
	MarkLabel string
}

// Bar is one bar of a chart: its parts over a full length.
type Bar struct {
	Label string
	Parts []int
	Full  int // the length of a whole bar: the valid lines, the base of a vote
}
