package report

// columnWidths measures each column with the fonts' own metrics: a figure or a name is as
// wide as it prints, on one line; a header may take two lines; long text is capped (it
// wraps between words).
func columnWidths(pdf *pdfDoc, tb Table, size float64) []float64 {
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
			s := r[i].in(pdf.m)
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
func (l *reportLayout) table(tb Table) {
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
					floor = max(floor, longestToken(pdf, r[i].in(pdf.m), size)+2*cellPad+0.5)
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
			title += pdf.m.T("（第 %d 部分，共 %d 部分）", gi+1, len(groups))
		}
		l.tablePart(tb, title, gi == 0, cols, widths, size)
		l.y += 2
	}
}
