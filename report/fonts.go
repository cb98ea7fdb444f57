package report

import (
	"bytes"
	"os"
	"sync"

	"minyi/ballot"

	"github.com/go-pdf/fpdf"
)

// Font files searched in order; Printer.FontPath (MINYI_FONT) replaces the CJK list.
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
func (p Printer) fonts() (*pdfFonts, error) {
	cjk := CJKFontPaths
	if p.FontPath != "" {
		cjk = []string{p.FontPath}
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
