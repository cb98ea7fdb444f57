package ballot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"minyi/i18n"
)

// Text at the door: every text a person or a file supplies (a ballot's write-ins and free
// answers, a poll's titles and names, an imported sheet, a staff name) passes through
// CleanText once before it is checked, sealed or stored. Look-alike spellings become one
// spelling, and what PostgreSQL or a reader cannot take (NUL and other control characters,
// broken UTF-8) is refused with a message that names the field.

// TextForm says how a piece of text is read.
type TextForm int

const (
	// TextLine is a title, a post, an option or a unit: one line, NFC, runs of whitespace
	// made one space.
	TextLine TextForm = iota
	// TextName is a person's name: NFKC, so that full-width and half-width letters and
	// digits are one spelling, and no space at all (RULES: write-ins are normalised).
	TextName
	// TextPara is a free answer: NFC, line breaks kept (at most one blank line in a row),
	// other whitespace made one space.
	TextPara
)

// CleanText normalises s as form says: Unicode format characters (category Cf:
// zero-width spaces and joiners, bidi controls, the BOM, soft hyphens) removed, the text
// composed (NFC, or NFKC for names), whitespace collapsed and trimmed. It refuses, naming
// the field what, text that is not UTF-8, text that holds a control character other
// than whitespace, and text that had something in it but is empty once cleaned. Text
// that was empty or only spaces comes back empty without error: whether the field may be
// empty is for its own rule.
func CleanText(what any, s string, form TextForm) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "%s含有无法识别的字符（编码有误），请删除后重新输入", what)
	}
	visible := false
	for _, r := range s {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return "", Errorf(EINVALID, "%s含有不可见的控制字符，请删除后重新输入", what)
		}
		visible = visible || !unicode.IsSpace(r)
	}
	out := normalizeText(s, form)
	if out == "" && visible {
		return "", Errorf(EINVALID, "%s只有空白或不可见的字符，请重新输入", what)
	}
	return out, nil
}

// normalizeText is CleanText without the refusals. Composition can bring a mark next to
// a letter once a format character or a space between them is gone, and NFKC can turn
// a character into a space and a mark, so the steps repeat until nothing changes.
func normalizeText(s string, form TextForm) string {
	nf := norm.NFC
	if form == TextName {
		nf = norm.NFKC
	}
	for range 4 {
		next := nf.String(squeeze(s, form))
		if next == s {
			break
		}
		s = next
	}
	return s
}

// squeeze drops format characters and collapses whitespace as form says.
func squeeze(s string, form TextForm) string {
	var b strings.Builder
	b.Grow(len(s))
	space, breaks := false, 0 // a space, or line breaks, wait to be written before the next rune
	flush := func() {
		switch {
		case b.Len() == 0: // trimmed at the start
		case breaks > 0:
			b.WriteString(strings.Repeat("\n", min(breaks, 2)))
		case space:
			b.WriteByte(' ')
		}
		space, breaks = false, 0
	}
	for i, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r):
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			if form == TextPara {
				if !(r == '\n' && i > 0 && s[i-1] == '\r') { // CRLF is one break
					breaks++
				}
				continue
			}
			space = true
		case unicode.IsSpace(r):
			space = true
		default: // a control character too: CleanText has refused it already, and
			// NormalizeName keeps it, so a stored name compares as it was
			if form == TextName {
				space, breaks = false, 0
			}
			flush()
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NormalizeName is the spelling by which names are compared (RULES: write-ins are
// normalised): CleanText's TextName without the refusals, so names stored before
// compare the same way.
func NormalizeName(s string) string {
	return normalizeText(strings.ToValidUTF8(s, ""), TextName)
}

// CleanRows cleans every cell of an imported sheet in place. A cell that the decoding
// could not read (broken bytes, shown as U+FFFD) or that holds a control character is
// named by its row and column, and nothing of the sheet is taken.
func CleanRows(rows [][]string) error {
	for i, row := range rows {
		for j, c := range row {
			if !utf8.ValidString(c) || strings.ContainsRune(c, utf8.RuneError) {
				return Errorf(EINVALID, "第 %d 行第 %d 列含有无法识别的字符（文件编码可能不是 UTF-8 或 GBK）", i+1, j+1)
			}
			clean, err := CleanText("", c, TextLine)
			if err != nil {
				return Errorf(EINVALID, "第 %d 行第 %d 列%s", i+1, j+1, Cause{Err: err})
			}
			row[j] = clean
		}
	}
	return nil
}

// cleanWriteIns cleans the written-in names of a ballot at the door. The voter's
// spelling is kept (only invisible characters go and spaces are collapsed), so the
// tellers can see which spellings were taken as one person; names are compared by
// NormalizeName.
func (b *Ballot) cleanWriteIns() error {
	for _, ff := range b.Forms {
		for k, marks := range ff.Lines {
			for i, m := range marks {
				if name, ok := strings.CutPrefix(m, WriteInPrefix); ok {
					clean, err := CleanText(i18n.N("另推人选的姓名"), name, TextLine)
					if err != nil {
						return err
					}
					marks = setMark(ff.Lines, k, marks, i, WriteInPrefix+clean)
				}
			}
		}
	}
	return nil
}

// setMark sets mark i of line k to v. The slice is copied before it changes, so a
// count, which reads the box through copies of its maps only, never writes into it.
func setMark(lines map[string][]string, k string, marks []string, i int, v string) []string {
	if marks[i] == v {
		return marks
	}
	marks = slices.Clone(marks)
	marks[i] = v
	lines[k] = marks
	return marks
}

// readable returns a stored ballot as the count can read it: a ballot sealed before
// text was cleaned at the door may hold broken UTF-8 or a control character; each such
// character becomes U+FFFD, so the tellers see that something was there and the rest of
// the ballot still counts. A write-in that is then empty is left out, as an empty
// write-in box is, and an answer of only invisible characters is blank. The maps are
// new; a line's marks are copied only when one of them changes.
func (b *Ballot) readable() Ballot {
	out := Ballot{Forms: make([]FilledForm, len(b.Forms))}
	for i, ff := range b.Forms {
		lines := make(map[string][]string, len(ff.Lines))
		for k, marks := range ff.Lines {
			var changed []string // a copy, made at the first change
			for j, m := range marks {
				r := readableMark(m)
				if r != m && changed == nil {
					changed = slices.Clone(marks)
				}
				if changed != nil {
					changed[j] = r
				}
			}
			if changed != nil {
				marks = slices.DeleteFunc(changed, func(m string) bool { return m == droppedMark })
			}
			lines[repairText(k)] = marks
		}
		out.Forms[i] = FilledForm{Form: ff.Form, Lines: lines}
	}
	return out
}

// droppedMark stands for a mark readable leaves out; repaired text never holds a NUL.
const droppedMark = "\x00"

func readableMark(m string) string {
	r := repairText(m)
	if name, ok := strings.CutPrefix(r, WriteInPrefix); ok {
		if NormalizeName(name) == "" {
			return droppedMark
		}
		return r
	}
	if invisible(r) {
		return ""
	}
	return r
}

// invisible reports text that has something in it, all of it whitespace or format
// characters.
func invisible(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return s != ""
}

// repairText replaces broken UTF-8 and control characters other than whitespace by U+FFFD.
func repairText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// Field names a field in a refusal when the name holds data ("职位“%s”的候选人"): it prints
// in Chinese, and says itself again in the reader's language from its format, the data
// kept as written and a part that is a message of the catalogue said too.
type Field struct {
	Format string
	Args   []any
}

// fieldf names a field; format is a message of the catalogue.
func fieldf(format string, args ...any) Field { return Field{Format: format, Args: args} }

func (f Field) String() string { return fmt.Sprintf(f.Format, f.Args...) }

// Say is the field's name in p's language.
func (f Field) Say(p *i18n.Printer) string { return p.T(f.Format, i18n.SayArgs(p, f.Args)...) }

// texts visits every text of a poll's definition a person typed or imported, with the
// name of the field in the organizer's words (a message of the catalogue or a Field) and
// how it is read.
func (p *Poll) texts(visit func(what any, s *string, form TextForm)) {
	subjects := func(list []Subject, what string) {
		for i := range list {
			visit(fieldf("%s姓名", what), &list[i].Name, TextName)
			visit(fieldf("%s“%s”的职务", what, list[i].Name), &list[i].Post, TextLine)
			visit(fieldf("%s“%s”的单位", what, list[i].Name), &list[i].Unit, TextLine)
		}
	}
	candidates := func(list []Candidate, what any) {
		for i := range list {
			visit(fieldf("%s姓名", what), &list[i].Name, TextName)
			visit(fieldf("%s“%s”的职务", what, list[i].Name), &list[i].Post, TextLine)
		}
	}
	indicators := func(list []Indicator) {
		for i := range list {
			visit(i18n.N("分项名称"), &list[i].Name, TextLine)
		}
	}
	visit(i18n.N("投票活动名称"), &p.Title, TextLine)
	visit(i18n.N("联系方式"), &p.Contact, TextLine)
	for i := range p.Groups {
		visit(i18n.N("参评类别名称"), &p.Groups[i].Name, TextLine)
		visit(fieldf("参评类别“%s”的单位", p.Groups[i].Name), &p.Groups[i].Unit, TextLine)
		visit(fieldf("参评类别“%s”的地区", p.Groups[i].Name), &p.Groups[i].Region, TextLine)
	}
	for i := range p.Tellers {
		visit(i18n.N("监票人姓名"), &p.Tellers[i], TextName)
	}
	for i := range p.Forms {
		f := &p.Forms[i]
		visit(i18n.N("表名"), &f.Title, TextLine)
		switch {
		case f.Evaluation != nil:
			subjects(f.Evaluation.Subjects, i18n.N("被测评对象"))
			for j := range f.Evaluation.Grades {
				visit(i18n.N("等次名称"), &f.Evaluation.Grades[j].Label, TextLine)
			}
			indicators(f.Evaluation.Indicators)
		case f.Recommendation != nil:
			for j := range f.Recommendation.Positions {
				pos := &f.Recommendation.Positions[j]
				visit(i18n.N("推荐职位名称"), &pos.Title, TextLine)
				candidates(pos.Candidates, fieldf("职位“%s”的候选人", pos.Title))
			}
		case f.Approval != nil:
			candidates(f.Approval.Nominees, i18n.N("表决对象"))
		case f.Review != nil:
			visit(i18n.N("总体评价的题目"), &f.Review.Overall, TextLine)
			subjects(f.Review.Cadres, i18n.N("评议干部"))
		case f.Survey != nil:
			for j := range f.Survey.Questions {
				q := &f.Survey.Questions[j]
				visit(fieldf("第%d题的题目", j+1), &q.Title, TextLine)
				for k := range q.Options {
					visit(fieldf("第%d题的选项", j+1), &q.Options[k], TextLine)
				}
				for k := range q.Rows {
					visit(fieldf("第%d题的评价项目", j+1), &q.Rows[k], TextLine)
				}
			}
		case f.Scoring != nil:
			subjects(f.Scoring.Subjects, i18n.N("被测评对象"))
			indicators(f.Scoring.Indicators)
		}
	}
}

// cleanTexts cleans every text of the poll's definition and returns the first refusal.
// A text that is refused is left as it was.
func (p *Poll) cleanTexts() error {
	var first error
	p.texts(func(what any, s *string, form TextForm) {
		clean, err := CleanText(what, *s, form)
		if err != nil {
			first = cmp.Or(first, err)
			return
		}
		*s = clean
	})
	return first
}
