package ballot

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"minyi/survey"
)

// cellGroups are voter groups of every sort: a unit's own voters (工作互评), two groups
// of no unit, and two that are small enough to be pooled on most boxes.
func cellGroups(weighted bool) []Group {
	gs := []Group{
		{ID: "g1", Name: "办公室职工", Expected: 30, Unit: "办公室"},
		{ID: "g2", Name: "中层干部", Expected: 30},
		{ID: "g3", Name: "服务对象", Expected: 20},
		{ID: "g4", Name: "上级领导", Expected: 3},
		{ID: "g5", Name: "退休干部", Expected: 4, Unit: "后勤中心"},
	}
	if weighted {
		for i, w := range []Ratio{R(3, 10), R(3, 10), R(1, 5), R(1, 10), R(1, 10)} {
			gs[i].Weight = &w
		}
	}
	return gs
}

func cellPoll(t testing.TB, weighted bool, forms ...Form) *Poll {
	t.Helper()
	p := &Poll{ID: "p", Title: "年度考核", Groups: cellGroups(weighted), Forms: forms}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func evaluationCells() Form {
	return Form{Kind: KindEvaluation, Title: "民主测评表", Evaluation: &Evaluation{
		Subjects: []Subject{{Name: "甲", Post: "主任", Unit: "办公室"}, {Name: "乙", Post: "副主任"},
			{Name: "丙", Post: "主任", Unit: "后勤中心"}, {Name: "丁", Post: "科长"}},
		Indicators: []Indicator{{Name: "德", Max: 40}, {Name: "能", Max: 60}},
		Points:     DefaultPoints(), Probation: true}}
}

func teamEvaluationCells() Form {
	return Form{Kind: KindEvaluation, Title: "班子测评", Evaluation: &Evaluation{Grades: TeamGrades(),
		Subjects: []Subject{{Name: "领导班子"}, {Name: "办公室班子", Unit: "办公室"}}, Points: DefaultPoints()}}
}

func markCells() Form {
	return Form{Kind: KindRecommendation, Title: "民主推荐表", Recommendation: &Recommendation{Positions: []Position{
		{Title: "副局长", Seats: 2, WriteIns: true, Candidates: []Candidate{{Name: "张三"}, {Name: "李四"}, {Name: "王五"}}},
		{Title: "主任", Seats: 1, Candidates: []Candidate{{Name: "赵六"}, {Name: "钱七"}}},
	}}}
}

func perCandidateCells() Form {
	return Form{Kind: KindRecommendation, Title: "推荐表（逐人表态）", Recommendation: &Recommendation{Shape: ShapePerCandidate, Positions: []Position{
		{Title: "处长", Seats: 2, WriteIns: true, Candidates: []Candidate{{Name: "张三"}, {Name: "李四"}, {Name: "王五"}}},
		{Title: "科长", Seats: 1, Candidates: []Candidate{{Name: "孙八"}}},
	}}}
}

func approvalCells(seats int) Form {
	return Form{Kind: KindApproval, Title: "票决表", Approval: &Approval{Seats: seats,
		Nominees: []Candidate{{Name: "周一"}, {Name: "吴二"}, {Name: "郑三"}}}}
}

func reviewCells() Form {
	return Form{Kind: KindReview, Title: "一报告两评议", Review: &Review{Overall: "选人用人工作总体评价",
		Cadres: []Subject{{Name: "冯四", Post: "科长"}, {Name: "陈五", Post: "副科长"}}}}
}

func scoringCells(indicators bool, step ...int) Form {
	s := &Scoring{Subjects: []Subject{{Name: "甲"}, {Name: "乙"}, {Name: "丙"}}, Max: 20}
	if len(step) > 0 {
		s.Step = step[0]
	}
	if indicators {
		s.Indicators = []Indicator{{Name: "德", Max: 4}, {Name: "能", Max: 6}}
	}
	return Form{Kind: KindScoring, Title: "述职述廉测评", Scoring: s}
}

func surveyCells(t testing.TB) Form {
	q, err := survey.FromText("[单选] 总体评价\n好\n较好\n一般\n差\n\n[多选 1-2] 改进\n程序\n考察\n监督\n\n[量表] 满意度\n\n[评分] 打分\n\n[填空 30] 意见")
	if err != nil {
		t.Fatal(err)
	}
	q.Questions = append(q.Questions, survey.Question{ID: "m", Kind: survey.Matrix, Title: "德能勤绩", Rows: []string{"德", "能"}})
	return Form{Kind: KindSurvey, Title: "满意度问卷", Survey: &Survey{Questionnaire: q}}
}

// some picks up to n distinct items of list, n itself drawn at random.
func some(rng *rand.Rand, list []string, n int) []string {
	k := rng.IntN(n + 1)
	perm := rng.Perm(len(list))
	var out []string
	for _, i := range perm[:min(k, len(list))] {
		out = append(out, list[i])
	}
	return out
}

// line is what a voter or a paper ballot puts on a line: mostly one option, sometimes
// none, sometimes two (a paper ballot).
func line(rng *rand.Rand, options []string) []string {
	switch x := rng.IntN(10); {
	case x == 0:
		return nil
	case x == 1:
		return some(rng, options, 2)
	default:
		return []string{options[rng.IntN(len(options))]}
	}
}

// writeIns are names voters write in: new people, a listed one spelled otherwise, the
// same person spelled two ways.
var writeIns = []string{"+孙 七", "+孙七", "+张 三", "+ＡＢ", "+周\u200b九", "+李四"}

// randomForm fills a form at random, as voters on phones and paper ballots do.
func randomForm(rng *rand.Rand, f *Form, own string) map[string][]string {
	lines := map[string][]string{}
	put := func(k string, v []string) {
		if len(v) > 0 {
			lines[k] = v
		}
	}
	switch {
	case f.Evaluation != nil:
		e := f.Evaluation
		var grades []string
		for _, g := range e.Grades {
			grades = append(grades, g.Label)
		}
		for _, s := range e.Subjects {
			if s.ownUnit(own) {
				continue
			}
			put(s.ID, line(rng, grades))
			for _, x := range e.Indicators {
				put(indicatorLine(s.ID, x.ID), line(rng, grades))
			}
		}
	case f.Recommendation != nil:
		r := f.Recommendation
		for _, p := range r.Positions {
			var ids []string
			for _, c := range p.Candidates {
				ids = append(ids, c.ID)
			}
			var pos []string
			if r.Shape == ShapeMark {
				pos = some(rng, ids, p.Seats+1)
			} else {
				for _, c := range p.Candidates {
					v := line(rng, AgreeOptions)
					if rng.IntN(3) == 0 {
						v = nil
					}
					if p.WriteIns && rng.IntN(8) == 0 && !slices.Contains(v, Agree) {
						v = append(v, writeIns[rng.IntN(len(writeIns))])
					}
					put(p.ID+"/"+c.ID, v)
				}
			}
			if p.WriteIns && rng.IntN(3) == 0 {
				pos = append(pos, some(rng, writeIns, 2)...)
			}
			put(p.ID, pos)
		}
	case f.Approval != nil:
		for _, n := range f.Approval.Nominees {
			put(n.ID, line(rng, AgreeOptions))
		}
	case f.Review != nil:
		put(OverallLine, line(rng, OverallOptions))
		for _, c := range f.Review.Cadres {
			put(c.ID, line(rng, CadreOptions))
		}
	case f.Scoring != nil:
		s := f.Scoring
		score := func(full int) []string {
			switch rng.IntN(8) {
			case 0:
				return nil
			case 1:
				return []string{""}
			case 2:
				return []string{formatScore(rng.IntN(full*10 + 1))}
			}
			return []string{formatScore(10 * (full*2/3 + rng.IntN(full/3+1)))}
		}
		for _, x := range s.Subjects {
			if len(s.Indicators) == 0 {
				put(x.ID, score(s.Max))
			}
			for _, i := range s.Indicators {
				put(s.lineKey(x.ID, i.ID), score(i.Max))
			}
		}
	case f.Survey != nil:
		for _, q := range f.Survey.Questions {
			switch q.Kind {
			case survey.Matrix:
				for r := range q.Rows {
					put(survey.RowKey(q.ID, r), line(rng, q.Options))
				}
			case survey.Multiple:
				put(q.ID, some(rng, q.Options, len(q.Options)))
			case survey.Rating:
				put(q.ID, line(rng, ratingMarks))
			case survey.Text:
				texts := []string{"多听群众意见", "  加强 监督  ", "", "无", "好\n很好"}
				put(q.ID, []string{texts[rng.IntN(len(texts))]})
			default:
				put(q.ID, line(rng, q.Options))
			}
		}
	}
	return lines
}

// randomBox is a box of ballots cast in the poll's groups, small groups often under the
// minimum, with a few ballots that do not open.
func randomBox(rng *rand.Rand, p *Poll) []PlainBallot {
	var box []PlainBallot
	for _, g := range p.Groups {
		n := rng.IntN(g.Expected + 1)
		if g.Expected < DefaultMinGroup && rng.IntN(3) == 0 {
			n = 0 // no small group to pool, now and then
		}
		for range n {
			var b Ballot
			for i := range p.Forms {
				b.Forms = append(b.Forms, FilledForm{Form: p.Forms[i].ID, Lines: randomForm(rng, &p.Forms[i], g.Unit)})
			}
			box = append(box, PlainBallot{Group: g.ID, Ballot: b, Broken: rng.IntN(40) == 0})
		}
	}
	rng.Shuffle(len(box), func(i, j int) { box[i], box[j] = box[j], box[i] })
	return box
}

// bySums counts a box as the sealed box will be: each ballot through the door (Marks),
// its cells added into its result row, its texts apart and shuffled.
func bySums(t *testing.T, rng *rand.Rand, p *Poll, turnout []Turnout, box []PlainBallot) *Tally {
	t.Helper()
	sizes := make([]int, len(p.Groups))
	for _, pb := range box {
		for i, g := range p.Groups {
			if g.ID == pb.Group {
				sizes[i]++
			}
		}
	}
	rows := p.SumRows(sizes)
	cells := p.Layout().Cells
	sums := make([][]int, rows.Rows)
	for i := range sums {
		sums[i] = make([]int, cells)
	}
	var texts []Text
	rejected := 0
	for _, pb := range box {
		if pb.Broken {
			rejected++
			continue
		}
		c, tx, err := p.Marks(pb.Group, &pb.Ballot)
		if p.unreadable(pb) != (err != nil) {
			t.Fatalf("the door and the count disagree on a ballot: Marks says %v", err)
		}
		if err != nil {
			rejected++
			continue
		}
		AddCells(sums[rows.Of[pb.Group]], c)
		texts = append(texts, tx...)
		for _, s := range p.TextSlots() { // fillers, as a sealer pads each ballot's texts
			texts = append(texts, Text{Form: s.Form, Line: s.Line})
		}
	}
	if err := p.CheckSums(sizes, sums); err != nil {
		t.Fatal(err)
	}
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	return CountSums(p, turnout, sizes, sums, texts, rejected)
}

// comparable is a tally as JSON, without what only a plain count can say: the places of
// the ballots that did not open, and the notes naming them.
func comparable(t *testing.T, tl *Tally) any {
	t.Helper()
	c := *tl
	c.Unreadable = nil
	c.Notes = slices.DeleteFunc(slices.Clone(c.Notes), func(n string) bool { return strings.Contains(n, unreadableNote) })
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameCount counts random boxes both ways and wants the same tally.
func sameCount(t *testing.T, p *Poll, boxes int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, uint64(len(p.Forms))))
	pooled, done := 0, 0
	for i := range boxes {
		// Under the race detector the sums' workers are what is checked: a few boxes
		// that show both cases are enough, the pass without -race counts them all.
		if raceDetector && i >= 4 && pooled > 0 && pooled < i {
			break
		}
		done++
		box := randomBox(rng, p)
		turnout := turnoutOf(box)
		plain := Count(p, turnout, box)
		sums := bySums(t, rng, p, turnout, box)
		if plain.Results != nil {
			pooled++
		}
		if plain.Rejected != sums.Rejected {
			t.Fatalf("box %d: %d ballots rejected by the count, %d by the sums", i, plain.Rejected, sums.Rejected)
		}
		a, b := comparable(t, plain), comparable(t, sums)
		if !reflect.DeepEqual(a, b) {
			pa, _ := json.MarshalIndent(a, "", " ")
			pb, _ := json.MarshalIndent(b, "", " ")
			t.Fatalf("box %d of %d ballots: the tally from sums differs from the count\n%s", i, len(box), firstDiff(string(pa), string(pb)))
		}
	}
	if pooled == 0 || pooled == done {
		t.Fatalf("%d of %d boxes pooled small groups: both cases should be seen", pooled, done)
	}
}

// firstDiff shows where two texts part, with some lines around.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			lo, hi := max(0, i-6), min(i+3, len(la), len(lb))
			return fmt.Sprintf("count:\n%s\nsums:\n%s", strings.Join(la[lo:hi], "\n"), strings.Join(lb[lo:hi], "\n"))
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(la), len(lb))
}

func TestSumsCountEvaluation(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, false, evaluationCells()), 30)
	sameCount(t, cellPoll(t, true, evaluationCells(), teamEvaluationCells()), 30)
}

func TestSumsCountApproval(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, false, approvalCells(0)), 30)
	sameCount(t, cellPoll(t, false, approvalCells(1), approvalCells(2)), 30)
}

func TestSumsCountRecommendation(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, false, markCells()), 30)
	sameCount(t, cellPoll(t, false, perCandidateCells()), 30)
}

func TestSumsCountReview(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, false, reviewCells()), 30)
}

func TestSumsCountScoring(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, true, scoringCells(false)), 30)
	sameCount(t, cellPoll(t, false, scoringCells(true)), 30)
	sameCount(t, cellPoll(t, false, scoringCells(false, 5)), 30)
	sameCount(t, cellPoll(t, true, scoringCells(true, 10)), 30)
}

// A form scored in whole points refuses a decimal at the door, and its ballot holds a
// cell per whole point.
func TestScoringStep(t *testing.T) {
	t.Parallel()
	p := cellPoll(t, false, scoringCells(false, 10))
	b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {"15.5"}}}}}
	if _, err := p.Check(&b); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "应为1分的整数倍") {
		t.Fatalf("15.5 on a form of whole points: %v", err)
	}
	b.Forms[0].Lines["s1"] = []string{"15"}
	cells, _, err := p.Marks("g2", &b)
	if err != nil {
		t.Fatal(err)
	}
	l := p.Layout().Lines[1]
	if len(l.Labels) != 22 || l.Labels[15] != "15" || cells[l.Offset+15] != 1 {
		t.Fatalf("line %v, cells %v", l, cells[l.Offset:l.Offset+len(l.Labels)])
	}
	q := &Poll{Title: "打分", Groups: cellGroups(false), Forms: []Form{scoringCells(false, 3)}}
	q.Normalize()
	if err := q.Validate(); ErrorCode(err) != EINVALID || !chinese(ErrorMessage(err)) {
		t.Fatalf("a step of 0.3 points: %v", err)
	}
}

func TestSumsCountSurvey(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, false, surveyCells(t)), 30)
}

// A poll of every kind at once, weighted, with units and small groups.
func TestSumsCountMixed(t *testing.T) {
	t.Parallel()
	sameCount(t, cellPoll(t, true, evaluationCells(), markCells(), approvalCells(1), reviewCells(),
		scoringCells(true), surveyCells(t), perCandidateCells(), teamEvaluationCells()), 30)
}

// FuzzMarks: any ballot the door accepts in any group becomes cells, one per cell of the
// layout, each 0 or 1, every line within its limit (Σ options + limit·invalid ≤ limit,
// so a line is either invalid or marked), and texts no longer than their sealed size.
func FuzzMarks(f *testing.F) {
	p := cellPoll(&testing.T{}, true, evaluationCells(), markCells(), approvalCells(1), reviewCells(),
		scoringCells(true), surveyCells(&testing.T{}), perCandidateCells(), teamEvaluationCells())
	rng := rand.New(rand.NewPCG(7, 7))
	for i, pb := range randomBox(rng, p)[:40] {
		raw, err := json.Marshal(pb.Ballot)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, uint8(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, g uint8) {
		var b Ballot
		if json.Unmarshal(data, &b) != nil {
			return
		}
		group := p.Groups[int(g)%len(p.Groups)].ID
		if _, err := p.CheckGroup(group, &b); err != nil {
			return
		}
		cells, texts, err := p.Marks(group, &b)
		if err != nil {
			t.Fatalf("the door took the ballot, Marks refused it: %v", err)
		}
		l := p.Layout()
		if len(cells) != l.Cells {
			t.Fatalf("%d cells, the layout has %d", len(cells), l.Cells)
		}
		for _, line := range l.Lines {
			marks := 0
			for k := range len(line.Labels) - 1 {
				marks += int(cells[line.Offset+k])
			}
			inv := int(cells[line.Invalid()])
			for k := range line.Labels {
				if c := cells[line.Offset+k]; c > 1 {
					t.Fatalf("%v: cell %d is %d", line, k, c)
				}
			}
			if marks+line.Limit*inv > line.Limit {
				t.Fatalf("%v: %d marks and invalid %d, over the limit", line, marks, inv)
			}
		}
		if cells[l.Lines[0].Offset] != 1 {
			t.Fatal("the ballot's own cell is not set")
		}
		slots := map[string]TextSlot{}
		for _, s := range p.TextSlots() {
			slots[lineKey(s.Form, s.Line)] = s
		}
		used := map[string]int{}
		for _, tx := range texts {
			s := slots[lineKey(tx.Form, tx.Line)]
			if used[lineKey(tx.Form, tx.Line)]++; len(tx.Text) > s.Size || tx.Text == "" || used[lineKey(tx.Form, tx.Line)] > s.Count {
				t.Fatalf("text %+v: %d bytes, the %dth of its line, which takes %d of %d bytes", tx, len(tx.Text), used[lineKey(tx.Form, tx.Line)], s.Count, s.Size)
			}
			if tx.Group != group && tx.Group != "" {
				t.Fatalf("text %+v of a ballot of %s", tx, group)
			}
		}
	})
}

// The texts come out of the door as the counter reads them: write-ins in the voter's
// spelling (a listed name's spelling too, its vote being the candidate's cell), free
// answers trimmed; nothing from a position over its seats.
func TestMarksTexts(t *testing.T) {
	t.Parallel()
	p := cellPoll(t, false, markCells(), surveyCells(t))
	b := Ballot{Forms: []FilledForm{
		{Form: "f1", Lines: map[string][]string{"p1": {"+张 三", "+孙\u200b七"}, "p2": {"c1", "c2"}}},
		{Form: "f2", Lines: map[string][]string{"q5": {"  多听 意见 "}}},
	}}
	cells, texts, err := p.Marks("g2", &b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Text{{Form: "f1", Line: "p1", Group: "g2", Text: "张 三"}, {Form: "f1", Line: "p1", Group: "g2", Text: "孙七"},
		{Form: "f2", Line: "q5", Text: "多听 意见"}}
	if !reflect.DeepEqual(texts, want) {
		t.Fatalf("texts %+v, want %+v", texts, want)
	}
	l, index := p.layout()
	p1, p2 := l.Lines[index[lineKey("f1", "p1")]], l.Lines[index[lineKey("f1", "p2")]]
	if got := cells[p1.Offset : p1.Offset+len(p1.Labels)]; !reflect.DeepEqual(got, []uint8{1, 0, 0, 0, 0}) {
		t.Fatalf("副局长 cells %v (张三 written in counts as 张三, nothing else)", got)
	}
	if got := cells[p2.Offset : p2.Offset+len(p2.Labels)]; !reflect.DeepEqual(got, []uint8{0, 0, 0, 1}) {
		t.Fatalf("主任 over its seats: cells %v, want only the invalid cell", got)
	}
	if _, _, err := p.Marks("nobody", &b); ErrorCode(err) != EINVALID {
		t.Fatalf("a ballot of no group of the poll: %v", err)
	}
	b.Forms[0].Lines["p3"] = []string{"c1"}
	if _, _, err := p.Marks("g2", &b); ErrorCode(err) != EINVALID || !chinese(ErrorMessage(err)) {
		t.Fatalf("a line the form does not have: %v", err)
	}
}

// The cells of typical polls: every ballot holds this many ciphertexts.
func ExamplePoll_Layout() {
	subjects := func(n int) []Subject {
		out := make([]Subject, n)
		for i := range out {
			out[i] = Subject{Name: fmt.Sprintf("干部%d", i+1)}
		}
		return out
	}
	positions := func(n, candidates int) []Position {
		out := make([]Position, n)
		for i := range out {
			out[i] = Position{Title: fmt.Sprintf("职位%d", i+1), Seats: 1}
			for j := range candidates {
				out[i].Candidates = append(out[i].Candidates, Candidate{Name: fmt.Sprintf("人选%d-%d", i+1, j+1)})
			}
		}
		return out
	}
	for _, c := range []struct {
		name string
		form Form
	}{
		{"民主测评 6人 4个等次", Form{Kind: KindEvaluation, Evaluation: &Evaluation{Subjects: subjects(6)}}},
		{"民主测评 30人 4个等次", Form{Kind: KindEvaluation, Evaluation: &Evaluation{Subjects: subjects(30)}}},
		{"民主推荐 3个职位 各10人", Form{Kind: KindRecommendation, Recommendation: &Recommendation{Positions: positions(3, 10)}}},
		{"打分 10人 满分100", Form{Kind: KindScoring, Scoring: &Scoring{Subjects: subjects(10), Step: 1}}},
		{"打分 10人 满分100 整数分", Form{Kind: KindScoring, Scoring: &Scoring{Subjects: subjects(10), Step: 10}}},
	} {
		p := &Poll{Title: "考核", Groups: []Group{{Name: "全体", Expected: 50}}, Forms: []Form{c.form}}
		p.Normalize()
		if err := p.Validate(); err != nil {
			panic(err)
		}
		l := p.Layout()
		fmt.Printf("%s: %d lines, %d cells\n", c.name, len(l.Lines), l.Cells)
	}
	// Output:
	// 民主测评 6人 4个等次: 7 lines, 32 cells
	// 民主测评 30人 4个等次: 31 lines, 152 cells
	// 民主推荐 3个职位 各10人: 4 lines, 38 cells
	// 打分 10人 满分100: 11 lines, 10022 cells
	// 打分 10人 满分100 整数分: 11 lines, 1022 cells
}

// Sums no box of the poll could make are refused before they are counted.
func TestCheckSumsRefuses(t *testing.T) {
	t.Parallel()
	p := cellPoll(t, false, evaluationCells(), approvalCells(1))
	rng := rand.New(rand.NewPCG(3, 3))
	box := randomBox(rng, p)
	sizes := make([]int, len(p.Groups))
	for _, pb := range box {
		for i, g := range p.Groups {
			if g.ID == pb.Group {
				sizes[i]++
			}
		}
	}
	rows := p.SumRows(sizes)
	l := p.Layout()
	sums := make([][]int, rows.Rows)
	for i := range sums {
		sums[i] = make([]int, l.Cells)
	}
	for _, pb := range box {
		if c, _, err := p.Marks(pb.Group, &pb.Ballot); err == nil {
			AddCells(sums[rows.Of[pb.Group]], c)
		}
	}
	if err := p.CheckSums(sizes, sums); err != nil {
		t.Fatalf("the sums of the box itself: %v", err)
	}
	line := l.Lines[1]
	for name, broken := range map[string]func([][]int) [][]int{
		"a row missing":      func(s [][]int) [][]int { return s[1:] },
		"a cell missing":     func(s [][]int) [][]int { s[0] = s[0][1:]; return s },
		"a negative sum":     func(s [][]int) [][]int { s[0][line.Offset] = -1; return s },
		"more ballots":       func(s [][]int) [][]int { s[0][0] += 1000; return s },
		"marks over a limit": func(s [][]int) [][]int { s[0][line.Offset] += s[0][0] + 1; return s },
	} {
		c := make([][]int, len(sums))
		for i := range sums {
			c[i] = slices.Clone(sums[i])
		}
		if err := p.CheckSums(sizes, broken(c)); ErrorCode(err) != EINVALID || !chinese(ErrorMessage(err)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Marks is what the server runs on every vote, CountSums once per count.
func BenchmarkMarks(b *testing.B) {
	p := cellPoll(&testing.T{}, true, evaluationCells(), markCells(), approvalCells(1), reviewCells(),
		scoringCells(true), surveyCells(&testing.T{}), perCandidateCells(), teamEvaluationCells())
	var ballots []PlainBallot
	for _, pb := range randomBox(rand.New(rand.NewPCG(5, 5)), p) {
		if _, _, err := p.Marks(pb.Group, &pb.Ballot); err == nil {
			ballots = append(ballots, pb)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		pb := ballots[i%len(ballots)]
		if _, _, err := p.Marks(pb.Group, &pb.Ballot); err != nil {
			b.Fatal(err)
		}
	}
}

// A text the poll has no place for is not counted and the tally says so; a filler is
// passed over in silence.
func TestCountSumsStrayText(t *testing.T) {
	t.Parallel()
	p := cellPoll(t, false, markCells())
	b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {"+孙七"}}}}}
	cells, texts, err := p.Marks("g2", &b)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1, 0, 0, 0}
	rows := make([][]int, p.SumRows(sizes).Rows)
	for i := range rows {
		rows[i] = make([]int, len(cells))
	}
	AddCells(rows[p.SumRows(sizes).Of["g2"]], cells)
	turnout := []Turnout{{Group: "g2", Issued: 1, Used: 1}}
	texts = append(texts, Text{Form: "f1", Line: "p1"}, Text{Form: "f9", Line: "p1", Group: "g2", Text: "钱八"},
		Text{Form: "f1", Line: "p1", Group: "g9", Text: "钱八"})
	tl := CountSums(p, turnout, sizes, rows, texts, 0)
	cands := tl.Forms[0].Recommendation.Positions[0].Candidates
	if last := cands[len(cands)-1]; !last.WriteIn || last.Name != "孙七" || last.Votes.Total != 1 || len(cands) != 4 {
		t.Fatalf("candidates %+v", cands)
	}
	if !slices.ContainsFunc(tl.Notes, func(n string) bool { return strings.Contains(n, "有 2 条另推人选或文字回答无法对应") }) {
		t.Fatalf("notes %q", tl.Notes)
	}
}
