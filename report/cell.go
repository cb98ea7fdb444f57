package report

import (
	"fmt"

	"minyi/ballot"
	"minyi/i18n"
)

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

// Text is a cell of words kept on one line: a name, a figure written out.
func Text(s string) Cell { return Cell{Kind: textCell, Text: s} }

// Prose is a cell of words that may wrap in the PDF.
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

// String is the cell as printed in Chinese: "83.93%（47/56）", "47（83.93%）", "81.10".
func (c Cell) String() string { return c.in(i18n.For(i18n.Zh)) }

// in is the cell as printed in a language: the English sets the figure beside it in
// plain brackets, "83.93% (47/56)".
func (c Cell) in(m *i18n.Printer) string {
	switch c.Kind {
	case countCell:
		return fmt.Sprint(c.N)
	case percentCell:
		if !c.R.Valid() {
			return "—"
		}
		return m.T("%s（%s）", c.R.Percent(), c.R.String())
	case countRateCell:
		if !c.R.Valid() {
			return fmt.Sprint(c.N)
		}
		return m.T("%s（%s）", fmt.Sprint(c.N), c.R.Percent())
	case decimalCell:
		return c.R.Decimal()
	}
	return c.Text
}
