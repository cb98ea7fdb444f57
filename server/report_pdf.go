package server

import (
	"bytes"
	"fmt"
	"strings"

	"minyi/ballot"
)

// tallyPDF is the 计票结果报告单: the poll, who opened the box, the turnout and every
// form's tables (the same as the workbook's), the signature lines of the tellers, and
// the box's Merkle root and signing key, so the paper matches the signed bundle.
func (s *Server) tallyPDF(b *ballot.Bundle, fingerprint string) ([]byte, error) {
	t := b.Tally
	meta := []string{"计票时间：" + b.CountedAt.In(cst).Format("2006-01-02 15:04")}
	if len(t.OpenedBy) > 0 {
		meta = append(meta, "开箱监票人："+strings.Join(t.OpenedBy, "、"))
	}
	meta = append(meta, fmt.Sprintf("应到 %d 人，实到 %d 人，票箱 %d 张，法定人数 %d 人（%s）", t.Expected, t.Used, t.Ballots, t.Needed, map[bool]string{true: "已达到", false: "未达到"}[t.QuorumMet]))
	if t.Rehearsal {
		meta = append(meta, "模拟测评演练结果，不是正式结果")
	}
	meta = append(meta, t.Notes...)
	return s.reportPDF("计票结果报告单", b.Poll.Title, meta, reportTables(t),
		"监票人（签名）：______________________　　计票人（签名）：______________________",
		[]string{"票箱默克尔根：" + b.MerkleRoot, "签名密钥指纹：" + fingerprint, "电子计票结果（签名 JSON）可用 minyi verify 或 /verify 页面核验。"})
}

// reportPDF lays out a report: a heading, a title, lines of facts, tables, a line to sign
// ("" for none) with a date, and small print at the end.
func (s *Server) reportPDF(heading, title string, meta []string, tables []reportTable, sign string, footer []string) ([]byte, error) {
	pdf, err := s.newPDF()
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(title+" "+heading, true)
	pdf.SetAutoPageBreak(false, 0)
	const left, width, bottom = 15.0, 180.0, 280.0
	pdf.AddPage()
	y := 15.0
	mixedText(pdf, left, y, width, 9, 16, heading, "C")
	y += 10
	for _, line := range wrapMixed(pdf, title, width, 12) {
		mixedText(pdf, left, y, width, 6, 12, line, "C")
		y += 6
	}
	y += 2
	for _, m := range meta {
		for _, line := range wrapMixed(pdf, m, width, 9.5) {
			mixedText(pdf, left, y, width, 5, 9.5, line, "L")
			y += 5
		}
	}
	y += 3
	for _, tb := range tables {
		y = pdfTable(pdf, tb, left, y, width, bottom)
		y += 4
	}
	if y+40 > bottom {
		pdf.AddPage()
		y = 20
	}
	if sign != "" {
		y += 6
		mixedText(pdf, left, y, width, 8, 11, sign, "L")
		y += 12
		mixedText(pdf, left, y, width, 8, 11, "日期：______________________", "L")
		y += 12
	}
	for _, line := range footer {
		for _, l := range wrapMixed(pdf, line, width, 7.5) {
			mixedText(pdf, left, y, width, 4, 7.5, l, "L")
			y += 4
		}
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// pdfTable draws a table with wrapped cells, starting a new page (and repeating the
// header) when a row would not fit; it returns the y below the table.
func pdfTable(pdf *pdfDoc, tb reportTable, left, y, width, bottom float64) float64 {
	size := 8.0
	if len(tb.Header) > 9 {
		size = 6.5
	}
	const pad, lineH = 1.2, 3.8
	// Column widths from content, capped, then scaled to the page.
	widths := make([]float64, len(tb.Header))
	for i, h := range tb.Header {
		widths[i] = mixedWidth(pdf, h, size) + 2*pad
		for _, r := range tb.Rows {
			if i < len(r) {
				widths[i] = max(widths[i], mixedWidth(pdf, r[i], size)+2*pad)
			}
		}
		widths[i] = min(max(widths[i], 10), 55)
	}
	total := 0.0
	for _, w := range widths {
		total += w
	}
	for i := range widths {
		widths[i] *= width / total
	}
	row := func(cells []string, bold bool) float64 {
		lines := make([][]string, len(widths))
		h := 0.0
		for i := range widths {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			lines[i] = wrapMixed(pdf, v, widths[i]-2*pad, size)
			h = max(h, float64(len(lines[i]))*lineH+2*pad)
		}
		return h
	}
	draw := func(cells []string, shade bool) {
		h := row(cells, shade)
		x := left
		for i, w := range widths {
			if shade {
				pdf.SetFillColor(240, 240, 240)
				pdf.Rect(x, y, w, h, "FD")
			} else {
				pdf.Rect(x, y, w, h, "D")
			}
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			for j, l := range wrapMixed(pdf, v, w-2*pad, size) {
				mixedText(pdf, x+pad, y+pad+float64(j)*lineH, w-2*pad, lineH, size, l, "L")
			}
			x += w
		}
		y += h
	}
	titleLines := wrapMixed(pdf, tb.Title, width, 10)
	if y+float64(len(titleLines))*5+row(tb.Header, true)+12 > bottom {
		pdf.AddPage()
		y = 15
	}
	for _, l := range titleLines {
		mixedText(pdf, left, y, width, 5, 10, l, "L")
		y += 5
	}
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetLineWidth(0.15)
	draw(tb.Header, true)
	for _, r := range tb.Rows {
		if y+row(r, false) > bottom {
			pdf.AddPage()
			y = 15
			draw(tb.Header, true)
		}
		draw(r, false)
	}
	return y
}
