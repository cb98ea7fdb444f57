package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

func (bk *xlsxBook) table(t Table) error {
	x := bk.x
	name, err := bk.sheet(t.Sheet)
	if err != nil {
		return err
	}
	r := bk.next[name]
	first := bk.tables[name] == 0
	bk.tables[name]++
	cell := func(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	x.SetCellStr(name, cell(1, r), Inert(plain(t.Title)))
	x.SetCellStyle(name, cell(1, r), cell(1, r), bk.styles.title)
	r++
	for _, n := range t.Notes {
		x.SetCellStr(name, cell(1, r), Inert(plain(n)))
		x.SetCellStyle(name, cell(1, r), cell(1, r), bk.styles.note)
		r++
	}
	span := make([]int, len(t.Header))
	for i := range span {
		span[i] = 1
		for _, row := range t.Rows {
			if i < len(row) {
				span[i] = max(span[i], xlsxSpan(row[i]))
			}
		}
	}
	col := 1
	keyCols := 0
	for i, h := range t.Header {
		heads := []string{h}
		switch span[i] {
		case 2:
			heads = append(heads, bk.m.T("%s 分数", h))
		case 3:
			heads = append(heads, bk.m.T("%s 比例", h), bk.m.T("%s 分数", h))
		}
		for _, hh := range heads {
			x.SetCellStr(name, cell(col, r), Inert(plain(hh)))
			bk.fit(name, col, hh, 16)
			col++
		}
		if i < t.Keys {
			keyCols = col - 1
		}
	}
	x.SetCellStyle(name, cell(1, r), cell(col-1, r), bk.styles.header)
	header := r
	r++
	for _, row := range t.Rows {
		col := 1
		for i, c := range row {
			n := 1
			if i < len(span) {
				n = span[i]
			}
			at := cell(col, r)
			switch {
			case c.Kind == countCell:
				x.SetCellInt(name, at, int64(c.N))
				x.SetCellStyle(name, at, at, bk.styles.count)
				bk.fit(name, col, fmt.Sprint(c.N), 60)
			case c.Kind == countRateCell:
				x.SetCellInt(name, at, int64(c.N))
				x.SetCellStyle(name, at, at, bk.styles.count)
				bk.fit(name, col, fmt.Sprint(c.N), 60)
				bk.ratio(name, col+1, r, c.R)
			case c.Kind == percentCell:
				bk.ratio(name, col, r, c.R)
			case c.Kind == decimalCell && c.R.Valid():
				x.SetCellFloat(name, at, float64(c.R.Num)/float64(c.R.Den), -1, 64)
				x.SetCellStyle(name, at, at, bk.styles.decimal)
				bk.fit(name, col, c.R.Decimal(), 60)
			default:
				s := plain(c.String())
				x.SetCellStr(name, at, Inert(s))
				if c.Wrap {
					x.SetCellStyle(name, at, at, bk.styles.wrap)
					bk.fit(name, col, s, 50)
				} else {
					x.SetCellStyle(name, at, at, bk.styles.text)
					bk.fit(name, col, s, 60)
				}
			}
			for k := 1; k < n; k++ { // the rest of a spanned column keeps its border
				if c.Kind == countCell || c.Kind == textCell || c.Kind == decimalCell {
					x.SetCellStyle(name, cell(col+k, r), cell(col+k, r), bk.styles.text)
				}
			}
			col += n
		}
		r++
	}
	if first {
		// Freeze the title and header rows and the columns that name a row; a sheet that
		// stacks several tables freezes only the naming columns.
		panes := &excelize.Panes{Freeze: true, XSplit: keyCols, YSplit: header, TopLeftCell: cell(keyCols+1, header+1), ActivePane: "bottomRight"}
		if err := x.SetPanes(name, panes); err != nil {
			return err
		}
	} else if bk.tables[name] == 2 {
		panes := &excelize.Panes{Freeze: true, XSplit: keyCols, TopLeftCell: cell(keyCols+1, 1), ActivePane: "topRight"}
		if keyCols == 0 {
			panes = &excelize.Panes{}
		}
		if err := x.SetPanes(name, panes); err != nil {
			return err
		}
	}
	bk.next[name] = r + 2
	return nil
}
