package survey

import (
	"sort"
	"strconv"
	"strings"
)

// Counts are the answers to a question (or a matrix row) per option, with the blank (未答)
// and invalid ones, per voter group and in total.
type Counts struct {
	Options  []int   `json:"options"`
	ByGroup  [][]int `json:"by_group"` // [group][option]
	Answered int     `json:"answered"`
	Blank    int     `json:"blank"`
	Invalid  int     `json:"invalid"`
	// Good is the answers among the top Good options of a scale (satisfied).
	Good int `json:"good"`
}

// QuestionTally is one question's result. Rates are over the answered (RULES: survey —
// unanswered is 未答, outside that question's denominator).
type QuestionTally struct {
	ID       string   `json:"id"`
	Kind     Kind     `json:"kind"`
	Title    string   `json:"title"`
	Options  []string `json:"options,omitempty"`
	Counts   Counts   `json:"counts"`
	Rows     []Row    `json:"rows,omitempty"`
	GoodOpts int      `json:"good_options,omitempty"`
	// Rating: the sum of scores and their distribution 0..10.
	Sum  int   `json:"sum,omitempty"`
	Hist []int `json:"hist,omitempty"`
	// Texts are the free-text answers, shuffled and apart from the rest of their ballots,
	// so no answer can be tied to the other answers of its writer.
	Texts []string `json:"texts,omitempty"`
}

// Row is a matrix row's result.
type Row struct {
	Title  string `json:"title"`
	Counts Counts `json:"counts"`
}

// Tally is a questionnaire's result.
type Tally struct {
	Questions []QuestionTally `json:"questions"`
}

// Counter counts filled questionnaires.
type Counter struct {
	q      *Questionnaire
	groups int
	t      Tally
}

func newCounts(options, groups int) Counts {
	c := Counts{Options: make([]int, options), ByGroup: make([][]int, groups)}
	for g := range c.ByGroup {
		c.ByGroup[g] = make([]int, options)
	}
	return c
}

// NewCounter starts counting for the given number of voter groups.
func (q *Questionnaire) NewCounter(groups int) *Counter {
	c := &Counter{q: q, groups: groups}
	for _, x := range q.Questions {
		qt := QuestionTally{ID: x.ID, Kind: x.Kind, Title: x.Title, Options: x.Options, GoodOpts: x.Good}
		switch x.Kind {
		case Rating:
			qt.Counts = newCounts(RatingMax+1, groups)
		case Matrix:
			for _, r := range x.Rows {
				qt.Rows = append(qt.Rows, Row{Title: r, Counts: newCounts(len(x.Options), groups)})
			}
		default:
			qt.Counts = newCounts(len(x.Options), groups)
		}
		c.t.Questions = append(c.t.Questions, qt)
	}
	return c
}

func (c *Counts) add(group int, marks []string, options []string, good int, invalid bool) {
	switch {
	case invalid:
		c.Invalid++
	case len(marks) == 0:
		c.Blank++
	default:
		c.Answered++
		for _, m := range marks {
			i := index(options, m)
			c.Options[i]++
			c.ByGroup[group][i]++
			if i < good {
				c.Good++
			}
		}
	}
}

// Add counts one filled questionnaire of a voter group; invalid says which answer keys
// Check found invalid.
func (c *Counter) Add(group int, answers map[string][]string, invalid func(key string) bool) {
	for i, x := range c.q.Questions {
		qt := &c.t.Questions[i]
		a := answers[x.ID]
		switch x.Kind {
		case Matrix:
			for r := range x.Rows {
				k := RowKey(x.ID, r)
				qt.Rows[r].Counts.add(group, answers[k], x.Options, x.Good, invalid(k))
			}
		case Rating:
			switch {
			case invalid(x.ID):
				qt.Counts.Invalid++
			case len(a) == 0:
				qt.Counts.Blank++
			default:
				n, _ := strconv.Atoi(a[0])
				qt.Counts.Answered++
				qt.Counts.Options[n]++
				qt.Counts.ByGroup[group][n]++
				qt.Sum += n
			}
		case Text:
			t := ""
			if len(a) == 1 {
				t = strings.TrimSpace(a[0])
			}
			if t == "" || invalid(x.ID) {
				qt.Counts.Blank++
				continue
			}
			qt.Counts.Answered++
			qt.Texts = append(qt.Texts, t)
		default:
			qt.Counts.add(group, a, x.Options, x.Good, invalid(x.ID))
		}
	}
}

// Finish returns the tally; free texts are sorted, so their order says nothing about the
// order of the ballots.
func (c *Counter) Finish() *Tally {
	for i := range c.t.Questions {
		qt := &c.t.Questions[i]
		sort.Strings(qt.Texts)
		if qt.Kind == Rating {
			qt.Hist = qt.Counts.Options
		}
	}
	return &c.t
}
