package report

// cellLines is a cell's text as printed: one line, or wrapped lines for long text.
func cellLines(pdf *pdfDoc, c Cell, w, size float64) []string {
	s := c.in(pdf.m)
	if c.Wrap {
		return wrapSafe(pdf, s, w-2*cellPad, size)
	}
	return []string{s}
}

// tablePart draws the columns cols of a table under its title (and its notes, when
// asked), repeating the header on each new page.
func (l *reportLayout) tablePart(tb Table, title string, notes bool, cols []int, widths []float64, size float64) {
	pdf := l.pdf
	lineH := cellLineH * size / tableSize
	header := make([]Cell, len(tb.Header))
	for i, h := range tb.Header {
		header[i] = Prose(h)
	}
	height := func(cells []Cell) float64 {
		n := 1
		for _, i := range cols {
			if i < len(cells) {
				n = max(n, len(cellLines(pdf, cells[i], widths[i], size)))
			}
		}
		return float64(n)*lineH + 2*cellPad
	}
	draw := func(cells []Cell, head bool) {
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
