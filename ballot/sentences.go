package ballot

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"minyi/i18n"
)

// The sentences the count writes into a tally (a flag's rule, a note) are signed as
// Chinese text, and a bundle made today must read the same years from now: they cannot
// be stored in another language, nor in any other shape. A reader of another language
// gets them through Say, which reads a stored sentence back into the format that wrote it
// and its arguments, and prints that format in the reader's language. A sentence no format
// matches (a tally counted under older wording) is shown as it was stored, so the English
// never says more or less than the signed Chinese.

// The rule sentences, as the count and the builder write them.
const (
	ruleAdjust          = "%s票未达到%s"
	ruleAdjustWeighted  = "加权%s票未达到%s"
	ruleProbation       = "试用期满测评%s票未超过%s"
	ruleProbationWeight = "试用期满测评加权%s票未超过%s"
	ruleDismiss         = "%s票超过%s"
	ruleDismissWeighted = "加权%s票超过%s"
	ruleShortlist       = "得票数前%d名"
	ruleBelowHalf       = "得票率低于%s，一般不列为考察对象"
	ruleSecondRound     = "最高得票率低于%s，推荐票分散"
	ruleTie             = "与第%d名得票相同"
	ruleWriteIn         = "由投票人另外推荐"
	rulePassExpected    = "同意票超过应到人数的%s"
	rulePassTurnout     = "同意票超过实到人数的%s"
	ruleApprovalTie     = "与第%d名同意票相同"
	ruleElected         = "通过者中同意票前%d名"
	ruleDisagree        = "不认同票占全部评价（含不了解）的比例超过%s"
	labelDisagree       = "不认同率超过%s"
	labelWriteIn        = "另推"
	ruleLowest          = "认同率（认同+基本认同）排名最后，请组织说明情况"
	ruleNoQuorum        = "未达法定人数，结果无效（实到 %d 人，应到 %d 人，须至少 %d 人）"
)

// The names of pooled result rows (MergedName, AllMergedName).
const (
	mergedName    = "其他参评人员（不足%d人，合并统计）"
	allMergedName = "全体参评人员（各类别不足%d人，合并统计）"
)

// The tally's notes.
const (
	noteNoQuorum       = "未达法定人数，结果无效：实到 %d 人，应到 %d 人，须至少 %d 人"
	noteBoxMismatch    = "票箱内选票数与已使用凭证数不一致，请核查"
	noteGroupOver      = "参评类别“%s”票箱内的有效选票多于已使用的凭证，多出的选票不影响分类合并，请核查"
	noteBadTexts       = "有 %d 条另推人选或文字回答无法解密（密文已被改动），未计入，请核查"
	noteStrayTexts     = "有 %d 条另推人选或文字回答无法对应到表格，未计入，请核查"
	noteUnreadableAll  = "共 %d 张选票无法读取，已作废并计入“无法解析”"
	noteUnreadableOne  = "第 %d 张选票无法读取，已作废并计入“无法解析”"
	noteUnreadableMore = "另有 %d 张选票无法读取，均已作废"
	noteMerged         = "%s投票不足%d人，合并为“%s”统计，不单列结果"
	noteMergedWith     = "%s投票不足%d人，与%s合并为“%s”统计，不单列结果"
	noteMergedW        = "%s投票不足%d人，合并为“%s”统计，不单列结果；加权结果按合并后的类别计算（合并类别的权重为各类别权重之和），与逐类别加权的结果可能不同"
	noteMergedWithW    = "%s投票不足%d人，与%s合并为“%s”统计，不单列结果；加权结果按合并后的类别计算（合并类别的权重为各类别权重之和），与逐类别加权的结果可能不同"
	noteRecordChanged  = "参评类别“%s”的投票记录被改动（校验不符），该类别的选票已逐张核验"
	noteRecordReplaced = "参评类别“%s”的投票记录不是本次结束投票时合并的记录（可能是此前的记录被放回），与票箱不符，该类别的选票已逐张核验"
	noteNoRecord       = "参评类别“%s”票箱有 %d 张选票，没有投票时的记录，该类别的选票已逐张核验"
	noteFewer          = "参评类别“%s”票箱内的选票比投票时记录的少 %d 张（记录 %d 张，票箱 %d 张），可能有选票被删除，请核查；该类别的选票已逐张核验"
	noteMore           = "参评类别“%s”票箱内的选票比投票时记录的多 %d 张（记录 %d 张，票箱 %d 张），该类别的选票已逐张核验"
	noteMismatch       = "参评类别“%s”票箱内的选票与投票时的记录不符，该类别的选票已逐张核验"
)

// sentence is a format and what each of its verbs holds, a letter each: d a number, p a
// figure (60.00%, 3/5, 85.5, — for none), f a threshold as FractionText writes it, g
// grade names as GradeLabel joins them, t a rule's term (称职), s data (a group's name),
// l data listed with 、.
type sentence struct {
	format, kinds string
	re            *regexp.Regexp
}

// Reader reads sentences back into the formats that wrote them; see Say.
type Reader []sentence

// sentences in the order they are tried: a format that another one's text would also
// match comes first (加权… before …, the longer note before the shorter).
var sentences = NewReader([][2]string{
	{ruleAdjustWeighted, "gf"}, {ruleAdjust, "gf"},
	{ruleProbationWeight, "gf"}, {ruleProbation, "gf"},
	{ruleDismissWeighted, "gf"}, {ruleDismiss, "gf"},
	{ruleShortlist, "d"}, {ruleBelowHalf, "f"}, {ruleSecondRound, "f"}, {ruleTie, "d"}, {ruleWriteIn, ""},
	{rulePassExpected, "f"}, {rulePassTurnout, "f"}, {ruleApprovalTie, "d"}, {ruleElected, "d"},
	{ruleDisagree, "f"}, {labelDisagree, "f"}, {labelWriteIn, ""}, {ruleLowest, ""}, {ruleNoQuorum, "ddd"},
	{noteNoQuorum, "ddd"}, {QuorumNote, ""}, {noteBoxMismatch, ""}, {noteGroupOver, "s"}, {noteBadTexts, "d"}, {noteStrayTexts, "d"},
	{noteUnreadableAll, "d"}, {noteUnreadableOne, "d"}, {noteUnreadableMore, "d"},
	{noteMergedWithW, "ldls"}, {noteMergedW, "lds"}, {noteMergedWith, "ldls"}, {noteMerged, "lds"},
	{noteRecordChanged, "s"}, {noteRecordReplaced, "s"}, {noteNoRecord, "sd"}, {noteFewer, "sddd"}, {noteMore, "sddd"},
	{noteMismatch, "s"}, {tellersNote, "dd"}, {organizerNote, ""}, {serverNote, ""},
	{mergedName, "d"}, {allMergedName, "d"},
})

// pooledNames reads the names the count gives pooled rows, and only those.
var pooledNames = NewReader([][2]string{{mergedName, "d"}, {allMergedName, "d"}})

// SayName is a result row's name: a pooled row's in p's language, any other (data) as
// it is.
func SayName(p *i18n.Printer, name string) string {
	if p.Lang() == i18n.Zh {
		return name
	}
	said, _ := pooledNames.Say(p, name)
	return said
}

// NamedIn is the tally with its pooled result rows named in p's language (SayName), for
// the pages and documents that show it; the tally itself, which is signed, is not touched.
func (t *Tally) NamedIn(p *i18n.Printer) *Tally {
	if p.Lang() == i18n.Zh || len(t.Results) == 0 {
		return t
	}
	c := *t
	c.Results = slices.Clone(t.Results)
	for i := range c.Results {
		c.Results[i].Name = SayName(p, c.Results[i].Name)
	}
	return &c
}

var verbs = regexp.MustCompile(`%[ds]`)

// NewReader is a Reader of the given formats and their verbs' kinds (see sentence), tried
// in their order.
func NewReader(list [][2]string) Reader {
	out := make([]sentence, len(list))
	for i, l := range list {
		format, kinds := l[0], l[1]
		var re strings.Builder
		re.WriteString("^")
		at := 0
		for k, v := range verbs.FindAllStringIndex(format, -1) {
			re.WriteString(regexp.QuoteMeta(format[at:v[0]]))
			switch kinds[k] {
			case 'd':
				re.WriteString(`(\d+)`)
			case 'p':
				re.WriteString(`([-—0-9.%/]+)`)
			case 't':
				re.WriteString(`([^，；（）、]+)`)
			default:
				re.WriteString(`(.+?)`)
			}
			at = v[1]
		}
		if n := len(verbs.FindAllString(format, -1)); n != len(kinds) {
			panic("ballot: sentence " + format + " has " + strconv.Itoa(n) + " verbs, kinds " + kinds)
		}
		re.WriteString(regexp.QuoteMeta(format[at:]) + "$")
		out[i] = sentence{format: format, kinds: kinds, re: regexp.MustCompile(re.String())}
	}
	return out
}

// Sentences are the formats Say reads sentences back into, for the catalogue's test.
func Sentences() []string { return sentences.Formats() }

// Formats are the reader's formats, for the catalogue's test.
func (r Reader) Formats() []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = s.format
	}
	return out
}

// Read finds the format that wrote a stored sentence and its arguments as they stand in
// the text; ok is false when no format wrote it.
func Read(zh string) (format string, args []string, ok bool) {
	s, args, ok := sentences.read(zh)
	return s.format, args, ok
}

func (r Reader) read(zh string) (sentence, []string, bool) {
	for _, s := range r {
		m := s.re.FindStringSubmatch(zh)
		if m == nil || !s.fits(m[1:]) {
			continue
		}
		return s, m[1:], true
	}
	return sentence{}, nil, false
}

// fits checks the arguments a format's pattern took: a threshold must be one FractionText
// writes, so that a sentence of another shape is not misread.
func (s sentence) fits(args []string) bool {
	for i, a := range args {
		if s.kinds[i] == 'f' && !isFraction(a) {
			return false
		}
	}
	return true
}

// Say is a sentence the count wrote (Read), in p's language; as stored when p is Chinese
// or no format wrote it.
func Say(p *i18n.Printer, zh string) string {
	if p.Lang() == i18n.Zh {
		return zh
	}
	said, _ := sentences.Say(p, zh)
	return said
}

// Say is a sentence one of r's formats wrote, in p's language; ok is false (and the
// sentence as stored) when none wrote it or the catalogue lacks the format.
func (r Reader) Say(p *i18n.Printer, zh string) (string, bool) {
	s, raw, ok := r.read(zh)
	if !ok || !i18n.Has(s.format) {
		return zh, false
	}
	if p.Lang() == i18n.Zh {
		return zh, true
	}
	args := make([]any, len(raw))
	for i, a := range raw {
		switch s.kinds[i] {
		case 'd':
			n, err := strconv.Atoi(a)
			if err != nil {
				return zh, false
			}
			args[i] = n
		case 'f':
			args[i] = SayFraction(p, a)
		case 'g':
			args[i] = SayGrades(p, a)
		case 't':
			args[i] = p.Term(a)
		case 'p':
			args[i] = a
		case 'l':
			args[i] = strings.Join(strings.Split(a, "、"), ", ")
		default:
			args[i] = SayName(p, a)
		}
	}
	return p.T(s.format, args...), true
}

// SayLabel is a flag's label in p's language: a rule's term (建议调整) as Term shows it,
// a label with a threshold (不认同率超过三分之一) as Say does.
func SayLabel(p *i18n.Printer, label string) string {
	if i18n.HasTerm(label) {
		return p.Term(label)
	}
	return Say(p, label)
}

// fractionNames are the thresholds FractionText writes in words, each a catalogue message.
var fractionNames = func() map[string]bool {
	out := map[string]bool{"全部": true, "零": true}
	for d := int64(2); d <= 9; d++ {
		for n := int64(1); n < d; n++ {
			if gcd(n, d) == 1 {
				out[FractionText(R(n, d))] = true
			}
		}
	}
	return out
}()

// FractionNames are the thresholds FractionText writes in words (三分之二), for the
// catalogue's test.
func FractionNames() []string {
	var out []string
	for s := range fractionNames {
		out = append(out, s)
	}
	return out
}

var digitsFraction = regexp.MustCompile(`^(\d+%|\d+/\d+)$`)

func isFraction(s string) bool { return fractionNames[s] || digitsFraction.MatchString(s) }

// SayFraction is a threshold as FractionText wrote it (三分之二, 30%) in p's language.
func SayFraction(p *i18n.Printer, s string) string {
	if fractionNames[s] {
		// a staff page offers some of these as choices, capitalized; here they stand
		// inside a sentence
		return strings.ToLower(p.T(s))
	}
	return s
}

// SayGrades is a set of grade names as GradeLabel joins them (优秀和称职) in p's language:
// each grade as Term shows it, the whole set as one term when the catalogue has it.
func SayGrades(p *i18n.Printer, label string) string {
	if p.Lang() == i18n.Zh || i18n.HasTerm(label) {
		return p.Term(label)
	}
	var names []string
	if head, last, ok := cutLast(label, "和"); ok {
		names = append(strings.Split(head, "、"), last)
	} else {
		names = []string{label}
	}
	for i, n := range names {
		names[i] = p.Term(n)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return p.T("%s和%s", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
