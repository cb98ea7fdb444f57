package server

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
	chartW      = 640
	chartLabel  = 150 // the names' column
	chartBarLen = 360 // the bars' full length
	chartRow    = 24
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

func newChart(label string, rows, extra int) *svgChart {
	c := &svgChart{height: rows*chartRow + extra}
	fmt.Fprintf(&c.b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s">`,
		chartW, c.height, template.HTMLEscapeString(label))
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

// gradeChart draws one stacked bar per subject: its grades left to right over its valid
// votes, the good grades first, with the form's 建议调整 line (e.g. 三分之二) marked so
// one sees at a glance whose good grades fall short.
func gradeChart(et *ballot.EvaluationTally) template.HTML {
	if et == nil || len(et.Subjects) == 0 {
		return ""
	}
	var adjust ballot.Ratio
	for _, r := range et.Rules {
		if r.Code == ballot.RuleAdjust {
			adjust = r.Threshold
		}
	}
	top := 34
	c := newChart("各对象测评等次分布", len(et.Subjects), top+6)
	// a long form's bars go without their numbers, which its table gives: the page is sent
	// uncompressed and a 300-subject chart would double in size
	numbered := len(et.Subjects) <= 30
	fill := gradeFills(len(et.Grades))
	// legend
	x := chartLabel
	for i, g := range et.Grades {
		c.bar(x, 4, 12, 12, fill[i])
		c.text(x+16, 15, "start", "legend", g)
		x += 28 + 15*len([]rune(g))
	}
	for i, s := range et.Subjects {
		y := top + i*chartRow
		c.text(chartLabel-8, y+16, "end", "name", s.Name)
		c.track(chartLabel, y+3, chartBarLen, chartRow-6)
		at := chartLabel
		for k, v := range s.Total.Votes {
			w := width(v, s.Total.Valid)
			if w == 0 {
				continue
			}
			c.bar(at, y+3, w, chartRow-6, fill[k])
			if w >= 22 && numbered {
				c.text(at+w/2, y+16, "middle", "in "+onFill(fill[k]), fmt.Sprint(v))
			}
			at += w
		}
		c.text(chartLabel+chartBarLen+8, y+16, "start", "value", et.GoodLabel+" "+s.Good.Percent())
	}
	// the line goes over the bars, so it shows where they cross it
	c.mark(adjust, top, len(et.Subjects)*chartRow, ballot.FractionText(adjust))
	return c.html()
}

// onFill is the class of a number written on a fill: white with a halo on the dark and
// the hatched ones, dark on the light ones (4.5:1 either way).
func onFill(fill string) string {
	switch fill {
	case grayTones[0]:
		return "on-dark"
	case hatched:
		return "on-red"
	}
	return ""
}

// gradeFills shades the grades from the best (dark green) to the worst (red, hatched).
func gradeFills(n int) []string {
	out := make([]string, n)
	for i := range out {
		switch {
		case i == n-1:
			out[i] = hatched
		default:
			out[i] = grayTones[min(i, len(grayTones)-1)]
		}
	}
	return out
}

// candidateChart draws each candidate's votes over the position's valid votes, with the
// form's 得票未过半 line (二分之一) marked.
func candidateChart(pt ballot.PositionTally, rules []ballot.Flag) template.HTML {
	if len(pt.Candidates) == 0 {
		return ""
	}
	var half ballot.Ratio
	for _, r := range rules {
		if r.Code == ballot.RuleBelowHalf {
			half = r.Threshold
		}
	}
	// below quorum the bars carry no colour of a conclusion
	for _, f := range pt.Flags {
		if f.Code == ballot.RuleNoQuorum {
			half = ballot.Ratio{}
		}
	}
	top := 18
	c := newChart("各人选得票", len(pt.Candidates), top+6)
	for i, cd := range pt.Candidates {
		y := top + i*chartRow
		c.text(chartLabel-8, y+16, "end", "name", cd.Name)
		c.track(chartLabel, y+3, chartBarLen, chartRow-6)
		fill := grayTones[2]
		if half.Valid() && !cd.Rate.Less(half) {
			fill = grayTones[0]
		}
		c.bar(chartLabel, y+3, width(cd.Votes.Total, pt.Valid.Total), chartRow-6, fill)
		c.text(chartLabel+chartBarLen+8, y+16, "start", "value", fmt.Sprintf("%d 票 %s", cd.Votes.Total, cd.Rate.Percent()))
	}
	c.mark(half, top, len(pt.Candidates)*chartRow, "得票过半线（"+ballot.FractionText(half)+"）")
	return c.html()
}

// approvalChart draws each nominee's 同意, 不同意 and 弃权 over the base (应到 or 实到),
// with the passing line marked.
func approvalChart(at *ballot.ApprovalTally) template.HTML {
	if at == nil || len(at.Nominees) == 0 {
		return ""
	}
	top := 18
	rows := 3 * len(at.Nominees)
	c := newChart("表决票数", rows, top+6+6*len(at.Nominees))
	y := top
	names := []string{"同意", "不同意", "弃权"}
	fills := []string{grayTones[0], hatched, grayTones[2]}
	for _, n := range at.Nominees {
		for k, o := range n.Counts.Options {
			if k == 0 {
				c.text(chartLabel-58, y+16, "end", "name", n.Name)
			}
			c.text(chartLabel-8, y+16, "end", "legend", names[k])
			c.track(chartLabel, y+3, chartBarLen, chartRow-6)
			c.bar(chartLabel, y+3, width(o.Total, at.Base), chartRow-6, fills[k])
			c.text(chartLabel+chartBarLen+8, y+16, "start", "value", fmt.Sprintf("%d 票", o.Total))
			y += chartRow
		}
		y += 6
	}
	c.mark(at.PassOver, top, rows*chartRow+6*(len(at.Nominees)-1), fmt.Sprintf("通过线（%s，须 %d 票）", ballot.FractionText(at.PassOver), at.Needed))
	return c.html()
}
