package ballot

import (
	"bytes"
	"strings"
	"testing"
)

func evalPoll(subjects ...string) *Poll {
	p := &Poll{ID: "p1", Title: "2026年度领导干部民主测评", Groups: []Group{{ID: "g1", Name: "班子成员", Expected: 6}, {ID: "g2", Name: "职工代表", Expected: 30}}}
	e := &Evaluation{}
	for _, s := range subjects {
		e.Subjects = append(e.Subjects, Subject{Name: s, Post: "副局长"})
	}
	p.Forms = []Form{{Kind: KindEvaluation, Title: "领导干部民主测评表", Evaluation: e}}
	p.Normalize()
	return p
}

func vote(p *Poll, marks ...[]string) Ballot {
	lines := map[string][]string{}
	for i, m := range marks {
		lines[p.Forms[0].Evaluation.Subjects[i].ID] = m
	}
	return Ballot{Forms: []FilledForm{{Form: p.Forms[0].ID, Lines: lines}}}
}

func TestRatioPercentRoundsHalfUp(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		r    Ratio
		want string
	}{{R(2, 3), "66.67%"}, {R(1, 3), "33.33%"}, {R(1, 8), "12.50%"}, {R(1, 200000), "0.00%"}, {R(1, 20000), "0.01%"}, {R(5, 5), "100.00%"}, {R(0, 0), "—"}} {
		if got := c.r.Percent(); got != c.want {
			t.Errorf("%v.Percent() = %s, want %s", c.r, got, c.want)
		}
	}
	if R(2, 3).Cmp(R(4, 6)) != 0 || !R(6666, 10000).Less(R(2, 3)) {
		t.Error("exact comparison is wrong")
	}
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[Token]bool{}
	for i := 0; i < 1000; i++ {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != 16 || seen[tok] {
			t.Fatalf("bad or repeated token %q", tok)
		}
		seen[tok] = true
		g := tok.Grouped()
		if len(g) != 19 || strings.Count(g, "-") != 3 {
			t.Fatalf("grouped %q", g)
		}
		back, err := ParseToken(strings.ToLower(g))
		if err != nil || back != tok {
			t.Fatalf("ParseToken(%q) = %q, %v", g, back, err)
		}
	}
}

func TestParseTokenForgivesWhatPeopleType(t *testing.T) {
	t.Parallel()
	want := Token("01ABCDEFGHJKMNPQ")
	for _, in := range []string{"01AB-CDEF-GHJK-MNPQ", "oiab cdef ghjk mnpq", "OLABCDEFGHJKMNPQ", "０１ＡＢ-CDEF-GHJK-MNPQ"} {
		got, err := ParseToken(in)
		if err != nil || got != want {
			t.Errorf("ParseToken(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "01AB-CDEF-GHJK-MNP", "01AB-CDEF-GHJK-MNPU", "01AB-CDEF-GHJK-MNPQ-R", "张三"} {
		if _, err := ParseToken(in); ErrorCode(err) != ETOKENUNKNOWN {
			t.Errorf("ParseToken(%q) err = %v, want %s", in, err, ETOKENUNKNOWN)
		}
	}
}

func TestTokenHashIsKeyed(t *testing.T) {
	t.Parallel()
	tok, _ := NewToken()
	a, b := TokenKey("secret-a").Hash(tok), TokenKey("secret-b").Hash(tok)
	if bytes.Equal(a, b) || !bytes.Equal(a, TokenKey("secret-a").Hash(tok)) || len(a) != 32 {
		t.Fatal("token hash must be a deterministic HMAC that depends on the key")
	}
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	k, err := NewPollKey()
	if err != nil {
		t.Fatal(err)
	}
	const size = 64
	c1, _ := Seal("poll", k.Public, "g1", []byte(`{"a":1}`), size)
	c2, _ := Seal("poll", k.Public, "g1", []byte(`{"a":1}`), size)
	c3, _ := Seal("poll", k.Public, "g1", []byte(`{"a":"a much longer ballot than the first"}`), size)
	if bytes.Equal(c1, c2) || bytes.Equal(c1[1:33], c2[1:33]) {
		t.Fatal("each ballot must be sealed with its own ephemeral key")
	}
	if len(c1) != len(c3) || len(c1) != SealedSize(size) {
		t.Fatalf("sealed lengths %d and %d, want both %d: a ballot's length must not tell its content", len(c1), len(c3), SealedSize(size))
	}
	if _, err := Seal("poll", k.Public, "g1", bytes.Repeat([]byte("x"), size+1), size); ErrorCode(err) != EINVALID {
		t.Fatalf("a ballot over the poll's size must be refused, got %v", err)
	}
	o, _ := NewOpener("poll", k.Private)
	if p, err := o.Open("g1", c1); err != nil || string(p) != `{"a":1}` {
		t.Fatalf("open = %q, %v", p, err)
	}
	if _, err := o.Open("g2", c1); err == nil {
		t.Fatal("a ballot moved to another group must not open")
	}
	moved := append([]byte{}, c1...)
	copy(moved[1:33], c2[1:33])
	if _, err := o.Open("g1", moved); err == nil {
		t.Fatal("wrong ephemeral key must not open")
	}
	flipped := append([]byte{}, c1...)
	flipped[len(flipped)-1] ^= 1
	if _, err := o.Open("g1", flipped); err == nil {
		t.Fatal("a flipped bit must not open")
	}
	other, _ := NewPollKey()
	o2, _ := NewOpener("poll", other.Private)
	if _, err := o2.Open("g1", c2); err == nil {
		t.Fatal("another poll's key must not open")
	}
}

func TestShareWrap(t *testing.T) {
	t.Parallel()
	k, _ := NewPollKey()
	key := ShareKey(bytes.Repeat([]byte{7}, 32))
	w, err := key.Wrap("p1", k.Private)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := key.Unwrap("p1", w); err != nil || !bytes.Equal(got, k.Private) {
		t.Fatal("unwrap failed")
	}
	if _, err := key.Unwrap("p2", w); err == nil {
		t.Fatal("a share must not unwrap for another poll")
	}
	if _, err := ShareKey(bytes.Repeat([]byte{8}, 32)).Unwrap("p1", w); err == nil {
		t.Fatal("a share must not unwrap under another server secret")
	}
}

func TestPollValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		edit func(p *Poll)
		want string
	}{
		{"no title", func(p *Poll) { p.Title = "" }, "名称"},
		{"no groups", func(p *Poll) { p.Groups = nil }, "参评类别"},
		{"duplicate group", func(p *Poll) { p.Groups[1].Name = p.Groups[0].Name }, "重复"},
		{"zero expected", func(p *Poll) { p.Groups[0].Expected = 0 }, "应到人数"},
		{"no subjects", func(p *Poll) { p.Forms[0].Evaluation.Subjects = nil }, "被测评对象"},
		{"duplicate subject", func(p *Poll) { p.Forms[0].Evaluation.Subjects[1].Name = "张三" }, "第2位与第1位"},
		{"empty name", func(p *Poll) { p.Forms[0].Evaluation.Subjects[1].Name = "" }, "第2位"},
		{"bad threshold", func(p *Poll) { p.Quorum = R(3, 2) }, "法定人数"},
	} {
		p := evalPoll("张三", "李四")
		c.edit(p)
		err := p.Validate()
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.want) {
			t.Errorf("%s: Validate() = %v, want EINVALID mentioning %q", c.name, err, c.want)
		}
	}
	if err := evalPoll("张三", "李四").Validate(); err != nil {
		t.Fatalf("valid poll rejected: %v", err)
	}
}

func TestSmallGroupWarning(t *testing.T) {
	t.Parallel()
	p := evalPoll("张三")
	p.Groups[0].Expected = 4
	if w := p.Warnings(); len(w) != 1 || !strings.Contains(w[0], "班子成员") {
		t.Fatalf("warnings = %v", w)
	}
}

// RULES: 废票 — evaluation: exactly one grade per subject; none or several is invalid for
// that subject only.
func TestCheckEvaluation(t *testing.T) {
	t.Parallel()
	p := evalPoll("张三", "李四", "王五")
	b := vote(p, []string{"优秀"}, nil, []string{"称职", "不称职"})
	spoilt, err := p.Check(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(spoilt) != 2 || spoilt[0].Label != "李四" || spoilt[0].Reason != "未选择等次" || spoilt[1].Reason != "选择了多个等次" {
		t.Fatalf("spoilt = %+v", spoilt)
	}
	for name, bad := range map[string]Ballot{
		"unknown grade":   vote(p, []string{"很好"}),
		"unknown subject": {Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s9": {"优秀"}}}}},
		"unknown form":    {Forms: []FilledForm{{Form: "f9"}}},
		"no forms":        {},
		"repeated grade":  vote(p, []string{"优秀", "优秀"}),
	} {
		if _, err := p.Check(&bad); ErrorCode(err) != EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

func ballotsOf(p *Poll, group string, n int, marks ...[]string) []PlainBallot {
	var out []PlainBallot
	for i := 0; i < n; i++ {
		out = append(out, PlainBallot{Group: group, Ballot: vote(p, marks...)})
	}
	return out
}

func flagCodes(s SubjectTally) string {
	var c []string
	for _, f := range s.Flags {
		c = append(c, f.Code)
	}
	return strings.Join(c, ",")
}

// RULES: 民主测评 — 建议调整 when (优秀+称职)/valid < 2/3; 建议免职 when 不称职/valid > 1/3.
// Exactly 2/3 good is not flagged; exactly 1/3 bad is not flagged.
func TestEvaluationThresholdBoundaries(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name              string
		good, basic, bad  int
		wantFlags         string
		wantGood, wantBad string
	}{
		{"exactly 2/3 good", 2, 1, 0, "", "66.67%", "0.00%"},
		{"just under 2/3 good", 199, 101, 0, "adjust", "66.33%", "0.00%"},
		{"exactly 1/3 bad", 2, 0, 1, "", "66.67%", "33.33%"},
		{"over 1/3 bad", 3, 0, 2, "adjust,dismiss", "60.00%", "40.00%"},
		{"just over 1/3 bad", 200, 0, 101, "adjust,dismiss", "66.45%", "33.55%"},
		{"all good", 9, 0, 0, "", "100.00%", "0.00%"},
	} {
		p := evalPoll("张三")
		var box []PlainBallot
		box = append(box, ballotsOf(p, "g2", c.good, []string{"称职"})...)
		box = append(box, ballotsOf(p, "g2", c.basic, []string{"基本称职"})...)
		box = append(box, ballotsOf(p, "g2", c.bad, []string{"不称职"})...)
		tally := Count(p, present(p), box)
		s := tally.Forms[0].Evaluation.Subjects[0]
		if got := flagCodes(s); got != c.wantFlags {
			t.Errorf("%s: flags = %q, want %q", c.name, got, c.wantFlags)
		}
		if s.Good.Percent() != c.wantGood || s.Bad.Percent() != c.wantBad {
			t.Errorf("%s: good %s bad %s, want %s %s", c.name, s.Good.Percent(), s.Bad.Percent(), c.wantGood, c.wantBad)
		}
		if s.Good.Den != int64(c.good+c.basic+c.bad) {
			t.Errorf("%s: denominator %d, want the valid ballots", c.name, s.Good.Den)
		}
	}
}

func TestCountPerGroupInvalidAndQuorum(t *testing.T) {
	t.Parallel()
	p := evalPoll("张三", "李四")
	p.MinGroup = 3 // 4 班子成员 shown on their own row
	box := append(ballotsOf(p, "g1", 4, []string{"优秀"}, []string{"称职"}),
		ballotsOf(p, "g2", 20, []string{"不称职"}, nil)...)
	box = append(box, PlainBallot{Group: "g2", Ballot: vote(p, []string{"优秀", "称职"}, []string{"基本称职"})})
	turnout := []Turnout{{Group: "g1", Issued: 6, Used: 4}, {Group: "g2", Issued: 30, Voided: 1, Used: 21}}
	tally := Count(p, turnout, box)
	if tally.Expected != 36 || tally.Used != 25 || tally.Ballots != 25 || tally.Needed != 24 || !tally.QuorumMet {
		t.Fatalf("turnout: %+v", tally)
	}
	zs := tally.Forms[0].Evaluation.Subjects[0]
	if zs.Total.Valid != 24 || zs.Total.Invalid != 1 || zs.Total.Votes[0] != 4 || zs.Total.Votes[3] != 20 {
		t.Fatalf("张三 total = %+v", zs.Total)
	}
	if g := zs.ByGroup[0]; g.Group != "g1" || g.Valid != 4 || g.Votes[0] != 4 {
		t.Fatalf("张三 in 班子成员 = %+v", g)
	}
	if g := zs.ByGroup[1]; g.Valid != 20 || g.Invalid != 1 || g.Votes[3] != 20 {
		t.Fatalf("张三 in 职工代表 = %+v", g)
	}
	ls := tally.Forms[0].Evaluation.Subjects[1]
	if ls.Total.Valid != 5 || ls.Total.Invalid != 20 || ls.Total.Rate(1).String() != "4/5" {
		t.Fatalf("李四 = %+v", ls.Total)
	}
	if flagCodes(zs) != "adjust,dismiss" || flagCodes(ls) != "" {
		t.Fatalf("flags: %q %q", flagCodes(zs), flagCodes(ls))
	}
}

// RULES: quorum — 实到 ≥ ⌈应到 × 2/3⌉; below it the tally says 「未达法定人数，结果无效」.
func TestQuorumBoundary(t *testing.T) {
	t.Parallel()
	p := evalPoll("张三") // 应到 36 → needs 24
	for used, met := range map[int]bool{24: true, 23: false} {
		tally := Count(p, []Turnout{{Group: "g2", Used: used}}, ballotsOf(p, "g2", used, []string{"优秀"}))
		if tally.QuorumMet != met {
			t.Errorf("used %d: quorum met = %v, want %v", used, tally.QuorumMet, met)
		}
		if hasNote := strings.Contains(strings.Join(tally.Notes, ";"), QuorumNote); hasNote == met {
			t.Errorf("used %d: notes %v", used, tally.Notes)
		}
	}
	p.Groups = []Group{{ID: "g1", Name: "全体", Expected: 7}}
	if p.QuorumNeeded() != 5 { // ⌈14/3⌉
		t.Fatalf("needed %d", p.QuorumNeeded())
	}
}

func TestCountRejectsWhatDoesNotParse(t *testing.T) {
	t.Parallel()
	p := evalPoll("张三")
	box := ballotsOf(p, "g1", 3, []string{"优秀"})
	box = append(box, PlainBallot{Group: "g1", Ballot: Ballot{}}, PlainBallot{Group: "gX", Ballot: vote(p, []string{"优秀"})})
	tally := Count(p, []Turnout{{Group: "g1", Used: 5}}, box)
	if tally.Ballots != 5 || tally.Rejected != 2 || tally.Forms[0].Evaluation.Subjects[0].Total.Valid != 3 {
		t.Fatalf("tally = %+v", tally)
	}
}

func TestLinesFromPaste(t *testing.T) {
	t.Parallel()
	subs, err := SubjectsFromLines("张三\t局长\n\n 李四 副局长 （分管财务）\r\n王五")
	if err != nil || len(subs) != 3 || subs[0].Post != "局长" || subs[1].Post != "副局长 （分管财务）" || subs[2].Name != "王五" || subs[2].Post != "" {
		t.Fatalf("subjects = %+v, %v", subs, err)
	}
	groups, err := GroupsFromLines("班子成员 7\n中层 干部\t２５人\n")
	if err != nil || len(groups) != 2 || groups[1].Name != "中层 干部" || groups[1].Expected != 25 {
		t.Fatalf("groups = %+v, %v", groups, err)
	}
	for in, want := range map[string]string{"班子成员\n职工代表 4o": "第1行", "职工代表 四十": "第1行：应到人数“四十”不是整数"} {
		if _, err := GroupsFromLines(in); !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("GroupsFromLines(%q) = %v, want %q", in, err, want)
		}
	}
	if r, err := ParseRatio("2/3"); err != nil || r != R(2, 3) {
		t.Fatal(r, err)
	}
	if _, err := ParseRatio("2:3"); ErrorCode(err) != EINVALID {
		t.Fatal(err)
	}
}
