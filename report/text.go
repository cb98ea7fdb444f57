package report

// Chinese PDFs need two fonts: Debian's Droid Sans Fallback has the CJK glyphs but no
// Latin ones, so digits, codes and addresses are set in DejaVu. Text is written in runs,
// each in the font that has its glyphs, and wrapped here (fpdf's MultiCell loses a
// character where it breaks a line of Chinese).

// textRun is a stretch of text set in one font.
type textRun struct {
	font string
	text string
}

func fontFor(r rune) string {
	if r >= 0x2700 && r <= 0x27BF || r >= 0x2190 && r <= 0x21FF { // Dingbats (the ✔ and ✘ of conclusions) and arrows are DejaVu's
		return "latin"
	}
	if r <= 0x206F { // up to General Punctuation: the CJK font has none of the dashes, quotes or ellipsis
		return "latin"
	}
	return "cjk"
}

func runsOf(s string) []textRun {
	var out []textRun
	for _, r := range s {
		if r == glueOpen || r == glueClose {
			continue
		}
		f := fontFor(r)
		if n := len(out); n > 0 && out[n-1].font == f {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, textRun{font: f, text: string(r)})
	}
	return out
}

// mixedWidth is the width of s at the given size. It measures on the document's
// pageless twin: switching fonts on a page to measure writes the switch into the page,
// which was most of a slip sheet's content.
func mixedWidth(pdf *pdfDoc, s string, size float64) float64 {
	m := pdf.measure
	m.Lock()
	defer m.Unlock()
	w := 0.0
	for _, r := range runsOf(s) {
		m.pdf.SetFont(r.font, "", size)
		w += m.pdf.GetStringWidth(r.text)
	}
	return w
}

// mixedText writes s on one line at (x, y), left-aligned, centred or right-aligned in a
// box of width w.
func mixedText(pdf *pdfDoc, x, y, w, h, size float64, s, align string) {
	tw := mixedWidth(pdf, s, size)
	switch align {
	case "C":
		x += (w - tw) / 2
	case "R":
		x += w - tw
	}
	for _, r := range runsOf(s) {
		pdf.SetFont(r.font, "", size)
		rw := pdf.GetStringWidth(r.text)
		pdf.SetXY(x, y)
		pdf.CellFormat(rw, h, r.text, "", 0, "L", false, 0, "")
		x += rw
	}
}

// wrapMixed breaks s into lines no wider than w, between any two characters (as Chinese
// is set), keeping Latin words whole where they fit.
func wrapMixed(pdf *pdfDoc, s string, w, size float64) []string {
	var lines []string
	line := []rune{}
	for _, r := range s {
		if r == '\n' {
			lines, line = append(lines, string(line)), line[:0:0]
			continue
		}
		next := append(append([]rune{}, line...), r)
		if len(line) > 0 && mixedWidth(pdf, string(next), size) > w {
			lines, line = append(lines, string(line)), []rune{r}
			continue
		}
		line = next
	}
	return append(lines, string(line))
}

// Clip cuts s to n characters, an ellipsis marking the cut (a file name from a title).
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
