package records

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
)

func TestCadresFromRows(t *testing.T) {
	cs, err := CadresFromRows([][]string{{"姓名", "性别", "出生年份", "现任职务"}, {"张 三", "男", "1975", "局长"}, {"李四", "女", "1980年", ""}})
	if err != nil || len(cs) != 2 || cs[0].Name != "张三" || cs[1].BirthYear != 1980 {
		t.Fatalf("%+v %v", cs, err)
	}
	for rows, want := range map[*[][]string]string{
		{{"张三", "未知"}}:                                "第 1 行：性别应为",
		{{"张三", "男", "七五"}}:                           "第 1 行：出生年份“七五”不是整数",
		{{"张三", "男", "", "局长"}, {"张三", "", "", "局长"}}: "第 2 行：与第 1 行重复",
	} {
		if _, err := CadresFromRows(*rows); !strings.Contains(ballot.ErrorMessage(err), want) {
			t.Errorf("%v: %v", *rows, err)
		}
	}
}

func TestMatch(t *testing.T) {
	reg := []Cadre{{ID: "1", Name: "张三", Post: "局长"}, {ID: "2", Name: "李四", Post: "科长"}, {ID: "3", Name: "李四", Post: "副科长"}}
	for _, c := range []struct{ name, post, want string }{{"张 三", "", "1"}, {"李四", "副科长", "3"}, {"李四", "", ""}, {"王五", "", ""}} {
		if id, _ := Match(reg, c.name, c.post); id != c.want {
			t.Errorf("Match(%s, %s) = %q, want %q", c.name, c.post, id, c.want)
		}
	}
}

// A register line typed before names kept their spaces ("ZhangSan") is the "Zhang San"
// of a poll counted now, and the other way round; a sheet naming one cadre twice in two
// spellings is refused.
func TestMatchByKey(t *testing.T) {
	reg := []Cadre{{ID: "1", Name: "ZhangSan", Post: "Director"}, {ID: "2", Name: "Mary Ann Lee"}, {ID: "3", Name: "Li Si", Post: "Head"}, {ID: "4", Name: "LiSi", Post: "Deputy"}}
	for _, c := range []struct{ name, post, want string }{
		{"Zhang San", "", "1"}, {"Ｚｈａｎｇ San", "", "1"}, {"MaryAnnLee", "", "2"}, {"Mary  Ann Lee", "", "2"},
		{"Li Si", "Deputy", "4"}, {"LiSi", "Head", "3"}, {"Li Si", "", ""}, {"Zhang Sa", "", ""},
	} {
		if id, _ := Match(reg, c.name, c.post); id != c.want {
			t.Errorf("Match(%s, %s) = %q, want %q", c.name, c.post, id, c.want)
		}
	}
	cs, err := CadresFromRows([][]string{{"Mary  Ann\tLee", "女", "", "Head"}})
	if err != nil || cs[0].Name != "Mary Ann Lee" {
		t.Errorf("%+v, %v", cs, err)
	}
	if _, err := CadresFromRows([][]string{{"Zhang San", "", "", "Head"}, {"ZhangSan", "", "", "Head"}}); !strings.Contains(ballot.ErrorMessage(err), "第 2 行：与第 1 行重复") {
		t.Errorf("one cadre twice: %v", err)
	}
}

// RULES: 推荐结果 stays valid one year; an evaluation does not expire this way.
func TestRecommendationValidity(t *testing.T) {
	counted := time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)
	e := Entry{Kind: ballot.KindRecommendation, PollDate: counted}
	if e.Expired(counted.Add(364*24*time.Hour)) || !e.Expired(counted.Add(366*24*time.Hour)) {
		t.Fatal("a recommendation counts for one year")
	}
	if (Entry{Kind: ballot.KindEvaluation, PollDate: counted}).Expired(counted.Add(800 * 24 * time.Hour)) {
		t.Fatal("an evaluation does not expire")
	}
	if got := e.Age(counted.Add(400 * 24 * time.Hour)); got != "1年1个月前" {
		t.Fatalf("age %q", got)
	}
}

func TestFromTally(t *testing.T) {
	p := &ballot.Poll{ID: "p", UnitID: "u", Title: "会议", Quorum: ballot.R(1, 3), Groups: []ballot.Group{{ID: "g", Name: "全体", Expected: 3}},
		Forms: []ballot.Form{
			{Kind: ballot.KindEvaluation, Title: "测评", Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}},
			{Kind: ballot.KindRecommendation, Title: "推荐", Recommendation: &ballot.Recommendation{Positions: []ballot.Position{{Title: "副局长", Seats: 1, WriteIns: true, Candidates: []ballot.Candidate{{Name: "李四"}}}}}},
		}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {"不称职"}}}, {Form: "f2", Lines: map[string][]string{"p1": {"+王五"}}}}}
	tl := ballot.Count(p, []ballot.Turnout{{Group: "g", Used: 1}}, []ballot.PlainBallot{{Group: "g", Ballot: b}})
	es := FromTally(p, tl, time.Now())
	if len(es) != 3 || es[0].Name != "张三" || !strings.Contains(es[0].Summary, "不称职 1（100.00%）") || len(es[0].Flags) != 2 {
		t.Fatalf("%+v", es)
	}
	if es[2].Name != "王五" || es[2].Line != "p1/+王五" || !strings.Contains(es[2].Summary, "得票率 100.00%") {
		t.Fatalf("write-in entry %+v", es[2])
	}
}

func TestStepValidate(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		st   Step
		want string
	}{
		{Step{Kind: "民主推荐", Date: day, PollID: "p"}, ""},
		{Step{Kind: "考察", Date: day, PollID: "p"}, "只有“民主推荐”和“讨论决定”"},
		{Step{Kind: "面谈", Date: day}, "请选择环节"},
		{Step{Kind: "动议"}, "请填写日期"},
	} {
		err := c.st.Validate()
		if c.want == "" && err != nil || c.want != "" && !strings.Contains(ballot.ErrorMessage(err), c.want) {
			t.Errorf("%+v: %v", c.st, err)
		}
	}
}

// Filing goes under the poll's year (the title's when none is set); a team is marked as
// the unit's team; below quorum each summary says 未达法定人数 and why.
func TestFromTallyYearTeamQuorum(t *testing.T) {
	p := &ballot.Poll{ID: "p", UnitID: "u", Title: "2025年度民主测评", Groups: []ballot.Group{{ID: "g", Name: "全体", Expected: 3}},
		Forms: []ballot.Form{
			{Kind: ballot.KindEvaluation, Title: "班子", Evaluation: &ballot.Evaluation{Grades: ballot.TeamGrades(), Subjects: []ballot.Subject{{Name: "机关党委"}}}},
			{Kind: ballot.KindEvaluation, Title: "干部", Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三"}, {Name: "局领导班子"}}}},
		}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {"好"}}}, {Form: "f2", Lines: map[string][]string{"s1": {"优秀"}, "s2": {"优秀"}}}}}
	box := []ballot.PlainBallot{{Group: "g", Ballot: b}, {Group: "g", Ballot: b}}
	counted := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	es := FromTally(p, ballot.Count(p, []ballot.Turnout{{Group: "g", Used: 2}}, box), counted)
	got := ""
	for _, e := range es {
		got += fmt.Sprintf("%s:%d:%v ", e.Name, e.Year, e.Team)
		if strings.Contains(e.Summary, "未达法定人数") {
			t.Fatalf("at quorum: %q", e.Summary)
		}
	}
	if got != "机关党委:2025:true 张三:2025:false 局领导班子:2025:true " {
		t.Fatalf("entries %s", got)
	}
	p.Year = 2024
	es = FromTally(p, ballot.Count(p, []ballot.Turnout{{Group: "g", Used: 1}}, box[:1]), counted)
	for _, e := range es {
		if e.Year != 2024 || !strings.HasPrefix(e.Summary, "未达法定人数，结果无效（实到 1 人，应到 3 人，须至少 2 人）；") || len(e.Flags) != 1 || e.Flags[0].Code != ballot.RuleNoQuorum {
			t.Fatalf("below quorum: %+v", e)
		}
	}
	if !IsTeam("领导班子", nil) || IsTeam("张三", []string{"优秀", "称职", "基本称职", "不称职"}) || !IsTeam("办公室", []string{"好", "较好", "一般", "差"}) {
		t.Fatal("IsTeam")
	}
}
