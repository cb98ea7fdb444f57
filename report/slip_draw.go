package report

import (
	"fmt"

	"github.com/go-pdf/fpdf"

	"minyi/ballot"
)

// drawSlip draws the i-th slip of a batch at (x, y), its QR code registered as img.
func drawSlip(pdf *pdfDoc, b *SlipBatch, img string, x, y float64, t ballot.Token, i int) {
	ty := y + 5
	for j, line := range wrapMixed(pdf, b.Title, slipW-12, 10.5) {
		if j == 2 {
			break
		}
		mixedText(pdf, x+6, ty, slipW-12, 5, 10.5, line, "C")
		ty += 5
	}
	mixedText(pdf, x+6, ty+0.5, slipW-12, 5, 9.5, "参评类别："+b.Group, "C")
	top := y + 22
	pdf.ImageOptions(img, x+5, top-1, 40, 40, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	tx, tw := x+47, slipW-52
	mixedText(pdf, tx, top, tw, 5, 9, "投票凭证码", "L")
	pdf.SetFont("mono", "", 12.5)
	pdf.SetXY(tx, top+5)
	pdf.CellFormat(tw, 7, t.Grouped(), "", 0, "L", false, 0, "")
	ly := top + 14
	for _, line := range []string{"请用手机扫描二维码投票。", "无法扫码时，用手机浏览器打开"} {
		mixedText(pdf, tx, ly, tw, 4.4, 8.5, line, "L")
		ly += 4.4
	}
	for _, line := range wrapMixed(pdf, b.Base+"/v", tw, 8.5) {
		mixedText(pdf, tx, ly, tw, 4.4, 8.5, line, "L")
		ly += 4.4
	}
	for _, line := range []string{"并输入上面的凭证码。", "凭证只能使用一次，投票不记名。"} {
		mixedText(pdf, tx, ly, tw, 4.4, 8.5, line, "L")
		ly += 4.4
	}
	total := len(b.Tokens)
	if b.Total > 0 {
		total = b.Total
	}
	slipFooter(pdf, b, fmt.Sprintf("第 %d/%d 张", b.First+i+1, total), x+6, y+slipH-9, slipW-12)
}

// slipFooter writes 「批次 ABCD…WXYZ 第 n/N 张」 right-aligned in a box of width w. The hint
// is set in the code's own typeface, which has the ellipsis (the Chinese one does not),
// so the batch reads on paper as on the batch list. The label's and hint's widths are
// the batch's, measured once.
func slipFooter(pdf *pdfDoc, b *SlipBatch, place string, x, y, w float64) {
	const size = 7.5
	if b.Hint == "" {
		mixedText(pdf, x, y, w, 4, size, place, "R")
		return
	}
	const label = "批次 "
	if b.footW == nil {
		m := pdf.measure
		m.Lock()
		m.pdf.SetFont("mono", "", size)
		wh := m.pdf.GetStringWidth(b.Hint)
		m.Unlock()
		b.footW = &[2]float64{mixedWidth(pdf, label, size), wh}
	}
	wl, wh := b.footW[0], b.footW[1]
	rest := " " + place
	wr := mixedWidth(pdf, rest, size)
	x += w - (wl + wh + wr)
	mixedText(pdf, x, y, wl, 4, size, label, "L")
	pdf.SetFont("mono", "", size)
	pdf.SetXY(x+wl, y)
	pdf.CellFormat(wh, 4, b.Hint, "", 0, "L", false, 0, "")
	mixedText(pdf, x+wl+wh, y, wr, 4, size, rest, "L")
}

func cutLines(pdf *pdfDoc) {
	pdf.SetDrawColor(150, 150, 150)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	for c := 1; c < slipCols; c++ {
		pdf.Line(float64(c)*slipW, 0, float64(c)*slipW, 297)
	}
	for r := 1; r < slipRows; r++ {
		pdf.Line(0, float64(r)*slipH, 210, float64(r)*slipH)
	}
	pdf.SetDashPattern(nil, 0)
}
