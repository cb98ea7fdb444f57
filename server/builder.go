package server

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// builder is the page as typed.
type builder struct {
	Template string
	Previous string // the poll this is a further round of
	Title    string
	Year     string // 考核年度; empty: proposed from the title on saving
	UnitID   string
	Groups   string
	Quorum   string
	MinGroup string // fewest ballots a group's results are shown with; empty: the default
	Contact  string // whom voters ask when a token is refused
	Lang     string // the voter pages' language: zh or en
	Tellers  string // one a line
	TellerQ  string // how many of them open the box
	// KeyHolder: ballot.KeyTellers, KeyOrganizer or KeyServer; empty as the page first
	// shows, read as the tellers when any are typed and the organizer's device otherwise.
	KeyHolder string
	Forms     []builderForm
}

// builderForm is one section: the fields of its kind are used, the others stay empty.
type builderForm struct {
	Kind      ballot.Kind
	Title     string
	Subjects  string // evaluation
	Grades    string
	Probation bool
	Mutual    bool // 工作互评: subjects are units, groups are units, none rates its own
	Score     bool // convert grades to points
	// Thresholds as typed ("2/3"; Shortlist a whole number; PassBase "expected" or "turnout").
	Adjust, Dismiss, ProbationT, FlagBelow, Shortlist, SecondRound, PassOver, PassBase, DisagreeAbove string
	Positions                                                                                         string // recommendation
	Shape                                                                                             string
	WriteIns                                                                                          bool
	Nominees                                                                                          string // approval
	Seats                                                                                             string
	Overall                                                                                           string // review
	Cadres                                                                                            string
	Questions                                                                                         string // survey
	Indicators                                                                                        string // scoring
	Step                                                                                              string // scoring: tenths of a point, as ballot.ScoreSteps
}

// defaults fills the thresholds of RULES.md where none is typed.
func (f *builderForm) defaults() {
	set := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	set(&f.Adjust, ballot.DefaultAdjustBelow.String())
	set(&f.Dismiss, ballot.DefaultDismissAbove.String())
	set(&f.ProbationT, ballot.DefaultProbationAbove.String())
	set(&f.FlagBelow, ballot.DefaultFlagBelow.String())
	set(&f.Shortlist, strconv.Itoa(ballot.DefaultShortlist))
	set(&f.SecondRound, ballot.DefaultSecondRoundBelow.String())
	set(&f.PassOver, ballot.DefaultPassOver.String())
	set(&f.PassBase, ballot.BaseExpected)
	set(&f.DisagreeAbove, ballot.DefaultDisagreeAbove.String())
	set(&f.Step, strconv.Itoa(ballot.DefaultScoreStep))
}

// readBuilder reads the posted page.
func readBuilder(c *fiber.Ctx) builder {
	b := builder{Template: c.FormValue("template"), Previous: c.FormValue("previous"), Title: c.FormValue("title"), UnitID: c.FormValue("unit_id"),
		Groups: c.FormValue("groups"), Quorum: c.FormValue("quorum", "2/3"), Year: c.FormValue("year"), Tellers: c.FormValue("tellers"), TellerQ: c.FormValue("teller_quorum"),
		MinGroup: c.FormValue("min_group"), KeyHolder: c.FormValue("key_holder"), Contact: c.FormValue("contact"), Lang: c.FormValue("lang")}
	for i := 0; i < ballot.MaxForms; i++ {
		v := func(name string) string { return c.FormValue(fmt.Sprintf("f%d_%s", i, name)) }
		if v("kind") == "" {
			continue
		}
		b.Forms = append(b.Forms, builderForm{Kind: ballot.Kind(v("kind")), Title: v("title"),
			Subjects: v("subjects"), Grades: v("grades"), Probation: v("probation") == "1", Mutual: v("mutual") == "1", Score: v("score") == "1",
			Adjust: v("t_adjust"), Dismiss: v("t_dismiss"), ProbationT: v("t_probation"), FlagBelow: v("t_flag_below"), Shortlist: v("t_shortlist"),
			SecondRound: v("t_second_round"), PassOver: v("t_pass_over"), PassBase: v("t_pass_base"), DisagreeAbove: v("t_disagree"),
			Positions: v("positions"), Shape: v("shape"), WriteIns: v("writeins") == "1",
			Nominees: v("nominees"), Seats: v("seats"), Overall: v("overall"), Cadres: v("cadres"), Questions: v("questions"), Indicators: v("indicators"), Step: v("step")})
	}
	return b
}
