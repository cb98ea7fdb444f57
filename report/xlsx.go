package report

import (
	"bytes"
	"fmt"
	"strings"

	"minyi/ballot"

	"github.com/xuri/excelize/v2"
)

var sheetNameReplacer = strings.NewReplacer("[", "（", "]", "）", ":", "：", "*", "", "?", "", "/", "、", "\\", "、", "'", "’")

// TallyWorkbook lays the report tables out one sheet per table (a survey's questions stacked
// on its form's sheet), after a sheet of turnout.
func TallyWorkbook(b *ballot.Bundle) ([]byte, error) { return Workbook(Tables(b.Tally)) }

// xlsxSpan is how many workbook columns a report column takes: a count is one number; a
// rate is the percentage (a number formatted as one) and its exact fraction as text
// beside it; a count with its rate takes all three.
func xlsxSpan(c Cell) int {
	switch c.Kind {
	case percentCell:
		return 2
	case countRateCell:
		return 3
	}
	return 1
}

// xlsxWidth estimates the width of s in Excel's character units: a Chinese character is
// two.
func xlsxWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2.1
		} else {
			w += 1.1
		}
	}
	return w
}

type xlsxBook struct {
	x      *excelize.File
	styles struct{ title, note, header, text, wrap, count, percent, decimal int }
	next   map[string]int // sheet → next free row
	tables map[string]int
	widths map[string][]float64
	order  []string
	names  map[string]string // Sheet → its unique sheet name
}

// Workbook writes tables into a workbook, those of the same Sheet stacked on one.
func Workbook(tables []Table) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bk := &xlsxBook{x: x, next: map[string]int{}, tables: map[string]int{}, widths: map[string][]float64{}, names: map[string]string{}}
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

// sheet returns the workbook sheet for a table's Sheet, made on first use with a name
// Excel accepts (at most 31 characters, none of []:*?/\, unique).
func (bk *xlsxBook) sheet(key string) (string, error) {
	if name, ok := bk.names[key]; ok {
		return name, nil
	}
	base := Clip(sheetNameReplacer.Replace(key), 28)
	name := base
	for n := 2; ; n++ {
		taken := false
		for _, o := range bk.order {
			taken = taken || strings.EqualFold(o, name)
		}
		if !taken {
			break
		}
		name = Clip(base, 26) + fmt.Sprintf("（%d）", n)
	}
	if len(bk.order) == 0 {
		if err := bk.x.SetSheetName("Sheet1", name); err != nil {
			return "", err
		}
	} else if _, err := bk.x.NewSheet(name); err != nil {
		return "", err
	}
	bk.names[key] = name
	bk.order = append(bk.order, name)
	bk.next[name] = 1
	return name, nil
}

func (bk *xlsxBook) fit(sheet string, col int, s string, capAt float64) {
	ws := bk.widths[sheet]
	for len(ws) < col {
		ws = append(ws, 0)
	}
	ws[col-1] = max(ws[col-1], min(xlsxWidth(s), capAt))
	bk.widths[sheet] = ws
}
