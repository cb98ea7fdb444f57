package report

import (
	"bytes"

	"github.com/go-pdf/fpdf"

	"minyi/i18n"
)

// newPDF starts an A4 document with the fonts registered as "cjk", "latin" and "mono".
func (p Printer) newPDF() (*pdfDoc, error) {
	f, err := p.fonts()
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
	return &pdfDoc{Fpdf: pdf, measure: m, m: p.msg()}, nil
}

// pdfDoc is a document, the pageless twin its text is measured on and the language its
// own words are in.
type pdfDoc struct {
	*fpdf.Fpdf
	measure *measurer
	m       *i18n.Printer
}
