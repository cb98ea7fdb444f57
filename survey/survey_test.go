package survey

import (
	"fmt"
	"strings"
	"testing"
)

const sample = `[单选] 您对本单位选人用人工作的总体评价
好
较好
一般
差

[多选 1-2] 最需要改进的方面
选拔程序
考察工作
监督管理

[量表] 对领导班子的满意度
[评分] 对窗口服务打分
[矩阵] 干部德的表现
等次：好 较好 一般 差
政治品质
道德品行

[填空 10] 意见和建议`

func sampleQ(t *testing.T) *Questionnaire {
	q, err := FromText(sample)
	if err != nil {
		t.Fatal(err)
	}
	q.Normalize()
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	return &q
}

func TestFromText(t *testing.T) {
	q := sampleQ(t)
	got := []string{}
	for _, x := range q.Questions {
		got = append(got, fmt.Sprintf("%s:%d:%d:%d-%d", x.Kind, len(x.Options), len(x.Rows), x.Min, x.Max))
	}
	if want := "single:4:0:0-0 multiple:3:0:1-2 scale:3:0:0-0 rating:0:0:0-0 matrix:4:2:0-0 text:0:0:0-0"; strings.Join(got, " ") != want {
		t.Fatalf("%s", strings.Join(got, " "))
	}
	if q.Questions[5].MaxLen != 10 || q.Questions[2].Good != 2 || q.Questions[4].Good != 2 {
		t.Fatalf("%+v", q.Questions)
	}
	for in, want := range map[string]string{
		"好\n较好":             "第1行：每道题请以题型开头",
		"[评分] 打分\n10":       "第2行：“打分”是评分题，不需要选项",
		"[多选 a-b] 方面\n甲\n乙": "第1行：多选的选择数应写成",
		"[单选] 只有一个选项\n甲":    "", // parses; Validate refuses it below
		"[单选] 选项重复\n甲\n甲":   "",
	} {
		q, err := FromText(in)
		if want != "" {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("FromText(%q) = %v, want %q", in, err, want)
			}
			continue
		}
		q.Normalize()
		if err := q.Validate(); err == nil {
			t.Errorf("Validate(%q) accepted", in)
		}
	}
}

// RULES: survey — unanswered is 未答, outside that question's denominator; the
// satisfaction rate is the top two options over the answered; texts apart and capped.
func TestCheckAndCount(t *testing.T) {
	q := sampleQ(t)
	for name, a := range map[string]map[string][]string{
		"unknown option": {"q1": {"很好"}},
		"unknown key":    {"q9": {"好"}},
		"rating 11":      {"q4": {"11"}},
		"rating text":    {"q4": {"十"}},
		"long text":      {"q6": {"一二三四五六七八九十一"}},
		"repeated":       {"q2": {"选拔程序", "选拔程序"}},
	} {
		if _, err := q.Check(a); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	inv, err := q.Check(map[string][]string{"q1": {"好", "差"}, "q2": {"选拔程序", "考察工作", "监督管理"}, "q5/r1": {"好", "差"}})
	if err != nil || len(inv) != 3 {
		t.Fatalf("%+v %v", inv, err)
	}
	c := q.NewCounter(2)
	add := func(g int, a map[string][]string) {
		inv, err := q.Check(a)
		if err != nil {
			t.Fatal(err)
		}
		bad := map[string]bool{}
		for _, i := range inv {
			bad[i.Key] = true
		}
		c.Add(g, a, func(k string) bool { return bad[k] })
	}
	add(0, map[string][]string{"q1": {"好"}, "q2": {"选拔程序"}, "q3": {"满意"}, "q4": {"9"}, "q5/r1": {"好"}, "q5/r2": {"一般"}, "q6": {"加强监督"}})
	add(1, map[string][]string{"q1": {"较好"}, "q2": {"选拔程序", "考察工作"}, "q3": {"不满意"}, "q4": {"6"}, "q5/r1": {"较好"}, "q6": {"  "}})
	add(1, map[string][]string{"q1": {"一般"}, "q3": {"基本满意"}, "q5/r1": {"差", "好"}, "q6": {"公开透明"}})
	add(1, map[string][]string{})
	tl := c.Finish()
	q1, q2, q3, q4, q5, q6 := tl.Questions[0], tl.Questions[1], tl.Questions[2], tl.Questions[3], tl.Questions[4], tl.Questions[5]
	if q1.Counts.Answered != 3 || q1.Counts.Blank != 1 || q1.Counts.Good != 0 || fmt.Sprint(q1.Counts.ByGroup) != "[[1 0 0 0] [0 1 1 0]]" {
		t.Fatalf("q1 %+v", q1.Counts)
	}
	if q2.Counts.Answered != 2 || fmt.Sprint(q2.Counts.Options) != "[2 1 0]" {
		t.Fatalf("q2 %+v", q2.Counts)
	}
	if q3.Counts.Good != 2 || q3.Counts.Answered != 3 {
		t.Fatalf("q3 %+v", q3.Counts)
	}
	if q4.Sum != 15 || q4.Counts.Answered != 2 || q4.Hist[9] != 1 {
		t.Fatalf("q4 %+v", q4)
	}
	if q5.Rows[0].Counts.Answered != 2 || q5.Rows[0].Counts.Invalid != 1 || q5.Rows[0].Counts.Good != 2 || q5.Rows[1].Counts.Blank != 3 {
		t.Fatalf("q5 %+v", q5.Rows)
	}
	if strings.Join(q6.Texts, "|") != "公开透明|加强监督" || q6.Counts.Blank != 2 {
		t.Fatalf("q6 %+v", q6)
	}
}

func TestFromRowsAndBack(t *testing.T) {
	q, err := FromRows([][]string{{"题型", "题目", "选项", "矩阵项目", "最少", "最多", "字数上限"},
		{"单选", "总体评价", "好/较好/一般/差"}, {"多选", "改进方面", "甲/乙/丙", "", "1", "2"}, {"矩阵", "德的表现", "好/一般/差", "政治品质/道德品行"}, {"填空", "意见", "", "", "", "", "50"}})
	if err != nil || len(q.Questions) != 4 || q.Questions[1].Max != 2 || len(q.Questions[2].Rows) != 2 {
		t.Fatalf("%+v %v", q, err)
	}
	back, err := FromText(q.Text())
	if err != nil || back.Text() != q.Text() {
		t.Fatalf("round trip:\n%s\n---\n%s\n%v", q.Text(), back.Text(), err)
	}
	if _, err := FromRows([][]string{{"单选", "总体评价", "好"}}); err == nil || !strings.Contains(err.Error(), "第 1 行：应有2到20个选项") {
		t.Fatalf("%v", err)
	}
	if _, err := FromRows([][]string{{"问答", "x"}}); err == nil || !strings.Contains(err.Error(), "第 1 行：题型“问答”") {
		t.Fatal(err)
	}
}
