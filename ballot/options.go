package ballot

// OptionCounts counts a single-choice line: votes per option, lines left blank and lines
// that are invalid (more than one option), each per voter group and in total.
type OptionCounts struct {
	Options []groupCounts `json:"options"`
	Blank   groupCounts   `json:"blank"`
	Invalid groupCounts   `json:"invalid"`
}

func newOptionCounts(options, groups int) OptionCounts {
	o := OptionCounts{Blank: newGroupCounts(groups), Invalid: newGroupCounts(groups)}
	for i := 0; i < options; i++ {
		o.Options = append(o.Options, newGroupCounts(groups))
	}
	return o
}

// Answered is the number of lines with exactly one option.
func (o OptionCounts) Answered() int {
	n := 0
	for _, c := range o.Options {
		n += c.Total
	}
	return n
}

// Sum adds the votes of the options at the given indexes.
func (o OptionCounts) Sum(idx ...int) int {
	n := 0
	for _, i := range idx {
		n += o.Options[i].Total
	}
	return n
}

// Rate is option i's share of the answered lines.
func (o OptionCounts) Rate(i int) Ratio { return R(int64(o.Options[i].Total), int64(o.Answered())) }

// count adds one line of marks: blank, one option, or several (invalid).
func (o *OptionCounts) count(group int, marks []string, options []string) {
	switch len(marks) {
	case 0:
		o.Blank.add(group)
	case 1:
		o.Options[indexOf(options, marks[0])].add(group)
	default:
		o.Invalid.add(group)
	}
}

// addSums adds a single-choice line's sums for a row of n ballots: what is neither an
// option nor invalid was left blank.
func (o *OptionCounts) addSums(row int, s rowSums, line string) {
	blank := s.n - s.invalid(line)
	for k, v := range s.options(line) {
		o.Options[k].addN(row, v)
		blank -= v
	}
	o.Invalid.addN(row, s.invalid(line))
	o.Blank.addN(row, blank)
}
