package ballot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"minyi/survey"
)

// The generators below read the forms' definitions themselves, not padding.go: a line or
// a mark that PlainSize forgets must show up here as a ballot longer than the bound.

// nastyPieces are what a phone or a forged request can put in a write-in or a free answer:
// what JSON escapes, what cleaning drops or merges, and runes of every UTF-8 length.
var nastyPieces = []string{"<", ">", "&", `"`, `\`, "'", "a", "Z", "9", " ", "  ", "\t", "\n", "\r\n", "\r",
	"\u2028", "\u2029", "\u0085", "\u200b", "\u202e", "\ufeff", "\u00ad", "张", "三", "𠀋", "😀", "👍🏽", "\u0301",
	"e\u0301", "ｶﾞ", "ㄱㅏ", "Ａ", "\u3000", "㍿", "ﷺ", "\u00a0", "+", "\U0010FFFD", "é"}

// filler fills ballots at random. A full filler goes for the limit on every line (all
// marks, every write-in box, texts of their longest of what JSON writes longest), now
// and then one step over it; otherwise lines are filled any way at all. Without the full
// ones a ballot of many lines would never come near the bound, and a line the bound
// forgot would go unseen.
type filler struct {
	*rand.Rand
	full bool
}

// often is true nine times in ten for a full filler, one in four otherwise.
func (g filler) often() bool {
	if g.full {
		return g.Intn(10) != 0
	}
	return g.Intn(4) == 0
}

// upTo is how many of at most n a line gets: n for a full filler (one more now and
// then), anything up to one more otherwise.
func (g filler) upTo(n int) int {
	if g.full {
		return n + g.Intn(10)/9
	}
	return g.Intn(n + 2)
}

// nasty is a text of about n runes from nastyPieces, or only of what JSON writes in six
// bytes.
func (g filler) nasty(n int) string {
	pieces := nastyPieces
	if g.full || g.Intn(3) == 0 {
		pieces = []string{"<", ">", "&"}
	}
	var b strings.Builder
	// Counted as it grows: counting the whole text again after each piece made this
	// quadratic, the most of what TestPlainSizeBoundsEveryAcceptedBallot cost.
	for runes := 0; runes < n; {
		piece := pieces[g.Intn(len(pieces))]
		b.WriteString(piece)
		runes += utf8.RuneCountInString(piece)
	}
	return b.String()
}

// subset marks some of opts in a random order: none, some, or all of them.
func (g filler) subset(opts []string) []string {
	out := append([]string(nil), opts...)
	g.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if g.often() {
		return out
	}
	return out[:g.Intn(len(out)+1)]
}

// writeIns are k written-in names of random lengths around the limit.
func (g filler) writeIns(k int, listed []Candidate) []string {
	var out []string
	for range k {
		if len(listed) > 0 && !g.full && g.Intn(8) == 0 {
			out = append(out, WriteInPrefix+listed[g.Intn(len(listed))].Name)
			continue
		}
		out = append(out, WriteInPrefix+g.nasty(g.upTo(MaxNameLen-1)+1))
	}
	return out
}

// score spells a score as a person or a form might: padded, zero-led, full-width, signed.
func (g filler) score(full int) string {
	n := g.Intn(full*10 + 11) // sometimes over full marks
	s := strconv.Itoa(n / 10)
	if n%10 != 0 || g.Intn(5) == 0 {
		s += "." + strconv.Itoa(n%10)
	}
	if g.often() {
		s = longestScore(full)
	}
	switch g.Intn(6) {
	case 0:
		s = strings.Repeat("0", g.Intn(8)) + s
	case 1:
		s = strings.Repeat(" ", g.Intn(8)) + s + strings.Repeat("\u3000", g.Intn(3))
	case 2:
		s = halfToFull(s)
	case 3:
		s = "+" + s
	case 4:
		if !g.full {
			s = strings.Repeat(" ", g.Intn(5)) // blank
		}
	}
	return s
}

func halfToFull(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= '0' && c <= '9' {
			return c - '0' + '０'
		}
		return c
	}, s)
}

// ratings are marks on a rating question, every one of 0–10 for a full filler.
func (g filler) ratings() []string {
	var marks []string
	if g.often() {
		for _, n := range g.Perm(survey.RatingMax + 1) {
			marks = append(marks, strconv.Itoa(n))
		}
	} else {
		for range g.Intn(13) {
			marks = append(marks, strconv.Itoa(g.Intn(12)))
		}
	}
	for i := range marks {
		switch g.Intn(4) {
		case 0:
			marks[i] = strings.Repeat("0", g.Intn(6)) + marks[i]
		case 1:
			marks[i] = "+" + marks[i]
		}
	}
	return marks
}

// randomLines fills a form at random, as a paper ballot may be filled: several marks on
// a line, write-ins over the boxes, texts over their limit, lines present but empty.
func (g filler) randomLines(f *Form, own string) map[string][]string {
	lines := map[string][]string{}
	put := func(key string, marks []string) {
		switch n := g.Intn(20); {
		case n < 2 && !g.full || n == 0: // left out
		case n < 4 && !g.full || n == 1:
			lines[key] = nil
		default:
			lines[key] = marks
		}
	}
	switch {
	case f.Evaluation != nil:
		e := f.Evaluation
		var grades []string
		for _, gr := range e.Grades {
			grades = append(grades, gr.Label)
		}
		for _, s := range e.Subjects {
			if s.ownUnit(own) && g.Intn(4) != 0 {
				continue
			}
			put(s.ID, g.subset(grades))
			for _, x := range e.Indicators {
				put(s.ID+"/"+x.ID, g.subset(grades))
			}
		}
	case f.Recommendation != nil:
		rec := f.Recommendation
		for _, p := range rec.Positions {
			var ids []string
			for _, c := range p.Candidates {
				ids = append(ids, c.ID)
			}
			// the boxes the page prints: seats on the position, one beside a name
			boxes, beside := p.Seats, 1
			if !p.WriteIns && !(rec.Shape == ShapePerCandidate && len(p.Candidates) == 0) && g.full {
				boxes, beside = 0, 0
			}
			if rec.Shape == ShapeMark {
				put(p.ID, append(g.subset(ids), g.writeIns(g.upTo(boxes), p.Candidates)...))
				continue
			}
			for _, c := range p.Candidates {
				put(p.ID+"/"+c.ID, append(g.subset(AgreeOptions), g.writeIns(g.upTo(beside), p.Candidates)...))
			}
			put(p.ID, g.writeIns(g.upTo(boxes), p.Candidates))
		}
	case f.Approval != nil:
		for _, n := range f.Approval.Nominees {
			put(n.ID, g.subset(AgreeOptions))
		}
	case f.Review != nil:
		if f.Review.Overall != "" {
			put(OverallLine, g.subset(OverallOptions))
		}
		for _, c := range f.Review.Cadres {
			put(c.ID, g.subset(CadreOptions))
		}
	case f.Scoring != nil:
		s := f.Scoring
		for _, x := range s.Subjects {
			if len(s.Indicators) == 0 {
				put(x.ID, []string{g.score(s.Max)})
			}
			for _, i := range s.Indicators {
				put(x.ID+"/"+i.ID, []string{g.score(i.Max)})
			}
		}
	case f.Survey != nil:
		for _, q := range f.Survey.Questions {
			switch q.Kind {
			case survey.Matrix:
				for row := range q.Rows {
					put(survey.RowKey(q.ID, row), g.subset(q.Options))
				}
			case survey.Rating:
				put(q.ID, g.ratings())
			case survey.Text:
				var marks []string
				for range g.upTo(1) {
					marks = append(marks, g.nasty(g.upTo(q.MaxLen)))
				}
				put(q.ID, marks)
			default:
				put(q.ID, g.subset(q.Options))
			}
		}
	}
	return lines
}

// longName is the i-th name of MaxNameLen runes that JSON writes in six bytes each.
func longName(i int) string {
	r := []rune(strings.Repeat("<", MaxNameLen))
	for j := 0; i > 0; j, i = j+1, i/3 {
		r[j] = []rune("<>&")[i%3]
	}
	return string(r)
}

// longestScore is the longest spelling the door keeps for full marks full.
func longestScore(full int) string {
	if s := strconv.Itoa(full - 1); len(s)+2 > len(strconv.Itoa(full)) {
		return s + ".9"
	}
	return strconv.Itoa(full)
}

// maximal fills every line of every form with everything it may carry at once.
func maximal(p *Poll, own string) Ballot {
	b := Ballot{}
	for _, f := range p.Forms {
		lines := map[string][]string{}
		switch {
		case f.Evaluation != nil:
			var grades []string
			for _, g := range f.Evaluation.Grades {
				grades = append(grades, g.Label)
			}
			for _, s := range f.Evaluation.Subjects {
				if s.ownUnit(own) { // there, but empty
					lines[s.ID] = nil
					for _, x := range f.Evaluation.Indicators {
						lines[s.ID+"/"+x.ID] = nil
					}
					continue
				}
				lines[s.ID] = grades
				for _, x := range f.Evaluation.Indicators {
					lines[s.ID+"/"+x.ID] = grades
				}
			}
		case f.Recommendation != nil:
			rec := f.Recommendation
			for _, p := range rec.Positions {
				allowed := p.WriteIns || rec.Shape == ShapePerCandidate && len(p.Candidates) == 0
				name := 0
				more := func(k int) []string {
					var out []string
					for range k {
						if allowed {
							out = append(out, WriteInPrefix+longName(name))
							name++
						}
					}
					return out
				}
				var ids []string
				for _, c := range p.Candidates {
					ids = append(ids, c.ID)
				}
				if rec.Shape == ShapeMark {
					lines[p.ID] = append(ids, more(p.Seats)...)
					continue
				}
				for _, c := range p.Candidates {
					lines[p.ID+"/"+c.ID] = append(append([]string(nil), AgreeOptions...), more(1)...)
				}
				lines[p.ID] = more(p.Seats)
			}
		case f.Approval != nil:
			for _, n := range f.Approval.Nominees {
				lines[n.ID] = AgreeOptions
			}
		case f.Review != nil:
			for k, opts := range f.Review.lines() {
				lines[k] = opts
			}
		case f.Scoring != nil:
			s := f.Scoring
			for _, x := range s.Subjects {
				if len(s.Indicators) == 0 {
					lines[x.ID] = []string{longestScore(s.Max)}
				}
				for _, i := range s.Indicators {
					lines[x.ID+"/"+i.ID] = []string{longestScore(i.Max)}
				}
			}
		case f.Survey != nil:
			for _, q := range f.Survey.Questions {
				switch q.Kind {
				case survey.Matrix:
					for row := range q.Rows {
						lines[survey.RowKey(q.ID, row)] = q.Options
					}
				case survey.Rating:
					for n := range survey.RatingMax + 1 {
						lines[q.ID] = append(lines[q.ID], strconv.Itoa(n))
					}
				case survey.Text:
					lines[q.ID] = []string{strings.Repeat("<", q.MaxLen)}
				default:
					lines[q.ID] = q.Options
				}
			}
		}
		b.Forms = append(b.Forms, FilledForm{Form: f.ID, Lines: lines})
	}
	return b
}

func mustSurvey(text string) *Survey {
	q, err := survey.FromText(text)
	if err != nil {
		panic(err)
	}
	return &Survey{Questionnaire: q}
}

// paddingPolls are polls of every kind and shape, with labels JSON escapes.
func paddingPolls() map[string]*Poll {
	perCandidate := markForm(2, "张三", "李四", "王五")
	perCandidate.Recommendation.Shape = ShapePerCandidate
	perCandidate.Recommendation.Positions = append(perCandidate.Recommendation.Positions, Position{Title: "委员", Seats: 3})
	noWriteIns := markForm(1, "赵六", "钱七")
	noWriteIns.Recommendation.Positions[0].WriteIns = false
	mutual := &Poll{ID: "m", Title: "工作互评", Groups: []Group{{ID: "a", Name: "办公室", Unit: "办公室", Expected: 5}, {ID: "b", Name: "财务科", Unit: "财务科", Expected: 5}},
		Forms: []Form{{Kind: KindEvaluation, Title: "互评表", Evaluation: &Evaluation{Grades: TeamGrades(), Subjects: []Subject{{Name: "办公室", Unit: "办公室"}, {Name: "财务科", Unit: "财务科"}},
			Indicators: []Indicator{{Name: "服务", Max: 50}, {Name: "协作", Max: 50}}}}}}
	mutual.Normalize()
	if err := mutual.Validate(); err != nil {
		panic(err)
	}
	return map[string]*Poll{
		"every kind":                       fuzzPoll(),
		"per candidate and write-ins only": pollWith(perCandidate, noWriteIns),
		"escaped labels": pollWith(Form{Kind: KindEvaluation, Title: "测评", Evaluation: &Evaluation{
			Grades:   []Grade{{Label: `"好"`, Good: true}, {Label: `较<好>`, Good: true}, {Label: `一\般`}, {Label: "差&劣", Bad: true}},
			Subjects: []Subject{{Name: "甲"}, {Name: "乙"}, {Name: "丙"}}}}),
		"scores": pollWith(
			Form{Kind: KindScoring, Title: "分项", Scoring: &Scoring{Step: 1, Subjects: []Subject{{Name: "甲"}, {Name: "乙"}},
				Indicators: []Indicator{{Name: "德", Max: 20}, {Name: "能", Max: 20}, {Name: "勤", Max: 9}, {Name: "绩", Max: 1000}, {Name: "廉", Max: 1}}}},
			Form{Kind: KindScoring, Title: "总分", Scoring: &Scoring{Max: 10, Step: 1, Subjects: []Subject{{Name: "丙"}, {Name: "丁"}}}}),
		"survey": pollWith(Form{Kind: KindSurvey, Title: "问卷", Survey: mustSurvey(
			"[单选] 总体\n好\n差\n\n[多选 1-2] 改进\n甲\n乙\n丙\n\n[量表] 满意度\n\n[评分] 打分\n\n[矩阵] 德\n等次：好 较好 一般 差\n政治品质\n道德品行\n\n[填空 30] 意见\n\n[填空 1000] 建议")}),
		"review and approval": pollWith(
			Form{Kind: KindReview, Title: "评议", Review: &Review{Overall: "总体评价", Cadres: []Subject{{Name: "甲"}, {Name: "乙"}}}},
			Form{Kind: KindReview, Title: "只评干部", Review: &Review{Cadres: []Subject{{Name: "丙"}}}},
			approvalForm(1, "赵六", "钱七", "孙八")),
		"mutual": mutual,
	}
}

// RULES: the box — every sealed ballot of a poll has one length. No ballot the door
// accepts, however it is filled, encodes longer than PlainSize.
func TestPlainSizeBoundsEveryAcceptedBallot(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	r := rand.New(rand.NewSource(1))
	for name, p := range paddingPolls() {
		bound := p.PlainSize()
		accepted, longest := 0, 0
		for n := range 3000 {
			fill := filler{Rand: r, full: n%2 == 0}
			g := p.Groups[r.Intn(len(p.Groups))]
			b := Ballot{}
			for i := range p.Forms {
				b.Forms = append(b.Forms, FilledForm{Form: p.Forms[i].ID, Lines: fill.randomLines(&p.Forms[i], g.Unit)})
			}
			if _, err := p.CheckGroup(g.ID, &b); err != nil {
				continue
			}
			accepted++
			plain, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			longest = max(longest, len(plain))
			if len(plain) > bound {
				t.Fatalf("%s: an accepted ballot of %d bytes, over PlainSize %d:\n%s", name, len(plain), bound, plain)
			}
		}
		if accepted < 300 {
			t.Errorf("%s: only %d of 3000 random ballots accepted; the test says little", name, accepted)
		}
		t.Logf("%s: PlainSize %d, %d accepted, longest %d", name, bound, accepted, longest)
	}
}

// The bound is reached: a ballot with every mark, every write-in box and every text
// filled to the limit with what JSON writes longest comes within a tenth of it.
func TestPlainSizeIsReached(t *testing.T) {
	t.Parallel()
	for name, p := range paddingPolls() {
		g := p.Groups[0]
		b := maximal(p, g.Unit)
		if _, err := p.CheckGroup(g.ID, &b); err != nil {
			t.Fatalf("%s: the fullest ballot is refused: %v", name, err)
		}
		plain, _ := b.Encode()
		bound := p.PlainSize()
		if len(plain) > bound || float64(len(plain)) < 0.9*float64(bound) {
			t.Errorf("%s: the fullest ballot is %d bytes, PlainSize %d", name, len(plain), bound)
		}
		t.Logf("%s: the fullest ballot is %d bytes, PlainSize %d", name, len(plain), bound)
	}
}

// What no ballot page can produce, and would make a ballot longer than any bound, is
// refused at the door with a message; spellings that say the same are kept as one.
func TestDoorBoundsWhatItSeals(t *testing.T) {
	t.Parallel()
	p := pollWith(markForm(2, "张三", "李四"), Form{Kind: KindScoring, Title: "打分", Scoring: &Scoring{Subjects: []Subject{{Name: "甲"}}, Step: 1}},
		Form{Kind: KindSurvey, Title: "问卷", Survey: mustSurvey("[评分] 打分\n\n[填空 10] 意见")})
	fill := func(rec, sc, sv map[string][]string) Ballot {
		return Ballot{Forms: []FilledForm{{Form: "f1", Lines: rec}, {Form: "f2", Lines: sc}, {Form: "f3", Lines: sv}}}
	}
	for _, c := range []struct {
		name string
		b    Ballot
		want string
	}{
		{name: "three names written in for two seats", b: fill(map[string][]string{"p1": {"+赵六", "+钱七", "+孙八"}}, nil, nil), want: "职位“副局长”最多另推2人"},
		{name: "a spelled name over the limit", b: fill(map[string][]string{"p1": {"+" + strings.Repeat("赵 ", 11)}}, nil, nil), want: "另推人选的姓名过长（不超过20字）"},
		{name: "two answers in one box", b: fill(nil, nil, map[string][]string{"q2": {"多听意见", "谢谢"}}), want: "“意见”只能填写一个回答"},
		{name: "one rating twice", b: fill(nil, nil, map[string][]string{"q1": {"7", "07"}}), want: "“打分”的评分7被重复选择"},
	} {
		_, err := p.Check(&c.b)
		if ErrorCode(err) != EINVALID || ErrorMessage(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	b := fill(map[string][]string{"p1": {"+赵 六", "c1"}}, map[string][]string{"s1": {" ０９２.５\u3000"}}, map[string][]string{"q1": {"+007", "10"}})
	if sp, err := p.Check(&b); err != nil || len(sp) != 1 {
		t.Fatalf("%+v %v", sp, err)
	}
	if got := fmt.Sprint(b.Forms[1].Lines["s1"], b.Forms[2].Lines["q1"], b.Forms[0].Lines["p1"]); got != "[92.5] [7 10] [+赵 六 c1]" {
		t.Errorf("kept as %s", got)
	}
	// An option that happens to start as a write-in does is no name: it is not bounded as one.
	long := "+" + strings.Repeat("加强培训", 6)
	q := pollWith(Form{Kind: KindSurvey, Title: "问卷", Survey: mustSurvey("[单选] 建议\n" + long + "\n维持现状")})
	opt := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"q1": {long}}}}}
	if _, err := q.Check(&opt); err != nil {
		t.Errorf("option %q: %v", long, err)
	}
	for in, want := range map[string]string{"  ": "", "092.0": "92", "+100": "100", "0": "0"} {
		b := fill(nil, map[string][]string{"s1": {in}}, nil)
		if _, err := p.Check(&b); err != nil || b.Forms[1].Lines["s1"][0] != want {
			t.Errorf("score %q kept as %q, %v", in, b.Forms[1].Lines["s1"][0], err)
		}
	}
}

// PlainSize of polls as they are run, beside a typical filled ballot (go test -v shows them).
func TestPlainSizeOfRealPolls(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewSource(2))
	names := func(prefix string, n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%s%02d", prefix, i+1))
		}
		return out
	}
	var subjects []Subject
	for _, n := range names("干部", 30) {
		subjects = append(subjects, Subject{Name: n, Post: "副局长"})
	}
	annual := pollWith(Form{Kind: KindEvaluation, Title: "年度考核民主测评表", Evaluation: &Evaluation{Subjects: subjects}})
	var positions []Position
	for i := range 3 {
		pos := Position{Title: fmt.Sprintf("职位%d", i+1), Seats: 2, WriteIns: true}
		for _, n := range names(fmt.Sprintf("候选%d-", i+1), 20) {
			pos.Candidates = append(pos.Candidates, Candidate{Name: n})
		}
		positions = append(positions, pos)
	}
	recommend := pollWith(Form{Kind: KindRecommendation, Title: "民主推荐表", Recommendation: &Recommendation{Positions: positions}})
	questionnaire := pollWith(Form{Kind: KindSurvey, Title: "满意度测评", Survey: mustSurvey(
		"[量表] 班子整体\n\n[量表] 选人用人\n\n[量表] 作风建设\n\n[量表] 廉洁自律\n\n[量表] 服务群众\n\n[填空 200] 意见\n\n[填空 200] 建议")})
	cjk := func(n int) string { return strings.Repeat("多听群众意见", n/6+1)[:3*n] }
	typical := map[string]Ballot{}
	{
		lines := map[string][]string{}
		for _, s := range annual.Forms[0].Evaluation.Subjects {
			lines[s.ID] = []string{[]string{"优秀", "称职", "称职", "基本称职"}[r.Intn(4)]}
		}
		typical["30-subject 年度考核"] = Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}}
	}
	{
		lines := map[string][]string{}
		for _, p := range recommend.Forms[0].Recommendation.Positions {
			lines[p.ID] = []string{p.Candidates[r.Intn(10)].ID, p.Candidates[10+r.Intn(10)].ID}
		}
		lines["p3"] = []string{lines["p3"][0], "+欧阳明"}
		typical["民主推荐 3×20 + write-ins"] = Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}}
	}
	typical["survey, 2 texts of 200"] = Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{
		"q1": {"满意"}, "q2": {"基本满意"}, "q3": {"满意"}, "q4": {"满意"}, "q5": {"不满意"}, "q6": {cjk(60)}, "q7": {cjk(30)}}}}}
	polls := map[string]*Poll{"30-subject 年度考核": annual, "民主推荐 3×20 + write-ins": recommend, "survey, 2 texts of 200": questionnaire}
	for name, p := range polls {
		b := typical[name]
		if _, err := p.Check(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain, _ := b.Encode()
		if len(plain) > p.PlainSize() {
			t.Fatalf("%s: %d over %d", name, len(plain), p.PlainSize())
		}
		t.Logf("%s: PlainSize %d bytes, a typical ballot %d bytes", name, p.PlainSize(), len(plain))
	}
}

// FuzzPlainSize: whatever ballot the door accepts, in either group, encodes within the
// poll's PlainSize.
func FuzzPlainSize(f *testing.F) {
	p := fuzzPoll()
	full := maximal(p, "")
	seed, _ := full.Encode()
	f.Add(seed, false)
	f.Add([]byte(`{"forms":[{"form":"f1","lines":{"s1":["优秀","称职"]}},{"form":"f2","lines":{"p1":["c1","c2","c3","+<&>","+\"\\"]}},{"form":"f3","lines":{"n1":null}},{"form":"f4","lines":{}},{"form":"f5","lines":{"s1":[" ０９９.５"]}},{"form":"f6","lines":{"q3":["+007","10"],"q4":["\u2028<<\r\n>>"]}}]}`), true)
	bound := p.PlainSize()
	f.Fuzz(func(t *testing.T, data []byte, otherGroup bool) {
		var b Ballot
		d := json.NewDecoder(bytes.NewReader(data))
		d.DisallowUnknownFields()
		if d.Decode(&b) != nil {
			return
		}
		group := "g1"
		if otherGroup {
			group = "g2"
		}
		if _, err := p.CheckGroup(group, &b); err != nil {
			return
		}
		plain, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) > bound {
			t.Fatalf("accepted, %d bytes over PlainSize %d: %s", len(plain), bound, plain)
		}
	})
}
