// Package report renders documents from data, without HTTP: the 计票结果报告单 and other
// PDF reports, the workbooks, the QR slips and the tally page's SVG charts. The handlers
// that serve them live in server/.
package report

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minyi/ballot"
	"minyi/i18n"
)

// Printer makes the documents, the PDFs in the fonts it is given.
type Printer struct {
	// FontPath is a TrueType font with Chinese glyphs; empty searches CJKFontPaths.
	FontPath string
	// P says the documents' own words in the reader's language; nil is Chinese. Data
	// (titles, names) is printed as it is; the sentences a tally keeps (rules, notes)
	// in the reader's language where they can be read back (ballot.Say).
	P *i18n.Printer
}

// said is a sentence the tally keeps in words (who held the key) in the reader's
// language when it is a message of the catalogue or can be read back (ballot.Say), as it
// was kept otherwise.
func said(m *i18n.Printer, s string) string {
	if i18n.Has(s) {
		return m.T(s)
	}
	return ballot.Say(m, s)
}

// msg is the printer of the documents' words.
func (p Printer) msg() *i18n.Printer {
	if p.P == nil {
		return i18n.For(i18n.Zh)
	}
	return p.P
}

// cst is China Standard Time: the documents give times as organizers read them, wherever
// the server runs.
var cst = time.FixedZone("CST", 8*3600)

// heading is a message used as a column's heading: a word another part of the system says
// inside a sentence ("the nominee") stands as a heading there ("Nominee").
func heading(m *i18n.Printer, s string) string {
	if m.Lang() == i18n.Zh {
		return s
	}
	s = strings.TrimPrefix(s, "the ")
	if s != "" {
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	return s
}
