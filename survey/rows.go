package survey

import (
	"fmt"
	"strconv"
	"strings"
)

// FromRows reads a questionnaire from spreadsheet rows: 题型, 题目, 选项 (separated by "/"),
// 矩阵项目 (separated by "/"), 最少, 最多, 字数上限. A header row is allowed; a bad row is
// named and nothing is taken.
func FromRows(rows [][]string) (Questionnaire, error) {
	kinds := map[string]Kind{"单选": Single, "多选": Multiple, "量表": Scale, "评分": Rating, "矩阵": Matrix, "填空": Text}
	var q Questionnaire
	for i, row := range rows {
		n := i + 1
		c := func(j int) string {
			if j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		if strings.Join(row, "") == "" || (i == 0 && strings.Contains(strings.Join(row, " "), "题型")) {
			continue
		}
		k, ok := kinds[c(0)]
		if !ok {
			return q, errorf("第 %d 行：题型“%s”应为单选、多选、量表、评分、矩阵或填空", n, c(0))
		}
		x := Question{Kind: k, Title: c(1), Options: split(c(2)), Rows: split(c(3))}
		if x.Title == "" {
			return q, errorf("第 %d 行：题目为空", n)
		}
		for j, dst := range []*int{&x.Min, &x.Max, &x.MaxLen} {
			if v := c(4 + j); v != "" {
				num, err := strconv.Atoi(v)
				if err != nil {
					return q, errorf("第 %d 行：“%s”不是整数", n, v)
				}
				*dst = num
			}
		}
		q.Questions = append(q.Questions, x)
		qq := Questionnaire{Questions: []Question{x}}
		qq.Normalize()
		if err := qq.Validate(); err != nil {
			return q, errorf("第 %d 行：%s", n, rowProblem(err))
		}
	}
	if len(q.Questions) == 0 {
		return q, errorf("表格中没有题目")
	}
	return q, nil
}

func split(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '／' || r == '|' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Text writes a questionnaire in the form FromText reads.
func (q *Questionnaire) Text() string {
	var blocks []string
	for _, x := range q.Questions {
		head := "[" + x.Kind.Label()
		switch x.Kind {
		case Multiple:
			if x.Min > 0 || x.Max > 0 {
				head += fmt.Sprintf(" %d-%d", max(x.Min, 1), max(x.Max, x.Min, 1))
			}
		case Text:
			if x.MaxLen > 0 {
				head += fmt.Sprintf(" %d", x.MaxLen)
			}
		}
		lines := []string{head + "] " + x.Title}
		if x.Kind == Matrix {
			if len(x.Options) > 0 {
				lines = append(lines, "等次："+strings.Join(x.Options, " "))
			}
			lines = append(lines, x.Rows...)
		} else {
			lines = append(lines, x.Options...)
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return strings.Join(blocks, "\n\n")
}
