package ballot

import (
	"fmt"
	"strconv"
	"strings"
)

// Lists imported from a spreadsheet (.xlsx or .csv): rows of cells, a header row allowed.
// Either every row is good or the import fails naming the row (「第 7 行：姓名为空」), so
// nothing is half-imported. Row numbers are the sheet's own.

func cell(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

func blankRow(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// isHeader reports a first row that names columns rather than people.
func isHeader(row []string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(strings.Join(row, " "), w) {
			return true
		}
	}
	return false
}

// SubjectsFromRows reads rows of 姓名, 职务.
func SubjectsFromRows(rows [][]string) ([]Subject, error) {
	var out []Subject
	seen := map[string]int{}
	for i, row := range rows {
		n := i + 1
		if blankRow(row) || (i == 0 && isHeader(row, "姓名")) {
			continue
		}
		s := Subject{Name: NormalizeName(cell(row, 0)), Post: cell(row, 1)}
		if s.Name == "" {
			return nil, Errorf(EINVALID, "第 %d 行：姓名为空", n)
		}
		if NameLen(s.Name) > MaxNameLen {
			return nil, Errorf(EINVALID, "第 %d 行：姓名“%s”过长（不超过%d字）", n, s.Name, MaxNameLen)
		}
		person := NameKey(s.Name) + "\x00" + s.Post
		if first, dup := seen[person]; dup {
			return nil, Errorf(EINVALID, "第 %d 行：与第 %d 行重复（%s）", n, first, s.Name)
		}
		seen[person] = n
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "表格中没有名单")
	}
	return out, nil
}

// PositionsFromRows reads rows of 职位, 应推荐人数, 姓名, 职务: a row naming a new position
// starts it (with its seats); following rows with the position left empty add candidates.
func PositionsFromRows(rows [][]string) ([]Position, error) {
	var out []Position
	for i, row := range rows {
		n := i + 1
		if blankRow(row) || (i == 0 && isHeader(row, "职位", "应推荐")) {
			continue
		}
		title, seats, name := cell(row, 0), cell(row, 1), NormalizeName(cell(row, 2))
		if title != "" && (len(out) == 0 || out[len(out)-1].Title != title) {
			k, err := strconv.Atoi(halfWidthDigits(strings.TrimSuffix(seats, "人")))
			if err != nil || k < 1 {
				return nil, Errorf(EINVALID, "第 %d 行：职位“%s”的应推荐人数“%s”不是正整数", n, title, seats)
			}
			out = append(out, Position{Title: title, Seats: k})
		}
		if len(out) == 0 {
			return nil, Errorf(EINVALID, "第 %d 行：职位为空", n)
		}
		if name == "" {
			if cell(row, 3) != "" {
				return nil, Errorf(EINVALID, "第 %d 行：姓名为空", n)
			}
			continue
		}
		p := &out[len(out)-1]
		if p.listed(name) {
			return nil, Errorf(EINVALID, "第 %d 行：职位“%s”的人选“%s”重复", n, p.Title, name)
		}
		p.Candidates = append(p.Candidates, Candidate{Name: name, Post: cell(row, 3)})
	}
	if len(out) == 0 {
		return nil, Errorf(EINVALID, "表格中没有推荐职位")
	}
	return out, nil
}

// SubjectsText writes subjects back as the builder's lines, "姓名 职务".
func SubjectsText(subjects []Subject) string {
	var b strings.Builder
	for _, s := range subjects {
		b.WriteString(personLine(s.Name, s.Post) + "\n")
	}
	return strings.TrimRight(b.String(), " \n")
}

// PositionsText writes positions back as the builder's blocks.
func PositionsText(positions []Position) string {
	var blocks []string
	for _, p := range positions {
		lines := []string{fmt.Sprintf("%s %d", p.Title, p.Seats)}
		for _, c := range p.Candidates {
			lines = append(lines, personLine(c.Name, c.Post))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return strings.Join(blocks, "\n\n")
}
