package ballot

import (
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// Lists typed or pasted by an organizer (from Excel: tab-separated), one item a line.

func fields(line string) []string {
	return strings.FieldsFunc(line, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '，' || r == '、' || r == ';' || r == '；'
	})
}

func halfWidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}

// personFields reads a line "姓名 职务" into the name and the words of the post. A name of
// several words in an alphabet ("Mary Ann Lee") is told from its post by a comma, a
// semicolon or a tab after it ("Mary Ann Lee, Director"); a Chinese name needs no
// separator, and a line whose name part holds a Chinese character is read as before,
// so "张三 党委书记，局长" is still 张三 with the post 党委书记 局长.
func personFields(line string) []string {
	if i := strings.IndexAny(line, "\t,，;；"); i >= 0 {
		name := strings.TrimSpace(line[:i])
		if strings.ContainsFunc(name, unicode.IsSpace) && !strings.ContainsFunc(name, cjk) {
			return append([]string{name}, fields(line[i+1:])...)
		}
	}
	return fields(line)
}

// personLine writes a name and post back as personFields reads them.
func personLine(name, post string) string {
	if strings.Contains(name, " ") {
		return strings.TrimSpace(name + ", " + post)
	}
	return strings.TrimSpace(name + " " + post)
}

// SubjectsFromLines reads "姓名 职务" a line; blank lines are skipped.
func SubjectsFromLines(text string) ([]Subject, error) {
	var out []Subject
	for i, line := range strings.Split(text, "\n") {
		f := personFields(line)
		if len(f) == 0 {
			continue
		}
		s := Subject{Name: f[0], Post: strings.Join(f[1:], " ")}
		if len([]rune(s.Name)) > 30 {
			return nil, Errorf(EINVALID, "第%d行：姓名“%s”过长，姓名与职务之间请用空格或Tab分隔", i+1, clipRunes(s.Name, 12))
		}
		out = append(out, s)
	}
	return out, nil
}

// GroupsFromLines reads "类别名称 应到人数" a line, optionally followed by a weight
// ("0.15", "15%" or "3/20") and preceded by the group's region in brackets
// ("【杭州市】西湖区政务服务中心 120"); blank lines are skipped.
func GroupsFromLines(text string) ([]Group, error) {
	var out []Group
	for i, line := range strings.Split(text, "\n") {
		f := fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 2 {
			return nil, Errorf(EINVALID, "第%d行：请写成“类别名称 应到人数”，如“职工代表 40”（可再加权重，如“职工代表 40 0.25”）", i+1)
		}
		var weight *Ratio
		if len(f) >= 3 && strings.ContainsAny(f[len(f)-1], ".%/") {
			w, err := ParseWeight(f[len(f)-1])
			if err != nil {
				return nil, Errorf(EINVALID, "第%d行：%s", i+1, Cause{Err: err})
			}
			weight, f = &w, f[:len(f)-1]
		}
		last := halfWidthDigits(strings.TrimSuffix(f[len(f)-1], "人"))
		n, err := strconv.Atoi(last)
		if err != nil {
			return nil, Errorf(EINVALID, "第%d行：应到人数“%s”不是整数", i+1, f[len(f)-1])
		}
		region, name := splitRegion(strings.Join(f[:len(f)-1], " "))
		out = append(out, Group{Name: name, Region: region, Expected: n, Weight: weight})
	}
	return out, nil
}

// splitRegion takes the region off the front of a group's name written as "【地区】名称"
// (or with [ ] typed on a keyboard without the Chinese brackets). Brackets were chosen
// over a slash because names like "正/副处级干部" hold slashes already.
func splitRegion(s string) (region, name string) {
	for _, b := range [][2]string{{"【", "】"}, {"[", "]"}, {"［", "］"}} {
		if rest, ok := strings.CutPrefix(s, b[0]); ok {
			if r, n, ok := strings.Cut(rest, b[1]); ok {
				return strings.TrimSpace(r), strings.TrimSpace(n)
			}
		}
	}
	return "", s
}

// GroupLine is a group as GroupsFromLines reads it back: the builder's text of a poll's
// groups (a next round starts from it).
func GroupLine(g Group) string {
	line := g.Name + " " + strconv.Itoa(g.Expected)
	if g.Region != "" {
		line = "【" + g.Region + "】" + line
	}
	if g.Weight != nil {
		line += " " + g.Weight.String()
	}
	return line
}

// ParseWeight reads a weight written as a decimal ("0.15"), a percentage ("15%") or a
// fraction ("3/20"), exactly.
func ParseWeight(s string) (Ratio, error) {
	s = halfWidthDigits(strings.TrimSpace(s))
	if strings.Contains(s, "/") {
		return ParseRatio(s)
	}
	pct := strings.HasSuffix(s, "%") || strings.HasSuffix(s, "％")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "%"), "％")
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		return Ratio{}, Errorf(EINVALID, "权重“%s”应写成小数（0.15）、百分数（15%%）或分数（3/20）", s)
	}
	if pct {
		r.Quo(r, big.NewRat(100, 1))
	}
	if !r.Num().IsInt64() || !r.Denom().IsInt64() {
		return Ratio{}, Errorf(EINVALID, "权重“%s”的位数过多", s)
	}
	return R(r.Num().Int64(), r.Denom().Int64()), nil
}

// ParseRatio reads "2/3".
func ParseRatio(s string) (Ratio, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	num, err1 := strconv.ParseInt(a, 10, 64)
	den, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || den <= 0 {
		return Ratio{}, Errorf(EINVALID, "比例“%s”格式不正确，应写成如 2/3", s)
	}
	return R(num, den), nil
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// PositionsFromText reads positions as blocks separated by a blank line: the first line
// "职位名称 应推荐人数", then one candidate a line, "姓名 职务".
func PositionsFromText(text string) ([]Position, error) {
	var out []Position
	var cur *Position
	for i, line := range strings.Split(text, "\n") {
		f := fields(line)
		if len(f) == 0 {
			cur = nil
			continue
		}
		if cur == nil {
			if len(f) < 2 {
				return nil, Errorf(EINVALID, "第%d行：每个职位的第一行请写成“职位名称 应推荐人数”，如“副局长 2”", i+1)
			}
			n, err := strconv.Atoi(halfWidthDigits(strings.TrimSuffix(f[len(f)-1], "人")))
			if err != nil {
				return nil, Errorf(EINVALID, "第%d行：应推荐人数“%s”不是整数（职位之间请空一行）", i+1, f[len(f)-1])
			}
			out = append(out, Position{Title: strings.Join(f[:len(f)-1], " "), Seats: n})
			cur = &out[len(out)-1]
			continue
		}
		if f = personFields(line); len(f) > 0 {
			cur.Candidates = append(cur.Candidates, Candidate{Name: f[0], Post: strings.Join(f[1:], " ")})
		}
	}
	return out, nil
}

// CandidatesFromLines reads "姓名 职务" a line.
func CandidatesFromLines(text string) ([]Candidate, error) {
	subs, err := SubjectsFromLines(text)
	out := make([]Candidate, len(subs))
	for i, s := range subs {
		out[i] = Candidate{Name: s.Name, Post: s.Post}
	}
	return out, err
}

// IndicatorsFromText reads "德 20 能 20 勤 20 绩 20 廉 20": names each followed by full marks.
func IndicatorsFromText(text string) ([]Indicator, error) {
	f := fields(text)
	if len(f)%2 != 0 {
		return nil, Errorf(EINVALID, "分项请写成“名称 满分”成对出现，如“德 20 能 20”")
	}
	var out []Indicator
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.Atoi(halfWidthDigits(strings.TrimSuffix(f[i+1], "分")))
		if err != nil {
			return nil, Errorf(EINVALID, "分项“%s”的满分“%s”不是整数", f[i], f[i+1])
		}
		out = append(out, Indicator{Name: f[i], Max: n})
	}
	return out, nil
}
