package report

import (
	"fmt"
	"html/template"
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

// GradeChart is Printer.GradeChart in Chinese.
func GradeChart(et *ballot.EvaluationTally) template.HTML { return Printer{}.GradeChart(et) }

// GradeChart draws one stacked bar per subject: its grades left to right over its valid
// votes, the good grades first, with the form's 建议调整 line (e.g. 三分之二) marked so
// one sees at a glance whose good grades fall short.
func (p Printer) GradeChart(et *ballot.EvaluationTally) template.HTML {
	m := p.msg()
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
	values := make([]string, len(et.Subjects))
	for i, s := range et.Subjects {
		values[i] = et.GoodLabel + " " + s.Good.Percent()
		if m.Lang() != i18n.Zh {
			values[i] = m.T("好评率 %s", s.Good.Percent())
		}
	}
	c := newChart(m.T("各对象测评等次分布"), len(et.Subjects), top+6, values)
	// a long form's bars go without their numbers, which its table gives: the page is sent
	// uncompressed and a 300-subject chart would double in size
	numbered := len(et.Subjects) <= 30
	fill := gradeFills(len(et.Grades))
	// legend
	x := chartLabel
	for i, g := range et.Grades {
		c.bar(x, 4, 12, 12, fill[i])
		g = termWord(m, g)
		c.text(x+16, 15, "start", "legend", g)
		x += 28 + legendWidth(g)
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
		c.text(chartValue, y+16, "start", "value", values[i])
	}
	// the line goes over the bars, so it shows where they cross it
	c.mark(adjust, top, len(et.Subjects)*chartRow, fraction(m, adjust))
	return c.html()
}

// termWord is a rule's term as a chart names it: in Chinese the term, in another language
// the term's own word (a chart's legend has a Chinese word's room), as written if unknown.
func termWord(m *i18n.Printer, zh string) string {
	s := m.Term(zh)
	if m.Lang() == i18n.Zh {
		return s
	}
	if _, en, ok := strings.Cut(s, " / "); ok {
		return en
	}
	return s
}

// legendWidth is about how wide a legend's words are drawn: a Chinese character is
// square, a Latin letter about half as wide.
func legendWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 15
		} else {
			w += 7
		}
	}
	return w
}

// fraction writes a threshold as the rules write it in Chinese (三分之二), as figures
// (2/3) in another language.
func fraction(m *i18n.Printer, r ballot.Ratio) string {
	if m.Lang() == i18n.Zh || r.Den <= 0 {
		return ballot.FractionText(r)
	}
	n, d := r.Num, r.Den
	a, b := n, d
	for b != 0 {
		a, b = b, a%b
	}
	if a > 1 {
		n, d = n/a, d/a
	}
	switch {
	case n == d:
		return m.T("全部")
	case d <= 9:
		return fmt.Sprintf("%d/%d", n, d)
	case 100%d == 0:
		return fmt.Sprintf("%d%%", n*(100/d))
	}
	return fmt.Sprintf("%d/%d", n, d)
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
