package report

import (
	"fmt"
	"html/template"
	"strings"

	"minyi/ballot"
)

// Charts for the tally page: small SVG drawn on the server, no script and no chart
// library, so the page stays light and prints as it shows. Every bar carries its number
// in text, and good and bad grades differ by pattern as well as colour, so a grey
// printout reads the same.

const (
	chartW      = 640 // the least width; a chart is wider when its values need the room
	chartLabel  = 150 // the names' column
	chartBarLen = 360 // the bars' full length
	chartRow    = 24
	chartValue  = chartLabel + chartBarLen + 8 // where the text right of a bar starts
)

// Fills (classes of app.css) from the best grade down: g0 dark green #1a7f37, g1 light
// green #7fbf8e, g2 light grey #c4c9d0, g3 lighter grey #e0e3e8; the worst grade is h, red
// hatched. Their lightness differs step by step (0.16, 0.44, 0.58, 0.77) so a grey
// printout keeps them apart, and every bar is outlined in the text colour, so its end
// stands out from the track whatever its fill (WCAG non-text contrast). Colours live in
// the stylesheet, not on each shape, to keep a long form's chart small: pages are sent
// uncompressed.
var grayTones = []string{"g0", "g1", "g2", "g3"}

const hatched = "h"

type svgChart struct {
	b      strings.Builder
	height int
}

// newChart starts a chart of rows bars and extra height, as wide as its values (the texts
// right of the bars) need: a label such as 「优秀和称职 100.00%」 is wider than the room
// chartW leaves, and the drawing would cut it.
func newChart(label string, rows, extra int, values []string) *svgChart {
	c := &svgChart{height: rows*chartRow + extra}
	w := chartW
	for _, v := range values {
		w = max(w, chartValue+legendWidth(v)+4)
	}
	fmt.Fprintf(&c.b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`,
		w, c.height, template.HTMLEscapeString(label))
	c.b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#b42318"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>`)
	return c
}

// text writes s at x, y; anchor is "start", "middle" or "end".
func (c *svgChart) text(x, y int, anchor, class, s string) {
	switch anchor {
	case "middle":
		class += " m"
	case "end":
		class += " e"
	}
	fmt.Fprintf(&c.b, `<text x="%d" y="%d" class="%s">%s</text>`, x, y, strings.TrimSpace(class), template.HTMLEscapeString(s))
}

// track is the empty bar a bar is drawn on.
func (c *svgChart) track(x, y, w, h int) {
	fmt.Fprintf(&c.b, `<rect class="t" x="%d" y="%d" width="%d" height="%d"/>`, x, y, w, h)
}

// bar is a filled, outlined rectangle of the fill class; nothing for a zero width.
func (c *svgChart) bar(x, y, w, h int, fill string) {
	if w <= 0 {
		return
	}
	fmt.Fprintf(&c.b, `<rect class="b %s" x="%d" y="%d" width="%d" height="%d"/>`, fill, x, y, w, h)
}

// mark draws a dashed threshold line across the rows with its name above.
func (c *svgChart) mark(at ballot.Ratio, top, height int, name string) {
	if !at.Valid() {
		return
	}
	x := chartLabel + int(int64(chartBarLen)*at.Num/at.Den)
	fmt.Fprintf(&c.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#fff" stroke-width="3"/>`, x, top-2, x, top+height)
	fmt.Fprintf(&c.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1d2129" stroke-width="2" stroke-dasharray="5 3"/>`, x, top-2, x, top+height)
	c.text(x, top-5, "middle", "mark", name)
}

func (c *svgChart) html() template.HTML {
	c.b.WriteString(`</svg>`)
	return template.HTML(c.b.String())
}

func width(n, of int) int {
	if of <= 0 || n <= 0 {
		return 0
	}
	return min(chartBarLen*n/of, chartBarLen)
}
