package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"minyi/ballot"
	"minyi/store"
)

// Downloads of a counted poll, all from its signed bundle: the tally as a workbook, the
// plain ballots as CSV for a re-tally by hand, and everything in one ZIP.

func (s *Server) certified(c *fiber.Ctx) (*store.PollInfo, *ballot.Signed, *ballot.Bundle, error) {
	p := pollOf(c)
	signed, err := s.store.Bundle(c.UserContext(), p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	var b ballot.Bundle
	if err := json.Unmarshal(signed.Bundle, &b); err != nil {
		return nil, nil, nil, err
	}
	return p, signed, &b, nil
}

// Every cell of a CSV or a workbook that may begin with what a person typed is made inert
// against formula injection: a spreadsheet takes a cell beginning with = + - @ (or a tab
// or carriage return before one) as a formula. Such a cell gets a leading apostrophe, as
// Excel itself shows a typed '=: the text after it is the text as typed. A cell that
// begins with an apostrophe gets one more, so that removing one leading apostrophe always
// gives back the original (a candidate named "+cmd" is written '+cmd and read as +cmd).
func inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// plain drops the marks that keep text together on a printed line.
func plain(s string) string {
	return strings.NewReplacer(string(glueOpen), "", string(glueClose), "").Replace(s)
}

var sheetNameReplacer = strings.NewReplacer("[", "（", "]", "）", ":", "：", "*", "", "?", "", "/", "、", "\\", "、", "'", "’")

// tallyXLSX lays the report tables out one sheet per table (a survey's questions stacked
// on its form's sheet), after a sheet of turnout.
func tallyXLSX(b *ballot.Bundle) ([]byte, error) { return xlsxFromTables(reportTables(b.Tally)) }

// xlsxSpan is how many workbook columns a report column takes: a count is one number; a
// rate is the percentage (a number formatted as one) and its exact fraction as text
// beside it; a count with its rate takes all three.
func xlsxSpan(c reportCell) int {
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

// xlsxFromTables writes tables into a workbook, those of the same Sheet stacked on one.
func xlsxFromTables(tables []reportTable) ([]byte, error) {
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
	base := clip(sheetNameReplacer.Replace(key), 28)
	name := base
	for n := 2; ; n++ {
		taken := false
		for _, o := range bk.order {
			taken = taken || strings.EqualFold(o, name)
		}
		if !taken {
			break
		}
		name = clip(base, 26) + fmt.Sprintf("（%d）", n)
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

func (bk *xlsxBook) table(t reportTable) error {
	x := bk.x
	name, err := bk.sheet(t.Sheet)
	if err != nil {
		return err
	}
	r := bk.next[name]
	first := bk.tables[name] == 0
	bk.tables[name]++
	cell := func(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	x.SetCellStr(name, cell(1, r), inert(plain(t.Title)))
	x.SetCellStyle(name, cell(1, r), cell(1, r), bk.styles.title)
	r++
	for _, n := range t.Notes {
		x.SetCellStr(name, cell(1, r), inert(plain(n)))
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
			heads = append(heads, h+" 分数")
		case 3:
			heads = append(heads, h+" 比例", h+" 分数")
		}
		for _, hh := range heads {
			x.SetCellStr(name, cell(col, r), inert(plain(hh)))
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
				x.SetCellStr(name, at, inert(s))
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

func sendFile(c *fiber.Ctx, name, contentType string, body []byte) error {
	c.Set("Content-Type", contentType)
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return c.Send(body)
}

func (s *Server) tallyXLSXDownload(c *fiber.Ctx) error {
	p, _, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := tallyXLSX(b)
	if err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_计票结果.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

func (s *Server) tallyPDFDownload(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := s.tallyPDF(b, ballot.Fingerprint(signed.PublicKey), ballot.CheckCode(signed.Bundle))
	if err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_计票结果报告单.pdf", "application/pdf", body)
}

// tallyZIP packs the signed bundle, the report and the workbook. No document lists plain
// ballots: none is ever decrypted, and a list of them would let a coercer find a voter's
// pattern of marks. A version 5 bundle goes in as its own ZIP, stored, its ballots
// streamed from the box; nothing of the whole is held in memory but the report and the
// workbook.
func (s *Server) tallyZIP(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	xl, err := tallyXLSX(b)
	if err != nil {
		return err
	}
	report, err := s.tallyPDF(b, ballot.Fingerprint(signed.PublicKey), ballot.CheckCode(signed.Bundle))
	if err != nil {
		return err
	}
	marks, v5 := ballot.Bundle5Marks(signed)
	var js []byte
	if !v5 {
		if js, err = json.MarshalIndent(signed, "", " "); err != nil {
			return err
		}
	}
	c.Set("Content-Type", "application/zip")
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(clip(p.Title, 30)+"_计票结果.zip"))
	s.streamBody(c, func(w io.Writer) error {
		z := zip.NewWriter(w)
		if v5 {
			fw, err := z.CreateHeader(&zip.FileHeader{Name: "计票结果（签名）.zip", Method: zip.Store})
			if err != nil {
				return err
			}
			if err := s.writeBundle5(fw, p.ID, signed, marks); err != nil {
				return err
			}
		} else {
			fw, err := z.Create("计票结果（签名）.json")
			if err != nil {
				return err
			}
			fw.Write(js)
		}
		for _, f := range []struct {
			name string
			body []byte
		}{{"计票结果报告单.pdf", report}, {"计票结果.xlsx", xl}} {
			fw, err := z.Create(f.name)
			if err != nil {
				return err
			}
			fw.Write(f.body)
		}
		return z.Close()
	})
	return nil
}
