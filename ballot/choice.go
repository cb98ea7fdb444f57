package ballot

import "strings"

// Shared pieces of the rules for forms whose lines take one option each.

// checkOptions rejects a filled form that names a line or option the form does not have,
// or the same option twice on a line: that is a forged or broken ballot, not a spoilt line.
// lines maps each line id to its options.
func checkOptions(ff *FilledForm, lines map[string][]string) error {
	for id, marks := range ff.Lines {
		opts, ok := lines[id]
		if !ok {
			return Errorf(EINVALID, "选票中有不存在的项目“%s”", id)
		}
		seen := map[string]bool{}
		for _, m := range marks {
			if !contains(opts, m) {
				return Errorf(EINVALID, "选票中有不存在的选项“%s”", m)
			}
			if seen[m] {
				return Errorf(EINVALID, "同一选项“%s”被重复标记", m)
			}
			seen[m] = true
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// WriteInPrefix marks a name written in by the voter (另推他人, 另选) among a line's marks.
const WriteInPrefix = "+"

// MaxNameLen bounds a written-in name.
const MaxNameLen = 20

// writeIn returns the normalised name of a write-in mark ("+姓名"), as it is shown; it
// is compared with the list and the other write-ins by its NameKey.
func writeIn(mark string) (string, error) {
	spelled := strings.TrimPrefix(mark, WriteInPrefix)
	name := NormalizeName(spelled)
	if name == "" {
		return "", Errorf(EINVALID, "另推人选的姓名为空")
	}
	// The spelling is what gets sealed, so it is bounded as the name is: spaces kept
	// between letters count too.
	if len([]rune(name)) > MaxNameLen || len([]rune(spelled)) > MaxNameLen {
		return "", Errorf(EINVALID, "另推人选的姓名过长（不超过%d字）", MaxNameLen)
	}
	return name, nil
}

// groupCounts is a tally row counted per voter group and in total.
type groupCounts struct {
	Total   int   `json:"total"`
	ByGroup []int `json:"by_group"`
}

func newGroupCounts(groups int) groupCounts { return groupCounts{ByGroup: make([]int, groups)} }

func (g *groupCounts) add(group int) {
	g.Total++
	g.ByGroup[group]++
}

// rankShortlist ranks by votes (descending) and marks the first n with votes, ties at the
// cut all included (RULES: 差额 top n, 「并列」). It returns each item's rank (1-based,
// equal votes equal rank), whether it is in, and whether it is tied at the cut.
func rankShortlist(votes []int, n int) (rank []int, in []bool, tiedAtCut []bool) {
	k := len(votes)
	rank, in, tiedAtCut = make([]int, k), make([]bool, k), make([]bool, k)
	for i := range votes {
		r := 1
		for j := range votes {
			if votes[j] > votes[i] {
				r++
			}
		}
		rank[i] = r
	}
	// The cut is the votes of the n-th best; everyone with at least that many is in.
	sorted := append([]int(nil), votes...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j] > sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	if n <= 0 || k == 0 {
		return
	}
	if n > k {
		n = k
	}
	cut := sorted[n-1]
	if cut == 0 {
		cut = 1 // nobody with no votes is shortlisted
	}
	above, at := 0, 0
	for _, v := range votes {
		if v > cut {
			above++
		} else if v == cut {
			at++
		}
	}
	for i, v := range votes {
		if v >= cut {
			in[i] = true
			tiedAtCut[i] = v == cut && above+at > n
		}
	}
	return
}
