package survey

import (
	"regexp"
	"strconv"
	"strings"
)

// FromText reads a questionnaire typed or pasted by an organizer: each question starts with
// its type in brackets, then its options one a line; questions are separated by a blank
// line.
//
//	[单选] 您对本单位选人用人工作的总体评价
//	好
//	较好
//	一般
//	差
//
//	[多选 1-3] 您认为最需要改进的方面      (choose 1 to 3)
//	[量表] 对领导班子的满意度               (options optional: 满意/基本满意/不满意)
//	[评分] 对窗口服务打分                   (0–10)
//	[矩阵] 干部德的表现                     (first line "等次：好 较好 一般 差", then the rows)
//	[填空 300] 意见和建议                   (at most 300 characters)
func FromText(text string) (Questionnaire, error) {
	var q Questionnaire
	var cur *Question
	head := regexp.MustCompile(`^[\[【]\s*(单选|多选|量表|评分|矩阵|填空)\s*([^\]】]*?)\s*[\]】]\s*(.*)$`)
	kinds := map[string]Kind{"单选": Single, "多选": Multiple, "量表": Scale, "评分": Rating, "矩阵": Matrix, "填空": Text}
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			cur = nil
			continue
		}
		if m := head.FindStringSubmatch(line); m != nil {
			q.Questions = append(q.Questions, Question{Kind: kinds[m[1]], Title: m[3]})
			cur = &q.Questions[len(q.Questions)-1]
			if err := cur.setNumbers(m[2]); err != nil {
				return q, errorf("第%d行：%s", i+1, rowProblem(err))
			}
			continue
		}
		if cur == nil {
			return q, errorf("第%d行：每道题请以题型开头，如“[单选] 题目”（题与题之间空一行）", i+1)
		}
		switch cur.Kind {
		case Rating, Text:
			return q, errorf("第%d行：“%s”是%s题，不需要选项", i+1, cur.Title, cur.Kind.Label())
		case Matrix:
			if cols, ok := cutAny(line, "等次：", "等次:", "选项：", "选项:"); ok && len(cur.Options) == 0 && len(cur.Rows) == 0 {
				cur.Options = strings.FieldsFunc(cols, func(r rune) bool { return r == ' ' || r == '/' || r == '、' || r == '，' || r == ',' || r == '\t' })
				continue
			}
			cur.Rows = append(cur.Rows, line)
		default:
			cur.Options = append(cur.Options, line)
		}
	}
	return q, nil
}

func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return "", false
}

// setNumbers reads "1-3" after 多选 (choose min to max, or just max) and "300" after 填空.
func (x *Question) setNumbers(s string) error {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－' || r == '~' || r == '～':
			return '-'
		}
		return r
	}, s)
	if s == "" {
		return nil
	}
	switch x.Kind {
	case Multiple:
		a, b, found := strings.Cut(s, "-")
		lo, err1 := strconv.Atoi(a)
		hi, err2 := lo, error(nil)
		if found {
			hi, err2 = strconv.Atoi(b)
		} else {
			lo = 1
		}
		if err1 != nil || err2 != nil {
			return errorf("多选的选择数应写成“多选 1-3”")
		}
		x.Min, x.Max = lo, hi
	case Text:
		n, err := strconv.Atoi(s)
		if err != nil {
			return errorf("填空的字数应写成“填空 300”")
		}
		x.MaxLen = n
	default:
		return errorf("%s题的题型后不需要数字", x.Kind.Label())
	}
	return nil
}
