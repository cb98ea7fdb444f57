package report

import (
	"fmt"
	"strings"
)

// Greys for the parts of a bar, dark to light, told apart in a grey print.
var barGreys = []int{40, 105, 165, 215}

// chart draws a table's bars: one per row, its parts in greys with a legend, the figures
// beside it, and a dashed line where the chart has one.
func (l *reportLayout) chart(ch *Chart) {
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
			values[i] += pdf.m.T("（共 %d）", b.Full)
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
