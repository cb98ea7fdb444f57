package server

import (
	"html/template"
	"slices"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/frontend"
	"minyi/i18n"
	"minyi/records"
	"minyi/report"
	"minyi/survey"
)

// pageFuncs are what the templates may call, in the page's language: the catalogue,
// numbers, ratios and times as the page shows them, the charts, and the rules' sentences.
// They read nothing of an instance (pages_shared.go shares the parsed pages between
// instances).
func pageFuncs(assets *frontend.Assets, lang i18n.Lang) template.FuncMap {
	p := i18n.For(lang)
	return template.FuncMap{
		// the catalogue, in the page's language: t for text, th for text with our own
		// markup (<strong>, <a>), term for a rule's term shown beside its Chinese
		"t":    p.T,
		"th":   p.HTML,
		"term": p.Term,
		"say":  p.Known, // a domain word or note, as is when the catalogue lacks it
		// keyNote, scoreParts and stepHint say the ballot's generated sentences in the page's language.
		"keyNote": func(k interface{ KeyNoteFormat() (string, []any) }) string {
			format, args := k.KeyNoteFormat()
			return p.T(format, args...)
		},
		"stepHint": func(sc *ballot.Scoring) string {
			format, args := sc.StepHintFormat()
			return p.T(format, args...)
		},
		"checkNote": func(c ballot.Check) string { return c.SayNote(p) }, // a /verify check's note, said from its format
		"scoreParts": func(sc *ballot.Scoring) string {
			if len(sc.Indicators) == 0 {
				return ""
			}
			parts := make([]string, len(sc.Indicators))
			for i, x := range sc.Indicators {
				parts[i] = p.T("%s %d 分", x.Name, x.Max)
			}
			return p.T("，分项：%s", strings.Join(parts, p.T("、")))
		},
		"asset":  assets.URL,
		"pct":    func(r ballot.Ratio) string { return r.Percent() },
		"frac":   func(r ballot.Ratio) string { return r.String() },
		"ratio":  func(a, b int) ballot.Ratio { return ballot.R(int64(a), int64(b)) },
		"add":    func(a, b int) int { return a + b },
		"field":  ballot.FieldName,
		"rowkey": survey.RowKey,
		"append": func(list []string, s string) []string { return append(append([]string(nil), list...), s) },
		"mean":   func(sum, n int) string { return ballot.R(int64(sum), int64(n)).Decimal() },
		"has":    func(list []string, s string) bool { return slices.Contains(list, s) },
		// writeins gives n boxes' values from a line's marks: the written-in names, then "".
		"writeins": func(marks []string, n int) []string {
			out := make([]string, 0, n)
			for _, m := range marks {
				if name, ok := strings.CutPrefix(m, ballot.WriteInPrefix); ok && len(out) < n {
					out = append(out, name)
				}
			}
			for len(out) < n {
				out = append(out, "")
			}
			return out
		},
		"sub": func(a, b int) int { return a - b },
		// list names a list in a sentence: 张三、李四 / Zhang, Li
		"list": func(items []string) string { return strings.Join(items, p.T("、")) },
		// charts and rule wording of the tally page (report/svg.go, ballot/rules.go)
		"gradeChart":     report.Printer{P: p}.GradeChart,
		"candidateChart": report.Printer{P: p}.CandidateChart,
		"approvalChart":  report.Printer{P: p}.ApprovalChart,
		"fracText":       func(r ballot.Ratio) string { return ballot.SayFraction(p, ballot.FractionText(r)) },
		// sayRule and sayFlag tell a sentence the count signed in Chinese (a flag's rule, a
		// note) and a flag's label in the page's language, as stored when it cannot be read
		// back (ballot.Say)
		"sayRule":   func(s string) string { return ballot.Say(p, s) },
		"sayFlag":   func(s string) string { return ballot.SayLabel(p, s) },
		"sayGrades": func(s string) string { return ballot.SayGrades(p, s) },
		// summary is a filed line's result in the page's language (records.SaySummary)
		"summary": func(s string) string { return records.SaySummary(p, s) },
		// paperGroups is each group's paper ballots entered and tokens turned to paper.
		"paperGroups": func(gs []ballot.GroupResult) string {
			parts := make([]string, len(gs))
			for i, g := range gs {
				parts[i] = p.T("%s %d/%d", g.Name, g.Paper, g.PaperTok)
			}
			return strings.Join(parts, p.T("，"))
		},
		// weights lists a weighted evaluation's groups with their weights, as the
		// workbook's note does (report/tables_evaluation.go).
		"weights": func(w *ballot.Weighted, rows []ballot.GroupResult) string {
			parts := make([]string, 0, len(w.Groups))
			for i, g := range w.Groups {
				name := ""
				if i < len(rows) {
					name = rows[i].Name
				}
				switch {
				case g.Absent:
					parts = append(parts, p.T("%s %s（无有效票，权重按比例分给其他类别）", name, g.Weight.String()))
				case g.Weight != g.Effective:
					parts = append(parts, name+" "+g.Weight.String()+"→"+g.Effective.String())
				default:
					parts = append(parts, name+" "+g.Weight.String())
				}
			}
			return strings.Join(parts, p.T("，"))
		},
		// barWidth and ratioWidth place a bar's end or mark: a CSS percentage, at most 100%.
		"barWidth":   func(a, b int) string { return barWidth(int64(a), int64(b)) },
		"ratioWidth": func(r ballot.Ratio) string { return barWidth(r.Num, r.Den) },
		"fmtTime": func(v any) string {
			var t time.Time
			switch x := v.(type) {
			case time.Time:
				t = x
			case *time.Time:
				if x == nil {
					return ""
				}
				t = *x
			}
			return t.In(cst).Format("2006-01-02 15:04")
		},
		// fmtSecond tells apart things done within the same minute, such as two batches.
		"fmtSecond": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04:05") },
	}
}
