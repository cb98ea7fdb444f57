package ballot

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// groupsPoll is a 民主测评 of one subject by the given groups (name and 应到 each), with
// weights when given.
func groupsPoll(weights []Ratio, groups ...Group) *Poll {
	for i := range groups {
		groups[i].ID = fmt.Sprintf("g%d", i+1)
		if weights != nil {
			w := weights[i]
			groups[i].Weight = &w
		}
	}
	p := &Poll{ID: "p", Title: "民主测评", Groups: groups,
		Forms: []Form{{Kind: KindEvaluation, Title: "测评表", Evaluation: &Evaluation{Subjects: []Subject{{Name: "甲"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return p
}

func rowNames(rg ResultGroups) string {
	var out []string
	for _, g := range rg.Groups {
		out = append(out, g.Name)
	}
	return strings.Join(out, "|")
}

// Which groups are pooled: those below the minimum; then, while the pool is still below
// it, the smallest of the others; and when nothing would stay apart, one row for all.
func TestResultGroupsChoice(t *testing.T) {
	t.Parallel()
	p := groupsPoll(nil, Group{Name: "上级领导", Expected: 3}, Group{Name: "班子成员", Expected: 4}, Group{Name: "中层干部", Expected: 8}, Group{Name: "职工代表", Expected: 40})
	other := MergedName(5)
	for _, c := range []struct {
		name    string
		ballots []int
		rows    string
		of      string
		added   string
	}{
		{"none small", []int{5, 5, 8, 40}, "上级领导|班子成员|中层干部|职工代表", "0 1 2 3", ""},
		{"two small make five", []int{1, 4, 8, 40}, "中层干部|职工代表|" + other, "2 2 0 1", ""},
		{"still below: the smallest other joins", []int{1, 2, 8, 40}, "职工代表|" + other, "1 1 1 0", "中层干部"},
		{"a tie: the later group joins", []int{1, 2, 8, 8}, "中层干部|" + other, "1 1 0 1", "职工代表"},
		{"nothing left apart: the total only", []int{1, 1, 2, 6}, AllMergedName(5), "0 0 0 0", "职工代表"},
		{"absent groups show nothing and stay apart", []int{0, 0, 8, 40}, "上级领导|班子成员|中层干部|职工代表", "0 1 2 3", ""},
		{"an absent group is not what the pool grows by", []int{1, 0, 8, 40}, "班子成员|职工代表|" + other, "2 0 2 1", "中层干部"},
	} {
		rg := p.ResultGroups(c.ballots)
		of := strings.Trim(fmt.Sprint(rg.Of), "[]")
		if rowNames(rg) != c.rows || of != c.of || strings.Join(rg.Added, "、") != c.added {
			t.Errorf("%s: rows %q of %s added %v, want %q %s %q", c.name, rowNames(rg), of, rg.Added, c.rows, c.of, c.added)
			continue
		}
		pooled := 0
		for i, n := range c.ballots {
			if rg.Of[i] == rg.Merged {
				pooled += n
			}
		}
		if rg.Merged >= 0 && pooled > 0 && pooled < 5 {
			t.Errorf("%s: the pooled row holds %d ballots", c.name, pooled)
		}
	}
	// One group alone is the total: nothing to pool, no note.
	one := groupsPoll(nil, Group{Name: "全体", Expected: 3})
	if rg := one.ResultGroups([]int{2}); rg.Merged != -1 || rowNames(rg) != "全体" || rg.Note(false) != "" {
		t.Errorf("one group: %q", rowNames(rg))
	}
	// The poll's own minimum (3) keeps a group of 4 apart, and a pool of 3 is enough.
	p.MinGroup = 3
	if rg := p.ResultGroups([]int{1, 2, 4, 40}); rowNames(rg) != "中层干部|职工代表|"+MergedName(3) || len(rg.Added) != 0 {
		t.Errorf("minimum 3: %q %v", rowNames(rg), rg.Added)
	}
	for _, bad := range []int{1, 2, -1} {
		p.MinGroup = bad
		if err := p.Validate(); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "不能少于3人") {
			t.Errorf("minimum %d: %v", bad, err)
		}
	}
}

// box of a 民主测评 with one subject: a ballot per mark, in the given group.
func marksIn(group string, marks ...string) []PlainBallot {
	var out []PlainBallot
	for _, m := range marks {
		out = append(out, PlainBallot{Group: group, Ballot: Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {m}}}}}})
	}
	return out
}

func turnoutOf(box []PlainBallot) []Turnout {
	used := map[string]int{}
	var order []string
	for _, b := range box {
		if used[b.Group] == 0 {
			order = append(order, b.Group)
		}
		used[b.Group]++
	}
	var out []Turnout
	for _, g := range order {
		out = append(out, Turnout{Group: g, Issued: used[g], Used: used[g]})
	}
	return out
}

// results is every number a tally publishes about marks, without the per-group turnout
// (public while voting runs): what anyone reading the outputs can combine.
func results(t *testing.T, tl *Tally) string {
	t.Helper()
	c := *tl
	c.Groups = nil
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// One 上级领导 and four 班子成员 are pooled into one row of five, and the only way their
// marks reach any output is through that row: the total minus the rows shown is the pooled
// row, and moving a mark from the 上级领导 to a 班子成员 changes no published number.
func TestSmallGroupsNeverIsolated(t *testing.T) {
	t.Parallel()
	p := groupsPoll(nil, Group{Name: "上级领导", Expected: 1}, Group{Name: "班子成员", Expected: 4}, Group{Name: "职工代表", Expected: 20})
	staff := marksIn("g3", "优秀", "优秀", "称职", "称职", "称职", "称职", "基本称职", "基本称职", "不称职", "优秀")
	box := append(append(marksIn("g1", "不称职"), marksIn("g2", "优秀", "优秀", "优秀", "优秀")...), staff...)
	tl := Count(p, turnoutOf(box), box)
	s := tl.Forms[0].Evaluation.Subjects[0]
	if len(tl.Results) != 2 || tl.Results[1].Name != "其他参评人员（不足5人，合并统计）" || strings.Join(tl.Results[1].Members, "、") != "上级领导、班子成员" || tl.Results[1].Ballots != 5 {
		t.Fatalf("result rows %+v", tl.Results)
	}
	for _, g := range s.ByGroup {
		if g.Group == "g1" || g.Group == "g2" {
			t.Fatalf("a small group's own row: %+v", s.ByGroup)
		}
	}
	// total − shown = the pooled row, holding five ballots.
	shown := s.ByGroup[0]
	for i, v := range s.Total.Votes {
		if v-shown.Votes[i] != s.ByGroup[1].Votes[i] {
			t.Fatalf("total − shown %v ≠ pooled %v", s.Total.Votes, s.ByGroup[1].Votes)
		}
	}
	if s.ByGroup[1].Votes[0] != 4 || s.ByGroup[1].Votes[3] != 1 || s.ByGroup[1].Valid != 5 {
		t.Fatalf("pooled row %+v", s.ByGroup[1])
	}
	if len(tl.Notes) == 0 || !strings.Contains(tl.Notes[0], "上级领导、班子成员投票不足5人") {
		t.Fatalf("notes %q", tl.Notes)
	}
	// The 上级领导's 不称职 and a 班子成员's 优秀 change places: nothing published may move.
	swapped := append(append(marksIn("g1", "优秀"), marksIn("g2", "优秀", "不称职", "优秀", "优秀")...), staff...)
	if a, b := results(t, tl), results(t, Count(p, turnoutOf(swapped), swapped)); a != b {
		t.Fatalf("which small group marked what shows in the results:\n%s\n%s", a, b)
	}
}

// Weights: the pooled row carries the sum of its groups' weights and its pooled rate; the
// weighted rate is computed from the result rows, with a note saying so, and depends on
// the pooled groups' marks only through the pooled row: weighted − unweighted isolates no
// small group either.
func TestWeightedSmallGroups(t *testing.T) {
	t.Parallel()
	p := groupsPoll([]Ratio{R(1, 5), R(3, 10), R(1, 2)}, Group{Name: "上级领导", Expected: 1}, Group{Name: "班子成员", Expected: 4}, Group{Name: "职工代表", Expected: 20})
	staff := marksIn("g3", "优秀", "称职", "称职", "不称职", "不称职", "不称职", "不称职", "基本称职", "基本称职", "基本称职")
	box := append(append(marksIn("g1", "优秀"), marksIn("g2", "优秀", "称职", "不称职", "不称职")...), staff...)
	tl := Count(p, turnoutOf(box), box)
	s := tl.Forms[0].Evaluation.Subjects[0]
	w := s.Weighted
	if w == nil || len(w.Groups) != 2 || w.Groups[1].Group != MergedGroup || w.Groups[1].Weight != R(1, 2) {
		t.Fatalf("weights %+v", w)
	}
	// 1/2 × 3/5 (pooled: 3 good of 5) + 1/2 × 3/10 = 9/20; the rule's own groups would
	// give 1/5 × 1 + 3/10 × 1/2 + 1/2 × 3/10 = 1/2.
	if w.Good != R(9, 20) {
		t.Fatalf("weighted good %v", w.Good)
	}
	note := strings.Join(tl.Notes, "\n")
	if !strings.Contains(note, "上级领导、班子成员投票不足5人") || !strings.Contains(note, "加权结果按合并后的类别计算") {
		t.Fatalf("notes %q", tl.Notes)
	}
	// Moving marks between 上级领导 and 班子成员 moves neither the weighted nor the plain rates.
	swapped := append(append(marksIn("g1", "不称职"), marksIn("g2", "优秀", "称职", "优秀", "不称职")...), staff...)
	other := Count(p, turnoutOf(swapped), swapped)
	if a, b := results(t, tl), results(t, other); a != b {
		t.Fatalf("a small group's marks show through the weights:\n%s\n%s", a, b)
	}
}

// A certified bundle: the pooled groups' ballots carry the pooled row's label only; the
// recount decides the pooling again from the turnout and agrees; a mark changed on a
// pooled ballot fails it. 工作互评 keeps checking each ballot against its own unit.
func TestBundlePoolsSmallGroups(t *testing.T) {
	t.Parallel()
	p := &Poll{ID: "p", Title: "工作互评", Groups: []Group{
		{ID: "a", Name: "办公室", Unit: "办公室", Expected: 2}, {ID: "b", Name: "财务科", Unit: "财务科", Expected: 3}, {ID: "c", Name: "业务科", Unit: "业务科", Expected: 9}},
		Forms: []Form{{Kind: KindEvaluation, Title: "互评表", Evaluation: &Evaluation{Grades: TeamGrades(), Subjects: []Subject{{Name: "办公室", Unit: "办公室"}, {Name: "财务科", Unit: "财务科"}, {Name: "业务科", Unit: "业务科"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	mark := func(group string, n int, lines map[string][]string) []PlainBallot {
		return many(n, PlainBallot{Group: group, Ballot: Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}}})
	}
	box := append(append(mark("a", 2, map[string][]string{"s2": {"差"}, "s3": {"好"}}), mark("b", 3, map[string][]string{"s1": {"好"}, "s3": {"较好"}})...),
		mark("c", 9, map[string][]string{"s1": {"一般"}, "s2": {"好"}})...)
	turnout := turnoutOf(box)
	var sealed [][]byte
	for i := range box {
		sealed = append(sealed, []byte(fmt.Sprint("sealed", i)))
	}
	tl := Count(p, turnout, box)
	if len(tl.Results) != 2 || tl.Results[1].Ballots != 5 {
		t.Fatalf("result rows %+v", tl.Results)
	}
	// 办公室's own subject counts only 财务科's three, inside the pooled row.
	if s1 := tl.Forms[0].Evaluation.Subjects[0]; s1.ByGroup[1].Valid != 3 || s1.ByGroup[0].Valid != 9 {
		t.Fatalf("own unit: %+v", s1.ByGroup)
	}
	b, err := NewBundle(p, turnout, sealed, box, tl, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if b.Version != "minyi-tally/3" {
		t.Fatalf("version %s", b.Version)
	}
	pooled := 0
	for _, bb := range b.Ballots {
		if bb.Group == "a" || bb.Group == "b" {
			t.Fatalf("a pooled group's ballot names its group: %+v", bb)
		}
		if bb.Group == MergedGroup {
			pooled++
			if bb.Unit == "" {
				t.Fatalf("a pooled ballot without its unit: %+v", bb)
			}
		}
	}
	if pooled != 5 {
		t.Fatalf("%d pooled ballots", pooled)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	pub := key.Public().(ed25519.PublicKey)
	signed, _ := Sign(b, key)
	if checks, _ := Verify(signed, pub); !Verified(checks) {
		t.Fatalf("the bundle fails: %s %+v", failed(checks), checks)
	}
	// Change one pooled ballot's mark: the recount disagrees.
	for i := range b.Ballots {
		if b.Ballots[i].Group == MergedGroup && b.Ballots[i].Unit == "财务科" {
			b.Ballots[i].Ballot.Forms[0].Lines["s1"] = []string{"差"}
			break
		}
	}
	signed, _ = Sign(b, key)
	if checks, _ := Verify(signed, pub); Verified(checks) || failed(checks) != CheckRecount {
		t.Fatalf("a changed pooled ballot: %s", failed(checks))
	}
}

// A version 2 bundle was counted group by group, a group of one included: it is recounted
// so, and still compared in full, its conclusions too.
func TestVersion2BundleRecountedByGroup(t *testing.T) {
	t.Parallel()
	p := groupsPoll(nil, Group{Name: "上级领导", Expected: 1}, Group{Name: "职工代表", Expected: 9})
	box := append(marksIn("g1", "不称职"), marksIn("g2", "优秀", "称职", "不称职", "不称职", "不称职", "称职", "基本称职", "基本称职", "优秀")...)
	turnout := turnoutOf(box)
	var sealed [][]byte
	for i := range box {
		sealed = append(sealed, []byte(fmt.Sprint("sealed", i)))
	}
	_, key, _ := ed25519.GenerateKey(nil)
	pub := key.Public().(ed25519.PublicKey)
	sign := func(edit func(*Tally)) *Signed {
		tl := count(p, turnout, box, false, nil)
		tl.Rules = 2
		b, err := NewBundle(p, turnout, sealed, box, tl, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b.Version = "minyi-tally/2"
		edit(b.Tally)
		s, _ := Sign(b, key)
		return s
	}
	checks, b := Verify(sign(func(*Tally) {}), pub)
	if !Verified(checks) {
		t.Fatalf("a version 2 bundle fails: %s %+v", failed(checks), checks)
	}
	if b.Ballots[0].Group == MergedGroup || len(b.Tally.Results) != 0 {
		t.Fatal("a version 2 bundle pooled")
	}
	if checks, _ := Verify(sign(func(tl *Tally) { tl.Forms[0].Evaluation.Subjects[0].Flags = nil }), pub); Verified(checks) {
		t.Fatal("a version 2 bundle with its flags taken out verifies")
	}
}

// The pooling goes by the ballots in the box, not the tokens used: four 班子成员 who voted
// on paper whose ballots are not entered leave one ballot of the group in the box, and it
// is pooled. The bundle's recount decides the same.
func TestPoolingCountsBallotsInTheBox(t *testing.T) {
	t.Parallel()
	p := groupsPoll(nil, Group{Name: "班子成员", Expected: 5}, Group{Name: "中层干部", Expected: 10}, Group{Name: "职工代表", Expected: 12})
	box := append(append(marksIn("g1", "不称职"), marksIn("g2", "优秀", "优秀", "优秀", "优秀", "优秀", "称职", "称职", "称职", "称职", "称职")...),
		marksIn("g3", "称职", "称职", "称职", "称职", "称职", "称职", "称职", "称职", "称职", "称职", "称职", "称职")...)
	turnout := turnoutOf(box)
	turnout[0].Used, turnout[0].Paper = 5, 4
	tl := Count(p, turnout, box)
	if rows := tl.ResultRows(); len(rows) != 2 || rows[0].Name != "职工代表" || strings.Join(rows[1].Members, "、") != "班子成员、中层干部" || rows[1].Ballots != 11 {
		t.Fatalf("result rows %+v", rows)
	}
	var sealed [][]byte
	for i := range box {
		sealed = append(sealed, []byte(fmt.Sprint("sealed", i)))
	}
	b, err := NewBundle(p, turnout, sealed, box, tl, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	signed, _ := Sign(b, key)
	checks, _ := Verify(signed, key.Public().(ed25519.PublicKey))
	for _, c := range checks {
		// The box holds 4 ballots fewer than the tokens used: that check fails, as it should.
		if !c.OK && c.Name != "选票数 = 已用凭证数" {
			t.Errorf("%s fails: %s", c.Name, c.Note)
		}
	}
}
