package server

import (
	"bytes"
	"os"
	"strings"
	"sync"

	"github.com/go-pdf/fpdf"

	"minyi/ballot"
)

// Chinese PDFs need two fonts: Debian's Droid Sans Fallback has the CJK glyphs but no
// Latin ones, so digits, codes and addresses are set in DejaVu. Text is written in runs,
// each in the font that has its glyphs, and wrapped here (fpdf's MultiCell loses a
// character where it breaks a line of Chinese).

// Font files searched in order; MINYI_FONT (Config.FontPath) replaces the CJK list.
var (
	CJKFontPaths = []string{
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
		"/usr/share/fonts/truetype/wqy/wqy-microhei.ttf",
	}
	LatinFontPaths = []string{"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"}
	MonoFontPaths  = []string{"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"}
)

type pdfFonts struct {
	cjk, latin, mono []byte

	once sync.Once
	m    *measurer
	err  error
}

var fontCache struct {
	sync.Mutex
	key   string
	fonts *pdfFonts
}

func firstFile(paths []string) []byte {
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			return b
		}
	}
	return nil
}

// fonts loads the three fonts once.
func (s *Server) fonts() (*pdfFonts, error) {
	cjk := CJKFontPaths
	if s.cfg.FontPath != "" {
		cjk = []string{s.cfg.FontPath}
	}
	fontCache.Lock()
	defer fontCache.Unlock()
	if fontCache.fonts != nil && fontCache.key == cjk[0] {
		return fontCache.fonts, nil
	}
	f := &pdfFonts{cjk: firstFile(cjk), latin: firstFile(LatinFontPaths), mono: firstFile(MonoFontPaths)}
	if f.cjk == nil || f.latin == nil || f.mono == nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "服务器缺少生成PDF所需的字体（请安装 fonts-droid-fallback 和 fonts-dejavu-core，或设置 MINYI_FONT），可改为下载二维码图片")
	}
	fontCache.key, fontCache.fonts = cjk[0], f
	return f, nil
}

// newPDF starts an A4 document with the fonts registered as "cjk", "latin" and "mono".
func (s *Server) newPDF() (*pdfDoc, error) {
	f, err := s.fonts()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	// Each document gets its own copy of the font files: fpdf writes into the bytes it is
	// given while it subsets a font (an append past a slice it read), so documents made
	// at the same time from one shared copy would race, and spoil it for later ones.
	pdf.AddUTF8FontFromBytes("cjk", "", bytes.Clone(f.cjk))
	pdf.AddUTF8FontFromBytes("latin", "", bytes.Clone(f.latin))
	pdf.AddUTF8FontFromBytes("mono", "", bytes.Clone(f.mono))
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	m, err := f.measurer()
	if err != nil {
		return nil, err
	}
	return &pdfDoc{Fpdf: pdf, measure: m}, nil
}

// pdfDoc is a document and the pageless twin its text is measured on.
type pdfDoc struct {
	*fpdf.Fpdf
	measure *measurer
}

// measurer is a pageless document with the fonts, shared by every document made from
// them.
type measurer struct {
	sync.Mutex
	pdf *fpdf.Fpdf
}

func (f *pdfFonts) measurer() (*measurer, error) {
	f.once.Do(func() {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.AddUTF8FontFromBytes("cjk", "", bytes.Clone(f.cjk))
		pdf.AddUTF8FontFromBytes("latin", "", bytes.Clone(f.latin))
		pdf.AddUTF8FontFromBytes("mono", "", bytes.Clone(f.mono))
		f.m, f.err = &measurer{pdf: pdf}, pdf.Error()
	})
	return f.m, f.err
}

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

// glueOpen and glueClose enclose text that wrapSafe keeps on one line (a name); they are
// not printed.
const glueOpen, glueClose = '\x02', '\x03'

// opensWord and closesWord are punctuation that stays with the text after or before it.
const opensWord = "（(《「『“‘[【"
const closesWord = "）)》」』”’]】，。、；：！？,.;:!?%"

// breakTokens splits s where a line may break: between Chinese characters, at spaces,
// never inside a run of Latin letters and figures ("83.93%", "47/56", "2026-03-20"),
// never inside glued text, and punctuation kept with its neighbour.
func breakTokens(s string) []string {
	var out []string
	var cur []rune
	glued := false
	flush := func() {
		if len(cur) > 0 {
			out, cur = append(out, string(cur)), nil
		}
	}
	latin := func(r rune) bool { return r < 0x2000 && r != ' ' }
	for _, r := range s {
		switch {
		case r == glueOpen:
			if len(cur) > 0 && !strings.ContainsRune(opensWord, cur[len(cur)-1]) {
				flush()
			}
			glued = true
			cur = append(cur, r)
		case r == glueClose:
			glued = false
			cur = append(cur, r)
		case glued:
			cur = append(cur, r)
		case r == ' ':
			cur = append(cur, r)
			flush()
		case strings.ContainsRune(closesWord, r):
			cur = append(cur, r)
		case strings.ContainsRune(opensWord, r):
			if len(cur) > 0 && !strings.ContainsRune(opensWord, cur[len(cur)-1]) {
				flush()
			}
			cur = append(cur, r)
		case latin(r):
			if n := len(cur); n > 0 && !latin(cur[n-1]) && !strings.ContainsRune(opensWord, cur[n-1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			if n := len(cur); n > 0 && !strings.ContainsRune(opensWord, cur[n-1]) {
				flush()
			}
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// wrapSafe breaks s into lines no wider than w at the places breakTokens allows. A token
// wider than a whole line (a long code) is broken by characters as the last resort.
func wrapSafe(pdf *pdfDoc, s string, w, size float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, tok := range breakTokens(para) {
			switch {
			case line == "" || mixedWidth(pdf, line+tok, size) <= w:
				line += tok
			default:
				lines, line = append(lines, strings.TrimRight(line, " ")), tok
			}
			if mixedWidth(pdf, line, size) > w {
				parts := wrapMixed(pdf, line, w, size)
				lines, line = append(lines, parts[:len(parts)-1]...), parts[len(parts)-1]
			}
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

// longestToken is the width of the widest piece of s that may not be broken.
func longestToken(pdf *pdfDoc, s string, size float64) float64 {
	w := 0.0
	for _, tok := range breakTokens(s) {
		w = max(w, mixedWidth(pdf, strings.TrimRight(tok, " "), size))
	}
	return w
}
