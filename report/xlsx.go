package report

import (
	"bytes"

	"minyi/ballot"
	"minyi/i18n"

	"github.com/xuri/excelize/v2"
)

// TallyWorkbook is the tally's workbook in Chinese (see Printer.TallyWorkbook).
func TallyWorkbook(b *ballot.Bundle) ([]byte, error) { return Printer{}.TallyWorkbook(b) }

// TallyWorkbook lays the report tables out one sheet per table (a survey's questions stacked
// on its form's sheet), after a sheet of turnout, in the printer's language.
func (p Printer) TallyWorkbook(b *ballot.Bundle) ([]byte, error) {
	return p.Workbook(p.Tables(b.Tally))
}

type xlsxBook struct {
	x      *excelize.File
	m      *i18n.Printer
	styles struct{ title, note, header, text, wrap, count, percent, decimal int }
	next   map[string]int // sheet → next free row
	tables map[string]int
	widths map[string][]float64
	order  []string
	names  map[string]string // Sheet → its unique sheet name
}

// Workbook writes tables into a workbook in Chinese (see Printer.Workbook).
func Workbook(tables []Table) ([]byte, error) { return Printer{}.Workbook(tables) }

// Workbook writes tables into a workbook, those of the same Sheet stacked on one; the
// columns it adds (a rate's fraction) are named in the printer's language.
func (p Printer) Workbook(tables []Table) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bk := &xlsxBook{x: x, m: p.msg(), next: map[string]int{}, tables: map[string]int{}, widths: map[string][]float64{}, names: map[string]string{}}
	var err error
	style := func(s *excelize.Style) int {
		id, e := x.NewStyle(s)
		if e != nil && err == nil {
			err = e
		}
		return id
	}
	border := []excelize.Border{{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1}, {Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1}}
	bk.styles.title = style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	bk.styles.note = style(&excelize.Style{Font: &excelize.Font{Color: "444444"}})
	bk.styles.header = style(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}, Border: border,
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	bk.styles.text = style(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	bk.styles.wrap = style(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	bk.styles.count = style(&excelize.Style{Border: border, NumFmt: 1, Alignment: &excelize.Alignment{Vertical: "top"}})
	bk.styles.percent = style(&excelize.Style{Border: border, NumFmt: 10, Alignment: &excelize.Alignment{Vertical: "top"}})
	bk.styles.decimal = style(&excelize.Style{Border: border, NumFmt: 2, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := bk.table(t); err != nil {
			return nil, err
		}
	}
	for _, name := range bk.order {
		for i, w := range bk.widths[name] {
			col, _ := excelize.ColumnNumberToName(i + 1)
			if err := x.SetColWidth(name, col, col, min(max(w+2, 8), 60)); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	err = x.Write(&buf)
	return buf.Bytes(), err
}
