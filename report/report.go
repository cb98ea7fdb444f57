// Package report renders documents from data, without HTTP: the 计票结果报告单 and other
// PDF reports, the workbooks, the QR slips and the tally page's SVG charts. The handlers
// that serve them live in server/.
package report

import "time"

// Printer makes the PDF documents, in the fonts it is given.
type Printer struct {
	// FontPath is a TrueType font with Chinese glyphs; empty searches CJKFontPaths.
	FontPath string
}

// cst is China Standard Time: the documents give times as organizers read them, wherever
// the server runs.
var cst = time.FixedZone("CST", 8*3600)
