package ballot

import (
	"fmt"
	"math/big"
	"strings"
)

// Small voter groups (DESIGN: secrecy). A group of one voter shown on its own row is that
// voter's ballot; four of four 班子成员 shown together tell each what the others marked.
// Results are therefore never broken down by a group with fewer ballots than the poll's
// minimum: such groups are pooled into one row, and the pool is made large enough that
// subtracting the shown rows from the total finds nothing smaller than the minimum.
// Turnout (应到, 实到) stays per group: it is public while voting runs.

// DefaultMinGroup is the smallest group whose results are shown on their own row, unless
// the poll sets another; MinMinGroup is the least a poll may set.
const (
	DefaultMinGroup = 5
	MinMinGroup     = 3
)

// MergedGroup is the id of the row that pools the small groups. A certified bundle labels
// the ballots of the pooled groups with it in place of their own group.
const MergedGroup = "merged"

// ResultMinGroup is the poll's minimum group size for results.
func (p *Poll) ResultMinGroup() int {
	if p.MinGroup == 0 {
		return DefaultMinGroup
	}
	return p.MinGroup
}

// MergedName is the name of the pooled row: 「其他参评人员（不足5人，合并统计）」.
func MergedName(n int) string {
	return fmt.Sprintf(mergedName, n)
}

// AllMergedName names the single row left when every group had to be pooled.
func AllMergedName(n int) string {
	return fmt.Sprintf(allMergedName, n)
}

// ResultGroups are the rows results are broken down by: the poll's groups, with the small
// ones pooled into one row.
type ResultGroups struct {
	// Groups are the result rows, in the poll's order, the pooled row last. A pooled row
	// carries the sum of its groups' 应到 and weights, and no unit.
	Groups []Group
	// Of maps each of the poll's groups (by index) to its result row.
	Of []int
	// Merged is the index of the pooled row, -1 when no group is pooled.
	Merged int
	// Small are the names of the groups pooled for being small; Added those pooled on top
	// so that the pool itself is not small.
	Small, Added []string
	Min          int
}

// ResultGroups decides the result rows from the ballots cast in each of the poll's groups
// (in its order): every group with some ballots but fewer than the minimum goes into the
// pooled row; while the pool
// holds some ballots but fewer than the minimum, the smallest remaining group joins it (the
// later one on a tie), so that no row and no difference of rows is a small group's. When
// nothing would remain beside the pool, the one row is the whole poll. A poll of one group
// has nothing to pool: its one row is the total.
func (p *Poll) ResultGroups(ballots []int) ResultGroups {
	n := p.ResultMinGroup()
	rg := ResultGroups{Of: make([]int, len(p.Groups)), Merged: -1, Min: n}
	if len(p.Groups) == 1 {
		rg.Groups = p.Groups
		return rg
	}
	pooled := make([]bool, len(p.Groups))
	total, count := 0, func(i int) int {
		if i < len(ballots) {
			return ballots[i]
		}
		return 0
	}
	for i := range p.Groups {
		// A group with no ballot shows nothing: it keeps its row (and, weighted, its
		// weight is shared out as for any group without a valid line).
		if c := count(i); c > 0 && c < n {
			pooled[i] = true
			total += count(i)
			rg.Small = append(rg.Small, p.Groups[i].Name)
		}
	}
	if len(rg.Small) == 0 {
		for i, g := range p.Groups {
			rg.Of[i] = i
			rg.Groups = append(rg.Groups, g)
		}
		return rg
	}
	for total < n {
		next := -1
		for i := range p.Groups {
			if !pooled[i] && count(i) > 0 && (next < 0 || count(i) <= count(next)) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		pooled[next] = true
		total += count(next)
		rg.Added = append(rg.Added, p.Groups[next].Name)
	}
	pool := Group{ID: MergedGroup, Name: MergedName(n)}
	var weight *big.Rat
	all := true
	for i, g := range p.Groups {
		if !pooled[i] {
			all = false
			rg.Of[i] = len(rg.Groups)
			rg.Groups = append(rg.Groups, g)
			continue
		}
		pool.Expected += g.Expected
		if g.Weight != nil {
			if weight == nil {
				weight = new(big.Rat)
			}
			weight.Add(weight, ratOf(*g.Weight))
		}
	}
	if all {
		pool.Name = AllMergedName(n)
	}
	if weight != nil {
		w := ratio(weight)
		pool.Weight = &w
	}
	rg.Merged = len(rg.Groups)
	for i := range p.Groups {
		if pooled[i] {
			rg.Of[i] = rg.Merged
		}
	}
	rg.Groups = append(rg.Groups, pool)
	return rg
}

// Note says which groups were pooled and, for a weighted poll, that the weighted rates
// are those of the pooled rows; "" when no group was pooled.
func (rg ResultGroups) Note(weighted bool) string {
	if rg.Merged < 0 {
		return ""
	}
	small, pool := strings.Join(rg.Small, "、"), rg.Groups[rg.Merged].Name
	if len(rg.Added) > 0 {
		format := noteMergedWith
		if weighted {
			format = noteMergedWithW
		}
		return fmt.Sprintf(format, small, rg.Min, strings.Join(rg.Added, "、"), pool)
	}
	format := noteMerged
	if weighted {
		format = noteMergedW
	}
	return fmt.Sprintf(format, small, rg.Min, pool)
}
