package ballot

import (
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/survey"
)

func TestCleanText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, in string
		form     TextForm
		want     string
		refused  string // part of the message, when refused
	}{
		{"plain", "2026年度民主推荐", TextLine, "2026年度民主推荐", ""},
		{"trim and collapse", " 　 副局长\t\t人选 \r\n", TextLine, "副局长 人选", ""},
		{"zero-width space", "张\u200b三", TextName, "张三", ""},
		{"joiner at the end", "张三\u200d", TextName, "张三", ""},
		{"bidi override", "\u202e张三\u202c", TextName, "张三", ""},
		{"byte order mark", "\ufeff会议", TextLine, "会议", ""},
		{"soft hyphen", "ab\u00adc", TextLine, "abc", ""},
		{"name spaces", "张 三", TextName, "张三", ""},
		{"name ideographic space", "张\u3000三", TextName, "张三", ""},
		{"full-width letters fold", "ＺＨＡＮＧ　Ｓａｎ１", TextName, "ZHANG San1", ""},
		{"line keeps full-width", "ＡＢ", TextLine, "ＡＢ", ""},
		{"composed", "e\u0301", TextLine, "é", ""},
		{"composed across a removed joiner", "e\u200b\u0301", TextLine, "é", ""},
		{"emoji stays", "好👍🏽", TextLine, "好👍🏽", ""},
		{"para keeps lines", "  第一条 \r\n\r\n\r\n\r\n  第二条  ", TextPara, "第一条\n\n第二条", ""},
		{"para collapses spaces", "a \t b\u2028c", TextPara, "a b\nc", ""},
		{"empty stays empty", "", TextLine, "", ""},
		{"spaces are empty", " \t ", TextName, "", ""},
		{"NUL", "孙\x00八", TextName, "", "控制字符"},
		{"bell", "\a", TextLine, "", "控制字符"},
		{"escape", "a\x1b[31m", TextPara, "", "控制字符"},
		{"delete", "a\x7f", TextLine, "", "控制字符"},
		{"C1", "a\u0090", TextLine, "", "控制字符"},
		{"broken UTF-8", "张\xff三", TextName, "", "无法识别"},
		{"lone surrogate as UTF-8", "张\xed\xa0\x80", TextLine, "", "无法识别"},
		{"only zero-width", "\u200b", TextName, "", "只有空白或不可见"},
		{"only bidi", "\u202e", TextName, "", "只有空白或不可见"},
		{"only joiners and spaces", " \u200d \ufeff", TextLine, "", "只有空白或不可见"},
	} {
		got, err := CleanText("姓名", c.in, c.form)
		if c.refused != "" {
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.refused) || !strings.HasPrefix(ErrorMessage(err), "姓名") {
				t.Errorf("%s: %q gave %q, %v; want refused with “%s”", c.name, c.in, got, err, c.refused)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q gave %q, %v; want %q", c.name, c.in, got, err, c.want)
		}
	}
}

// Write-ins that differ only by width, spacing or invisible characters are one person,
// the tellers see the spellings that were merged, and a listed name written in counts
// for the listed candidate.
func TestWriteInsMerged(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(2, "张三", "李四"))
	var box []PlainBallot
	for _, marks := range [][]string{
		{"+孙八"}, {"+孙 八"}, {"+孙\u200b八"}, {"+\u202e孙八"}, {"+孙八\u200d", "c2"},
		{"+ＡＢ"}, {"+AB"},
		{"+张 三"}, {"+张\u200b三"}, {"c1"},
	} {
		box = append(box, cast(p, "g1", map[string][]string{"p1": marks}))
	}
	tl := Count(p, nil, box)
	if tl.Rejected != 0 {
		t.Fatalf("rejected %d: %v", tl.Rejected, tl.Notes)
	}
	got := map[string]CandidateTally{}
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		got[c.Name] = c
	}
	for name, want := range map[string]struct {
		votes     int
		writeIn   bool
		spellings []string
	}{
		"孙八": {5, true, []string{"孙 八", "孙八"}}, // the invisible characters are gone at the door
		"AB": {2, true, []string{"AB", "ＡＢ"}},
		"张三": {3, false, []string{"张 三", "张三"}},
		"李四": {1, false, nil},
	} {
		c, ok := got[name]
		if !ok || c.Votes.Total != want.votes || c.WriteIn != want.writeIn || !reflect.DeepEqual(c.Spellings, want.spellings) {
			t.Errorf("%s: %+v, want %d votes, write-in %v, spellings %v", name, c, want.votes, want.writeIn, want.spellings)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d lines, want 4: %v", len(got), got)
	}
}

// A write-in that is only invisible characters, or holds a control character or broken
// UTF-8, is refused at the door with a message for the voter.
func TestWriteInRefused(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(2, "张三", "李四"))
	for _, w := range []string{"\u200b", "\u202e", "\x00", "孙\x00八", "孙\xff八", " \u200d "} {
		b := cast(p, "g1", map[string][]string{"p1": {WriteInPrefix + w}}).Ballot
		_, err := p.Check(&b)
		if ErrorCode(err) != EINVALID || !strings.HasPrefix(ErrorMessage(err), "另推人选的姓名") {
			t.Errorf("write-in %q: %v, want refused naming the write-in", w, err)
		}
	}
	b := cast(p, "g1", map[string][]string{"p1": {"c1", "+张\u200b三"}}).Ballot
	if _, err := p.Check(&b); ErrorCode(err) != EINVALID {
		t.Errorf("张三 marked and written in again: %v, want refused", err)
	}
}

func surveyPoll(t *testing.T) *Poll {
	q, err := survey.FromText("[单选] 总体评价\n好\n差\n\n[填空 20] 意见")
	if err != nil {
		t.Fatal(err)
	}
	return pollWith(markForm(1, "张三"), Form{Kind: KindSurvey, Title: "问卷", Survey: &Survey{Questionnaire: q}})
}

// Free answers are cleaned before they are sealed; control characters are refused.
func TestFreeTextAtTheDoor(t *testing.T) {
	t.Parallel()
	p := surveyPoll(t)
	b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{}}, {Form: "f2", Lines: map[string][]string{"q2": {"\u202e 多听\u200b意见 \r\n\r\n\r\n 谢谢 "}}}}}
	if _, err := p.Check(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.Forms[1].Lines["q2"][0]; got != "多听意见\n\n谢谢" {
		t.Errorf("sealed as %q", got)
	}
	for _, a := range []string{"好\x00", "\x1b[2J", "\xc3\x28", "\u200b\u200b"} {
		b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{}}, {Form: "f2", Lines: map[string][]string{"q2": {a}}}}}
		if _, err := p.Check(&b); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "“意见”的回答") {
			t.Errorf("answer %q: %v, want refused naming the question", a, err)
		}
	}
}

// A ballot sealed before the door cleaned text (a NUL in a write-in and in a free answer)
// still counts: the characters show as U+FFFD, and the tally holds nothing PostgreSQL's
// jsonb refuses. One that cannot be read at all is reported by its place in the box.
func TestCountOldBallots(t *testing.T) {
	t.Parallel()
	p := surveyPoll(t)
	old := Ballot{Forms: []FilledForm{
		{Form: "f1", Lines: map[string][]string{"p1": {"+孙\x00八"}}},
		{Form: "f2", Lines: map[string][]string{"q1": {"好"}, "q2": {"意见\x00\xff"}}},
	}}
	invisible := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {"+\u200b"}}}, {Form: "f2", Lines: map[string][]string{"q1": {"差"}}}}}
	forged := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {"c\x009"}}}, {Form: "f2", Lines: map[string][]string{}}}}
	box := []PlainBallot{{Group: "g1", Ballot: old}, {Group: "g1", Ballot: invisible}, {Group: "g1", Broken: true}, {Group: "g2", Ballot: forged}}
	tl := Count(p, nil, box)
	if tl.Rejected != 2 || !reflect.DeepEqual(tl.Unreadable, []int{3, 4}) {
		t.Fatalf("rejected %d at %v; want 2 at [3 4]", tl.Rejected, tl.Unreadable)
	}
	notes := strings.Join(tl.Notes, "；")
	for _, want := range []string{"第 3 张选票无法读取", "第 4 张选票无法读取"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	pos := tl.Forms[0].Recommendation.Positions[0]
	if pos.Valid.Total != 2 || pos.Blank.Total != 1 || len(pos.Candidates) != 2 || pos.Candidates[1].Name != "孙\uFFFD八" {
		t.Errorf("position: %+v", pos)
	}
	if texts := tl.Forms[1].Survey.Questions[1].Texts; !reflect.DeepEqual(texts, []string{"意见\uFFFD\uFFFD"}) {
		t.Errorf("texts %q", texts)
	}
	body, err := json.Marshal(tl)
	if err != nil || !jsonbTakes(t, body) {
		t.Fatalf("tally %s, %v", body, err)
	}
	if b := box[0].Ballot.Forms[0].Lines["p1"][0]; b != "+孙\x00八" {
		t.Errorf("the count changed the box it was given: %q", b)
	}
}

// jsonbTakes reports whether PostgreSQL's jsonb would take the document: valid UTF-8
// and no NUL in any string.
func jsonbTakes(t testing.TB, body []byte) bool {
	t.Helper()
	var v any
	if !utf8.Valid(body) || json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return !strings.ContainsRune(x, 0) && utf8.ValidString(x)
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		case map[string]any:
			for k, e := range x {
				if !walk(k) || !walk(e) {
					return false
				}
			}
		}
		return true
	}
	return walk(v)
}

// Titles and names of a poll are cleaned when it is built: look-alike names are the same
// name, and control characters are refused naming the field.
func TestPollTextsAtTheDoor(t *testing.T) {
	t.Parallel()
	p := &Poll{Title: " \u202e2026年\u200b民主推荐\t会 ", Groups: []Group{{Name: "班子\u00a0成员", Expected: 10}}, Tellers: []string{"王\u200b五", "赵 六"},
		Forms: []Form{markForm(1, "张三", "李\u200d四")}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	cands := p.Forms[0].Recommendation.Positions[0].Candidates
	if p.Title != "2026年民主推荐 会" || p.Groups[0].Name != "班子 成员" || p.Tellers[0] != "王五" || p.Tellers[1] != "赵六" || cands[1].Name != "李四" {
		t.Errorf("cleaned to %q %q %q %q", p.Title, p.Groups[0].Name, p.Tellers, cands[1].Name)
	}
	for name, c := range map[string]struct {
		edit func(p *Poll)
		want string
	}{
		"NUL in the title":       {func(p *Poll) { p.Title = "会\x00议" }, "投票活动名称含有不可见的控制字符"},
		"invisible title":        {func(p *Poll) { p.Title = "\u200b\u202e" }, "投票活动名称只有空白或不可见的字符"},
		"broken group name":      {func(p *Poll) { p.Groups[0].Name = "班子\xff" }, "参评类别名称含有无法识别的字符"},
		"look-alike candidates":  {func(p *Poll) { p.Forms[0].Recommendation.Positions[0].Candidates[1].Name = "张\u200b三" }, "候选人“张三”重复"},
		"escape in a post":       {func(p *Poll) { p.Forms[0].Recommendation.Positions[0].Candidates[0].Post = "\x1b[1m局长" }, "职位“副局长”的候选人“张三”的职务含有不可见的控制字符"},
		"NUL in a teller's name": {func(p *Poll) { p.Tellers[0] = "\x00" }, "监票人姓名含有不可见的控制字符"},
	} {
		q := &Poll{Title: "会议", Groups: []Group{{Name: "班子成员", Expected: 10}}, Tellers: []string{"王五", "赵六"}, Forms: []Form{markForm(1, "张三", "李四")}}
		c.edit(q)
		q.Normalize()
		err := q.Validate()
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%s: %v, want “%s”", name, err, c.want)
		}
	}
}

// An imported sheet is cleaned cell by cell; a cell the decoding could not read is named
// by its row and column, and nothing is taken.
func TestCleanRows(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("姓名,职务\n张三,局长\n")
	if err != nil {
		t.Fatal(err)
	}
	broken := gbk + "\x81 ,副\n" // a lead byte with no trail byte
	decoded, _ := simplifiedchinese.GB18030.NewDecoder().String(broken)
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(decoded), "\n") {
		rows = append(rows, strings.Split(line, ","))
	}
	rows = append(rows, []string{"王五", "科长"})
	err = CleanRows(rows)
	if ErrorCode(err) != EINVALID || ErrorMessage(err) != "第 3 行第 1 列含有无法识别的字符（文件编码可能不是 UTF-8 或 GBK）" {
		t.Fatalf("%v", err)
	}
	good := [][]string{{" 张\u200b三 ", "局长\u202e"}, {"李四", "办公室\t主任"}}
	if err := CleanRows(good); err != nil || !reflect.DeepEqual(good, [][]string{{"张三", "局长"}, {"李四", "办公室 主任"}}) {
		t.Errorf("%q, %v", good, err)
	}
	bad := [][]string{{"张三", "局长"}, {"李四", "副\x00局长"}}
	if err := CleanRows(bad); ErrorMessage(err) != "第 2 行第 2 列含有不可见的控制字符，请删除后重新输入" {
		t.Errorf("%v", err)
	}
}

// FuzzCleanText: whatever comes in is refused with a Chinese message, or comes out clean:
// UTF-8, no control character but a free answer's line break, no format character, no
// space at either end, in a name no whitespace but single spaces between characters
// not of a CJK script, and cleaning it again changes nothing. A name's key has no space
// and is the key of its cleaned spelling.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"张三", "张\u200b三", "\u202e", "孙\x00八", "\xff", "ＡＢ　ｃ", "e\u200b\u0301", " a \r\n\r\n b ", "¨\u0301", "\u3000\u200d", "👨\u200d👩\u200d👧", "ﾊﾟ", "Zhang  San", "Ｚｈａｎｇ\u3000San", "张 San", "A ㍻", "a \u0301"} {
		for form := range 3 {
			f.Add(s, uint8(form))
		}
	}
	f.Fuzz(func(t *testing.T, s string, form uint8) {
		tf := TextForm(form % 3)
		out, err := CleanText("内容", s, tf)
		if err != nil {
			if ErrorCode(err) != EINVALID || !chinese(ErrorMessage(err)) {
				t.Fatalf("%q: refused with %v", s, err)
			}
			return
		}
		if !utf8.ValidString(out) || out != strings.TrimSpace(out) {
			t.Fatalf("%q cleaned to %q", s, out)
		}
		var prev rune
		for i, r := range out {
			if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) && !(tf == TextPara && r == '\n') || tf == TextName && unicode.IsSpace(r) && r != ' ' {
				t.Fatalf("%q cleaned to %q, which holds %U", s, out, r)
			}
			if tf == TextName && r == ' ' {
				next, _ := utf8.DecodeRuneInString(out[i+1:])
				if cjk(prev) || cjk(next) || next == ' ' {
					t.Fatalf("%q cleaned to %q, a space beside %q or %q", s, out, prev, next)
				}
			}
			prev = r
		}
		again, err := CleanText("内容", out, tf)
		if err != nil || again != out {
			t.Fatalf("%q cleaned to %q, then to %q, %v", s, out, again, err)
		}
		if tf == TextName && NormalizeName(s) != out {
			t.Fatalf("%q: NormalizeName %q, CleanText %q", s, NormalizeName(s), out)
		}
		if key := NameKey(s); tf == TextName && (strings.ContainsFunc(key, unicode.IsSpace) || NameKey(out) != key || key != normalizeText(s, textKey)) {
			t.Fatalf("%q: key %q, the key of its spelling %q is %q, the long way %q", s, key, out, NameKey(out), normalizeText(s, textKey))
		}
	})
}

// A bundle certified before text was cleaned at the door (version 1: no merged
// spellings, no places of unreadable ballots, the old wording of their note) still
// verifies; the same tally in the current version does not, and neither does a version 1
// tally with a changed figure.
func TestOlderBundleVerifies(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(2, "张三", "李四"))
	k, _ := NewPollKey()
	var sealed [][]byte
	var box []PlainBallot
	for _, w := range []string{"+孙 八", "+孙八", "c1"} {
		b := cast(p, "g1", map[string][]string{"p1": {w}}).Ballot
		plain, _ := b.Encode()
		sb, _ := Seal(p.ID, k.Public, "g1", plain, p.PlainSize())
		sealed, box = append(sealed, sb), append(box, PlainBallot{Group: "g1", Ballot: b})
	}
	sealed, box = append(sealed, []byte("x")), append(box, PlainBallot{Group: "g1", Broken: true})
	turnout := []Turnout{{Group: "g1", Issued: 5, Used: 4}}
	_, key, _ := ed25519.GenerateKey(nil)
	sign := func(version string, edit func(*Tally)) *Signed {
		tl := count(p, turnout, box, version == BundleVersion, nil)
		b, err := NewBundle(p, turnout, sealed, box, tl, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.Version = version
		edit(b.Tally)
		signed, _ := Sign(b, key)
		return signed
	}
	verify := func(s *Signed) ([]Check, *Bundle) { return Verify(s, key.Public().(ed25519.PublicKey)) }
	asBefore := func(tl *Tally) {
		for i := range tl.Forms[0].Recommendation.Positions[0].Candidates {
			tl.Forms[0].Recommendation.Positions[0].Candidates[i].Spellings = nil
		}
		tl.Unreadable = nil
		var notes []string
		for _, n := range tl.Notes {
			if !strings.Contains(n, "张选票无法读取") {
				notes = append(notes, n)
			}
		}
		tl.Notes = append(notes, "有选票无法解析，已全部作废并计入“无法解析”")
	}
	if checks, _ := verify(sign(BundleVersion, func(*Tally) {})); !Verified(checks) {
		t.Fatalf("a current bundle fails: %s", failed(checks))
	}
	if checks, _ := verify(sign("minyi-tally/1", asBefore)); !Verified(checks) {
		t.Errorf("a version 1 bundle fails: %s", failed(checks))
	}
	if checks, _ := verify(sign(BundleVersion, asBefore)); Verified(checks) {
		t.Error("a current bundle without its spellings verifies")
	}
	changed := func(tl *Tally) { asBefore(tl); tl.Forms[0].Recommendation.Positions[0].Candidates[0].Votes.Total++ }
	if checks, _ := verify(sign("minyi-tally/1", changed)); Verified(checks) || failed(checks) != "重新计票结果一致" {
		t.Errorf("a version 1 bundle with a changed figure: %s", failed(checks))
	}
}

// On a per-candidate form, a listed name given as 另选 counts as 同意 for that candidate
// when the voter gave that name no opinion; beside an opinion on the same name it is
// refused, so no voter both disagrees with and recommends one person.
func TestPerCandidateListedWriteIn(t *testing.T) {
	t.Parallel()
	f := markForm(2, "张三", "李四", "王五")
	f.Recommendation.Shape = ShapePerCandidate
	p := pollWith(f)
	ok := cast(p, "g1", map[string][]string{"p1/c1": {"不同意", "+李\u200b四"}})
	if _, err := p.Check(&ok.Ballot); err != nil {
		t.Fatal(err)
	}
	for name, lines := range map[string]map[string][]string{
		"disagrees and recommends": {"p1/c1": {"不同意", "+李 四"}, "p1/c2": {"不同意"}},
		"agrees and recommends":    {"p1/c1": {"弃权", "+李四"}, "p1/c2": {"同意"}},
		"recommends twice":         {"p1/c1": {"弃权", "+李四"}, "p1/c3": {"弃权", "+ 李四"}},
	} {
		b := cast(p, "g1", lines).Ballot
		if _, err := p.Check(&b); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want refused", name, err)
		}
	}
	pt := Count(p, nil, many(3, ok)).Forms[0].Recommendation.Positions[0]
	if l := pt.Candidates[1]; len(pt.Candidates) != 3 || l.Votes.Total != 3 || l.Abstain.Total != 0 || pt.Candidates[0].Disagree.Total != 3 {
		t.Fatalf("counts: %+v", pt.Candidates)
	}
}

// The count reads the box it is given and never writes into it, though it cleans what
// it reads.
func TestCountLeavesTheBoxAlone(t *testing.T) {
	t.Parallel()
	p := surveyPoll(t)
	b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {"+孙\u200b 八"}}}, {Form: "f2", Lines: map[string][]string{"q2": {" 意见\u202e "}}}}}
	box := []PlainBallot{{Group: "g1", Ballot: b}}
	tl := Count(p, nil, box)
	if tl.Rejected != 0 || tl.Forms[0].Recommendation.Positions[0].Candidates[1].Name != "孙八" || tl.Forms[1].Survey.Questions[1].Texts[0] != "意见" {
		t.Fatalf("counted %+v", tl)
	}
	if w, a := b.Forms[0].Lines["p1"][0], b.Forms[1].Lines["q2"][0]; w != "+孙\u200b 八" || a != " 意见\u202e " {
		t.Errorf("the box now says %q and %q", w, a)
	}
}
