package report

import (
	"github.com/go-pdf/fpdf"
)

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
