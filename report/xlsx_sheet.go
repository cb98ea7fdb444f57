package report

import (
	"strings"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
)

// sheetNameReplacer swaps the characters Excel refuses in a sheet name for ones it takes.
var sheetNameReplacer = strings.NewReplacer("[", "（", "]", "）", ":", "：", "*", "", "?", "", "/", "、", "\\", "、", "'", "’")

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
		name = bk.m.T("%s（%d）", Clip(base, 26), n)
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

// ratio writes a rate as a number formatted as a percentage and, beside it, its exact
// fraction as text; "—" when it has no denominator.
func (bk *xlsxBook) ratio(sheet string, col, row int, q ballot.Ratio) {
	at, _ := excelize.CoordinatesToCellName(col, row)
	frac, _ := excelize.CoordinatesToCellName(col+1, row)
	if !q.Valid() {
		bk.x.SetCellStr(sheet, at, "—")
		bk.x.SetCellStyle(sheet, at, frac, bk.styles.text)
		return
	}
	bk.x.SetCellFloat(sheet, at, float64(q.Num)/float64(q.Den), -1, 64)
	bk.x.SetCellStyle(sheet, at, at, bk.styles.percent)
	bk.x.SetCellStr(sheet, frac, q.String())
	bk.x.SetCellStyle(sheet, frac, frac, bk.styles.text)
	bk.fit(sheet, col, q.Percent(), 60)
	bk.fit(sheet, col+1, q.String(), 60)
}
