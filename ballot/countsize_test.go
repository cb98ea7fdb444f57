package ballot

import (
	"strings"
	"testing"
)

// writeInPoll is a recommendation of one position with write-ins in the given seats, for
// groups of the given 应到.
func writeInPoll(seats int, expected ...int) *Poll {
	p := &Poll{Title: "民主推荐", Quorum: DefaultQuorum, Tellers: []string{"甲", "乙"}, TellerQuorum: 2, Forms: []Form{{Kind: KindRecommendation, Title: "民主推荐表",
		Recommendation: &Recommendation{Positions: []Position{{Title: "副局长", Seats: seats, WriteIns: true, Candidates: []Candidate{{Name: "张三"}}}}}}}}
	for i, e := range expected {
		p.Groups = append(p.Groups, Group{Name: string(rune('甲' + i)), Expected: e})
	}
	p.Normalize()
	return p
}

// The biggest poll one count can decrypt is made; one 应到 more, and it is refused with
// the stable code and a message that says what to change. Rows count at their most: a
// poll of several groups gets the pooled row besides.
func TestCountSizeAtTheLimit(t *testing.T) {
	t.Parallel()
	for _, groups := range []int{1, 3} {
		probe := writeInPoll(10, make([]int, groups)...)
		rows := groups
		if groups > 1 {
			rows++
		}
		cells := probe.Layout().Cells
		// The most ballots whose texts fit beside the rows' cells, put in the first group.
		most := (MaxCountPoints - rows*cells) / 10
		sizes := make([]int, groups)
		for i := range sizes {
			sizes[i] = 1
		}
		sizes[0] = most - (groups - 1)
		p := writeInPoll(10, sizes...)
		if got := p.CountPoints(p.Expected()); got > MaxCountPoints || got+10 <= MaxCountPoints {
			t.Fatalf("%d groups: %d points with 应到 %d, not the biggest under %d", groups, got, p.Expected(), MaxCountPoints)
		}
		if err := p.ValidateNew(); err != nil {
			t.Fatalf("%d groups: the biggest poll that fits is refused: %v", groups, err)
		}
		sizes[0]++
		p = writeInPoll(10, sizes...)
		err := p.ValidateNew()
		if ErrorCode(err) != ETOOBIG || !strings.Contains(ErrorMessage(err), "每张选票有 10 处可填写文字") || !strings.Contains(ErrorMessage(err), "拆分") {
			t.Fatalf("%d groups: one 应到 more: %v", groups, err)
		}
	}
	// Without texts only the cells count: a 300-subject evaluation fits in 40 groups (41
	// rows of its cells), not in 50.
	subjects := make([]Subject, MaxSubjects)
	for i := range subjects {
		subjects[i] = Subject{Name: "干部" + string(rune('一'+i)), Post: "副局长"}
	}
	for groups, fits := range map[int]bool{40: true, MaxGroups: false} {
		p := &Poll{Title: "测评", Quorum: DefaultQuorum, Forms: []Form{{Kind: KindEvaluation, Title: "测评表", Evaluation: &Evaluation{Subjects: subjects}}}}
		for i := range groups {
			p.Groups = append(p.Groups, Group{Name: string(rune('甲' + i)), Expected: MaxExpected})
		}
		p.Normalize()
		err := p.ValidateNew()
		if fits && err != nil || !fits && (ErrorCode(err) != ETOOBIG || !strings.Contains(ErrorMessage(err), "请减少参评类别或选项")) {
			t.Fatalf("a 300-subject evaluation in %d groups: %d points: %v", groups, p.CountPoints(p.Expected()), err)
		}
	}
}

// The box can hold a ballot for every token issued, when more are issued than 应到.
func TestBallotsBound(t *testing.T) {
	t.Parallel()
	if n := BallotsBound(30, []Turnout{{Issued: 20}, {Issued: 5}}); n != 30 {
		t.Fatalf("fewer issued than 应到: %d", n)
	}
	if n := BallotsBound(30, []Turnout{{Issued: 20, Voided: 9}, {Issued: 15}}); n != 35 {
		t.Fatalf("more issued than 应到: %d", n)
	}
}
