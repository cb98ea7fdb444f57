package server

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"minyi/ballot"
)

// tallyPDF is the 计票结果报告单: the poll, who opened the box, the turnout and every
// form's tables (the same as the workbook's) with their bars, the tellers' signature
// lines, and what ties the paper to the signed bundle: the box's Merkle root, the check
// code of the file and the signing key's fingerprint, with how to check them.
func (s *Server) tallyPDF(b *ballot.Bundle, fingerprint, checkCode string) ([]byte, error) {
	t := b.Tally
	meta := []string{"计票时间：" + b.CountedAt.In(cst).Format("2006-01-02 15:04")}
	if len(t.Tellers()) > 0 {
		var names []string
		for _, n := range t.Tellers() {
			names = append(names, whole(n))
		}
		meta = append(meta, "开箱监票人："+strings.Join(names, "、"))
	}
	if k := t.KeyText(); k != "" {
		meta = append(meta, "密钥保管："+k)
	}
	quorum := "已达到"
	if !t.QuorumMet {
		quorum = "✘ 未达到"
	}
	meta = append(meta, fmt.Sprintf("应到 %d 人，实到 %d 人，票箱 %d 张，法定人数 %d 人（%s）", t.Expected, t.Used, t.Ballots, t.Needed, quorum))
	if t.Paper > 0 {
		meta = append(meta, fmt.Sprintf("其中纸质选票 %d 张，手机投票 %d 张。", t.Paper, t.Ballots-t.Paper))
	}
	if t.Rehearsal {
		meta = append(meta, "模拟测评演练结果，不是正式结果，不得归档或使用。")
	}
	file := "文件名.json"
	if b.Version == ballot.BundleVersion5 {
		file = "文件名.zip"
	}
	footer := []string{
		"票箱默克尔根：" + b.MerkleRoot,
		"核验码：" + checkCode,
		"签名密钥指纹：" + fingerprint,
		"如何核对：票箱默克尔根由票箱中全部选票的回执计算得出，任何一张选票被增删或改动，它都会改变；核验码取自签名的计票结果文件，" +
			"用来确认手中的文件就是这份报告单所对应的文件。可在不联网的计算机上运行 " + whole("minyi verify -key \""+fingerprint+"\" "+file) + "，" +
			"或在本系统的 /verify 页面上传该文件：核验通过且显示的核验码、默克尔根与本页相同，说明文件未被改动，本报告单的数字与文件中的选票重新计票的结果一致。",
	}
	// The tally's notes (below quorum, a box that does not add up) head the report rather
	// than sit under the turnout table, where the workbook has them.
	for _, n := range t.Notes {
		meta = append(meta, "✘ "+n)
	}
	tables := reportTables(t)
	tables[0].Notes = tables[0].Notes[:len(tables[0].Notes)-len(t.Notes)]
	return s.reportPDF("计票结果报告单", b.Poll.Title, meta, tables, true, footer)
}

// whole keeps a name on one line when a line of text is wrapped.
func whole(s string) string { return "\x02" + s + "\x03" }

// The page: A4 in portrait, or in landscape when a table is too wide for portrait.
const (
	pageMargin  = 15.0
	pageFootH   = 16.0
	tableSize   = 7.5
	cellPad     = 1.2
	cellLineH   = 3.6
	maxWrapCell = 70.0
)

type reportLayout struct {
	pdf       *pdfDoc
	landscape bool
	width     float64 // printable width
	bottom    float64 // lowest y for content
	y         float64
}

func (l *reportLayout) addPage() {
	if l.landscape {
		l.pdf.AddPageFormat("L", fpdf.SizeType{Wd: 210, Ht: 297})
	} else {
		l.pdf.AddPageFormat("P", fpdf.SizeType{Wd: 210, Ht: 297})
	}
	l.y = pageMargin
}

// need starts a new page unless h more millimetres fit on this one.
func (l *reportLayout) need(h float64) {
	if l.y+h > l.bottom {
		l.addPage()
	}
}

// text writes wrapped lines at the given size.
func (l *reportLayout) text(s string, size, lineH float64, align string) {
	for _, line := range wrapSafe(l.pdf, s, l.width, size) {
		l.need(lineH)
		mixedText(l.pdf, pageMargin, l.y, l.width, lineH, size, line, align)
		l.y += lineH
	}
}

// reportPDF lays out a report: a heading, a title, lines of facts, tables with their bars,
// the tellers' signature lines when signed, small print at the end, and on every page
// 「第 n 页 共 m 页」.
func (s *Server) reportPDF(heading, title string, meta []string, tables []reportTable, signed bool, footer []string) ([]byte, error) {
	pdf, err := s.newPDF()
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(title+" "+heading, true)
	l := &reportLayout{pdf: pdf, width: 210 - 2*pageMargin, bottom: 297 - pageFootH}
	// One orientation for the whole report: landscape when any table's columns,
	// measured from their content, do not fit across a portrait page.
	for _, tb := range tables {
		total := 0.0
		for _, w := range columnWidths(pdf, tb, tableSize) {
			total += w
		}
		if total > l.width {
			l.landscape, l.width, l.bottom = true, 297-2*pageMargin, 210-pageFootH
			break
		}
	}
	l.addPage()
	l.text(heading, 16, 9, "C")
	l.y += 1
	l.text(title, 12, 6, "C")
	l.y += 2
	for _, m := range meta {
		l.text(m, 9.5, 5, "L")
	}
	l.y += 3
	for _, tb := range tables {
		l.table(tb)
		l.chart(tb.Chart)
		l.y += 4
	}
	if signed {
		l.need(34)
		l.y += 4
		mixedText(pdf, pageMargin, l.y, l.width, 8, 11, "监票人（签字）：______________________　　计票人（签字）：______________________", "L")
		l.y += 12
		mixedText(pdf, pageMargin, l.y, l.width, 8, 11, "日期：________年____月____日", "L")
		l.y += 12
	}
	for _, line := range footer {
		l.text(line, 8, 4.2, "L")
	}
	pages := pdf.PageCount()
	pageW, pageH := 210.0, 297.0
	if l.landscape {
		pageW, pageH = 297, 210
	}
	for i := 1; i <= pages; i++ {
		pdf.SetPage(i)
		mixedText(pdf, pageMargin, pageH-10, pageW-2*pageMargin, 4, 8, fmt.Sprintf("第 %d 页 共 %d 页", i, pages), "C")
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// columnWidths measures each column with the fonts' own metrics: a figure or a name is as
// wide as it prints, on one line; a header may take two lines; long text is capped (it
// wraps between words).
func columnWidths(pdf *pdfDoc, tb reportTable, size float64) []float64 {
	w := make([]float64, len(tb.Header))
	for i, h := range tb.Header {
		// A short header stays on one line; a long one takes two.
		if hw := mixedWidth(pdf, h, size); hw <= 16 {
			w[i] = hw
		} else {
			w[i] = max(longestToken(pdf, h, size), hw/2+1)
		}
		for _, r := range tb.Rows {
			if i >= len(r) {
				continue
			}
			s := r[i].String()
			if r[i].Wrap {
				w[i] = max(w[i], min(mixedWidth(pdf, s, size), maxWrapCell), longestToken(pdf, s, size))
			} else {
				w[i] = max(w[i], mixedWidth(pdf, s, size))
			}
		}
		w[i] += 2*cellPad + 0.5
	}
	return w
}

// table draws a table. When its columns do not fit across the page, wrapping columns are
// narrowed first; then the columns are printed in groups, each repeating the columns that
// name the row.
func (l *reportLayout) table(tb reportTable) {
	pdf := l.pdf
	// A table a little too wide is set a point smaller before it is narrowed or split.
	size := tableSize
	widths := columnWidths(pdf, tb, size)
	total := 0.0
	for _, w := range widths {
		total += w
	}
	if total > l.width {
		size = tableSize - 1
		widths = columnWidths(pdf, tb, size)
		total = 0
		for _, w := range widths {
			total += w
		}
	}
	if total > l.width {
		for i := range widths {
			if total <= l.width {
				break
			}
			wraps := false
			for _, r := range tb.Rows {
				wraps = wraps || i < len(r) && r[i].Wrap
			}
			if !wraps {
				continue
			}
			floor := 28.0
			for _, r := range tb.Rows {
				if i < len(r) {
					floor = max(floor, longestToken(pdf, r[i].String(), size)+2*cellPad+0.5)
				}
			}
			cut := min(widths[i]-floor, total-l.width)
			if cut > 0 {
				widths[i] -= cut
				total -= cut
			}
		}
	}
	keys := min(max(tb.Keys, 0), len(widths))
	var groups [][]int
	if total <= l.width {
		all := make([]int, len(widths))
		for i := range all {
			all[i] = i
		}
		groups = [][]int{all}
	} else {
		keyW := 0.0
		var keyCols []int
		for i := 0; i < keys; i++ {
			keyW += widths[i]
			keyCols = append(keyCols, i)
		}
		cur, curW := append([]int{}, keyCols...), keyW
		for i := keys; i < len(widths); i++ {
			if curW+widths[i] > l.width && len(cur) > keys {
				groups = append(groups, cur)
				cur, curW = append([]int{}, keyCols...), keyW
			}
			cur = append(cur, i)
			curW += widths[i]
		}
		groups = append(groups, cur)
	}
	for gi, cols := range groups {
		title := tb.Title
		if len(groups) > 1 {
			title += fmt.Sprintf("（第 %d 部分，共 %d 部分）", gi+1, len(groups))
		}
		l.tablePart(tb, title, gi == 0, cols, widths, size)
		l.y += 2
	}
}

// cellLines is a cell's text as printed: one line, or wrapped lines for long text.
func cellLines(pdf *pdfDoc, c reportCell, w, size float64) []string {
	s := c.String()
	if c.Wrap {
		return wrapSafe(pdf, s, w-2*cellPad, size)
	}
	return []string{s}
}

func (l *reportLayout) tablePart(tb reportTable, title string, notes bool, cols []int, widths []float64, size float64) {
	pdf := l.pdf
	lineH := cellLineH * size / tableSize
	header := make([]reportCell, len(tb.Header))
	for i, h := range tb.Header {
		header[i] = prose(h)
	}
	height := func(cells []reportCell) float64 {
		n := 1
		for _, i := range cols {
			if i < len(cells) {
				n = max(n, len(cellLines(pdf, cells[i], widths[i], size)))
			}
		}
		return float64(n)*lineH + 2*cellPad
	}
	draw := func(cells []reportCell, head bool) {
		h := height(cells)
		x := pageMargin
		for _, i := range cols {
			w := widths[i]
			if head {
				pdf.SetFillColor(235, 235, 235)
				pdf.Rect(x, l.y, w, h, "FD")
			} else {
				pdf.Rect(x, l.y, w, h, "D")
			}
			if i < len(cells) {
				align := "L"
				if k := cells[i].Kind; k != textCell && !head {
					align = "R"
				}
				for j, line := range cellLines(pdf, cells[i], w, size) {
					mixedText(pdf, x+cellPad, l.y+cellPad+float64(j)*lineH, w-2*cellPad, lineH, size, line, align)
				}
			}
			x += w
		}
		l.y += h
	}
	titleLines := wrapSafe(pdf, title, l.width, 9.5)
	noteLines := 0
	if notes {
		for _, n := range tb.Notes {
			noteLines += len(wrapSafe(pdf, n, l.width, 8))
		}
	}
	first := 0.0
	if len(tb.Rows) > 0 {
		first = height(tb.Rows[0])
	}
	l.need(float64(len(titleLines))*5 + float64(noteLines)*4.2 + height(header) + first + 2)
	for _, line := range titleLines {
		mixedText(pdf, pageMargin, l.y, l.width, 5, 9.5, line, "L")
		l.y += 5
	}
	if notes {
		for _, n := range tb.Notes {
			l.text(n, 8, 4.2, "L")
		}
	}
	l.y += 1
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.15)
	draw(header, true)
	for _, r := range tb.Rows {
		if l.y+height(r) > l.bottom {
			l.addPage()
			draw(header, true)
		}
		draw(r, false)
	}
}

// Greys for the parts of a bar, dark to light, told apart in a grey print.
var barGreys = []int{40, 105, 165, 215}

// chart draws a table's bars: one per row, its parts in greys with a legend, the figures
// beside it, and a dashed line where the chart has one.
func (l *reportLayout) chart(ch *reportChart) {
	if ch == nil || len(ch.Bars) == 0 {
		return
	}
	pdf := l.pdf
	const size, barH, gap = 7.0, 3.2, 1.4
	labelW, valueW := 0.0, 0.0
	values := make([]string, len(ch.Bars))
	for i, b := range ch.Bars {
		labelW = max(labelW, mixedWidth(pdf, b.Label, size))
		var parts []string
		for _, p := range b.Parts {
			parts = append(parts, fmt.Sprint(p))
		}
		values[i] = strings.Join(parts, " / ")
		if b.Full > 0 {
			values[i] += fmt.Sprintf("（共 %d）", b.Full)
		}
		valueW = max(valueW, mixedWidth(pdf, values[i], size))
	}
	labelW += 3
	barW := min(l.width-labelW-valueW-4, 110)
	legendH := 0.0
	if len(ch.Legend) > 1 {
		legendH = 5
	}
	markH := 0.0
	if ch.Mark.Valid() {
		markH = 4.5
	}
	l.need(legendH + float64(len(ch.Bars))*(barH+gap) + markH + 2)
	x0 := pageMargin + labelW
	pdf.SetDrawColor(80, 80, 80)
	pdf.SetLineWidth(0.15)
	if legendH > 0 {
		x := x0
		for k, name := range ch.Legend {
			g := barGreys[k%len(barGreys)]
			pdf.SetFillColor(g, g, g)
			pdf.Rect(x, l.y+0.6, 3, 2.6, "FD")
			mixedText(pdf, x+4, l.y, 40, 3.8, size, name, "L")
			x += 4 + mixedWidth(pdf, name, size) + 4
		}
		l.y += legendH
	}
	top := l.y
	for i, b := range ch.Bars {
		mixedText(pdf, pageMargin, l.y, labelW-2, barH, size, b.Label, "R")
		x := x0
		for k, p := range b.Parts {
			if b.Full <= 0 || p <= 0 {
				continue
			}
			w := barW * float64(p) / float64(b.Full)
			g := barGreys[k%len(barGreys)]
			pdf.SetFillColor(g, g, g)
			pdf.Rect(x, l.y, w, barH, "FD")
			x += w
		}
		pdf.Rect(x0, l.y, barW, barH, "D")
		mixedText(pdf, x0+barW+2, l.y, valueW+2, barH, size, values[i], "L")
		l.y += barH + gap
	}
	if ch.Mark.Valid() && ch.Bars[0].Full > 0 {
		x := x0 + barW*float64(ch.Mark.Num)/float64(ch.Mark.Den)/float64(ch.Bars[0].Full)
		if x <= x0+barW {
			pdf.SetDrawColor(0, 0, 0)
			pdf.SetLineWidth(0.3)
			pdf.SetDashPattern([]float64{0.8, 0.6}, 0)
			pdf.Line(x, top-0.8, x, l.y-gap+0.8)
			pdf.SetDashPattern([]float64{}, 0)
			pdf.SetLineWidth(0.15)
			mixedText(pdf, x-40, l.y, 80, 3.8, size, ch.MarkLabel, "C")
		}
		l.y += markH
	}
	l.y += 1
}
