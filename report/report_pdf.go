package report

import (
	"bytes"
)

// Report lays out a report: a heading, a title, lines of facts, tables with their bars,
// the tellers' signature lines when signed, small print at the end, and on every page
// 「第 n 页 共 m 页」.
func (p Printer) Report(heading, title string, meta []string, tables []Table, signed bool, footer []string) ([]byte, error) {
	pdf, err := p.newPDF()
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
		mixedText(pdf, pageMargin, l.y, l.width, 8, 11, pdf.m.T("监票人（签字）：______________________　　计票人（签字）：______________________"), "L")
		l.y += 12
		mixedText(pdf, pageMargin, l.y, l.width, 8, 11, pdf.m.T("日期：________年____月____日"), "L")
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
		mixedText(pdf, pageMargin, pageH-10, pageW-2*pageMargin, 4, 8, pdf.m.T("第 %d 页 共 %d 页", i, pages), "C")
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
