// Package records files certified results into the cadre records (考核档案, 选拔任用纪实):
// the cadre register, and the append-only entries each counted result line becomes.
// It imports no SQL or HTTP package.
package records

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/i18n"
)

// Cadre is a person in a unit's register (干部).
type Cadre struct {
	ID        string `json:"id" db:"id"`
	UnitID    string `json:"unit_id" db:"unit_id"`
	Name      string `json:"name" db:"name"`
	Gender    string `json:"gender" db:"gender"`
	BirthYear int    `json:"birth_year" db:"birth_year"`
	Post      string `json:"post" db:"post"`
}

// Validate checks a register line.
func (c *Cadre) Validate() error {
	for _, f := range []struct {
		what string
		s    *string
		form ballot.TextForm
	}{{i18n.N("姓名"), &c.Name, ballot.TextName}, {i18n.N("性别"), &c.Gender, ballot.TextLine}, {i18n.N("职务"), &c.Post, ballot.TextLine}} {
		clean, err := ballot.CleanText(f.what, *f.s, f.form)
		if err != nil {
			return err
		}
		*f.s = clean
	}
	if c.Name == "" || ballot.NameLen(c.Name) > ballot.MaxNameLen {
		return ballot.Errorf(ballot.EINVALID, "姓名为空或过长")
	}
	if c.Gender != "" && c.Gender != "男" && c.Gender != "女" {
		return ballot.Errorf(ballot.EINVALID, "性别应为“男”或“女”")
	}
	if c.BirthYear != 0 && (c.BirthYear < 1900 || c.BirthYear > time.Now().Year()) {
		return ballot.Errorf(ballot.EINVALID, "出生年份“%s”不正确", strconv.Itoa(c.BirthYear))
	}
	return nil
}

// CadresFromRows reads a register sheet: 姓名, 性别, 出生年份, 现任职务; a header row
// allowed; a bad row is named and nothing is taken.
func CadresFromRows(rows [][]string) ([]Cadre, error) {
	var out []Cadre
	seen := map[string]int{}
	for i, row := range rows {
		n := i + 1
		cell := func(j int) string {
			if j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		if strings.Join(row, "") == "" || (i == 0 && strings.Contains(strings.Join(row, " "), "姓名")) {
			continue
		}
		c := Cadre{Name: cell(0), Gender: cell(1), Post: cell(3)}
		if y := strings.TrimSuffix(cell(2), "年"); y != "" {
			v, err := strconv.Atoi(y)
			if err != nil {
				return nil, ballot.Errorf(ballot.EINVALID, "第 %d 行：出生年份“%s”不是整数", n, cell(2))
			}
			c.BirthYear = v
		}
		if err := c.Validate(); err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "第 %d 行：%s", n, ballot.Cause{Err: err})
		}
		key := ballot.NameKey(c.Name) + "\x00" + c.Post
		if first, dup := seen[key]; dup {
			return nil, ballot.Errorf(ballot.EINVALID, "第 %d 行：与第 %d 行重复（%s）", n, first, c.Name)
		}
		seen[key] = n
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ballot.Errorf(ballot.EINVALID, "表格中没有干部名单")
	}
	return out, nil
}

// Entry is one result line filed on a cadre: what the poll said of this person, with the
// flags and their rules. Entries are never changed; a correction is a new entry that
// cites the one it corrects.
type Entry struct {
	ID        string        `json:"id"`
	CadreID   string        `json:"cadre_id,omitempty"` // "" until linked
	UnitID    string        `json:"unit_id"`
	PollID    string        `json:"poll_id"`
	PollTitle string        `json:"poll_title"`
	PollDate  time.Time     `json:"poll_date"` // when it was counted
	FormID    string        `json:"form_id"`
	FormTitle string        `json:"form_title"`
	Line      string        `json:"line"` // the subject, candidate, nominee or cadre within the form
	Kind      ballot.Kind   `json:"kind"`
	Name      string        `json:"name"`
	Post      string        `json:"post,omitempty"`
	Summary   string        `json:"summary"`
	Flags     []ballot.Flag `json:"flags,omitempty"`
	Corrects  string        `json:"corrects,omitempty"`
	FiledAt   time.Time     `json:"filed_at"`
	// Year is the assessment year (年度) the entry is filed under: the poll's.
	Year int `json:"year"`
	// Team: the line is about the unit's leadership team (领导班子), filed on the unit
	// and never matched against the cadre register.
	Team bool `json:"team,omitempty"`
}

// IsTeam reports a subject that is a leadership team rather than a person: named as a
// 班子, or graded with a team's grades (好/较好/一般/差, 优秀/良好/一般/较差), which a
// person is never given (RULES: 民主测评 grades).
func IsTeam(name string, grades []string) bool {
	if strings.Contains(name, "班子") {
		return true
	}
	if len(grades) == 0 {
		return false
	}
	for _, g := range grades {
		if g == "称职" {
			return false
		}
	}
	return true
}

// RecommendationValidity is how long a 推荐结果 counts (RULES: one year, practice under
// the 2019 条例).
const RecommendationValidity = 365 * 24 * time.Hour

// Expired reports a recommendation older than a year at now: shown, but no longer current.
func (e Entry) Expired(now time.Time) bool {
	return e.Kind == ballot.KindRecommendation && now.Sub(e.PollDate) > RecommendationValidity
}

// Age is how long ago the poll was counted, in Chinese words.
func (e Entry) Age(now time.Time) string { return e.AgeIn(i18n.For(i18n.Zh), now) }

// AgeIn is how long ago the poll was counted, in words of p's language.
func (e Entry) AgeIn(p *i18n.Printer, now time.Time) string {
	months := int(now.Sub(e.PollDate).Hours() / 24 / 30)
	switch {
	case months < 1:
		return p.T("不足1个月")
	case months < 12:
		return p.T("%d个月前", months)
	}
	return p.T("%d年%d个月前", months/12, months%12)
}

// FromTally turns a counted poll's result lines about people into entries, one for each
// subject, candidate (write-ins too), nominee and reviewed cadre. Free questionnaires are
// about no one and give none.
//
// Entries go under the poll's assessment year (proposed from its title when it has none).
// Below quorum each summary opens with 「未达法定人数，结果无效」 and why, and the flags
// are the tally's: the quorum flag alone (RULES: quorum, nothing filed as valid).
func FromTally(p *ballot.Poll, t *ballot.Tally, countedAt time.Time) []Entry {
	var out []Entry
	year := p.Year
	if year == 0 {
		year = ballot.AssessmentYear(p.Title, countedAt)
	}
	invalid := ""
	if !t.QuorumMet {
		invalid = ballot.QuorumNote + "（" + t.QuorumReason() + "）；"
	}
	// Who held the key goes with every filed line: a result counted with a server-held
	// key says so wherever it is read.
	key := ""
	if k := t.KeyText(); k != "" {
		key = "；" + k
	}
	add := func(f ballot.FormTally, line, name, post, summary string, flags []ballot.Flag) {
		out = append(out, Entry{UnitID: p.UnitID, PollID: p.ID, PollTitle: p.Title, PollDate: countedAt, FormID: f.Form, FormTitle: f.Title,
			Line: line, Kind: f.Kind, Name: name, Post: post, Summary: invalid + summary + key, Flags: flags, Year: year})
	}
	for _, f := range t.Forms {
		switch {
		case f.Evaluation != nil:
			for _, s := range f.Evaluation.Subjects {
				var parts []string
				for i, g := range f.Evaluation.Grades {
					parts = append(parts, fmt.Sprintf(sumGrade, g, s.Total.Votes[i], s.Total.Rate(i).Percent()))
				}
				segs := []string{strings.Join(parts, "，"), fmt.Sprintf(sumValid, s.Total.Valid), fmt.Sprintf(sumGood, s.Good.Percent(), s.Good)}
				if s.Weighted != nil {
					segs = append(segs, fmt.Sprintf(sumWeighted, s.Weighted.Good.Percent()))
				}
				if s.Score != nil {
					segs = append(segs, fmt.Sprintf(sumScore, s.Score.Decimal()))
				}
				sum := strings.Join(segs, "；")
				add(f, s.ID, s.Name, s.Post, sum, s.Flags)
				out[len(out)-1].Team = IsTeam(s.Name, f.Evaluation.Grades)
			}
		case f.Recommendation != nil:
			for _, pos := range f.Recommendation.Positions {
				for _, c := range pos.Candidates {
					line := pos.ID + "/" + c.ID
					if c.WriteIn {
						// by the key: the spelling shown may change, the person does not
						line = pos.ID + "/+" + ballot.NameKey(c.Name)
					}
					add(f, line, c.Name, c.Post, fmt.Sprintf(sumRecommended, pos.Title, c.Votes.Total, c.Rate.Percent(), c.Rate, c.Rank), c.Flags)
				}
			}
		case f.Approval != nil:
			for _, n := range f.Approval.Nominees {
				format := sumApprovedExpected
				if f.Approval.PassBase == ballot.BaseTurnout {
					format = sumApprovedTurnout
				}
				add(f, n.ID, n.Name, n.Post, fmt.Sprintf(format, n.Counts.Options[0].Total, n.Counts.Options[1].Total, n.Counts.Options[2].Total, n.Agree.Percent()), n.Flags)
			}
		case f.Review != nil:
			for _, c := range f.Review.Cadres {
				add(f, c.ID, c.Name, c.Post, fmt.Sprintf(sumReviewed, c.Approve.Percent(), c.Approve, c.Disagree.Percent(), c.Rank), c.Flags)
			}
		case f.Scoring != nil:
			for _, s := range f.Scoring.Subjects {
				sum := fmt.Sprintf(sumScored, s.Mean.Decimal(), s.Scored, s.Rank)
				if s.Trimmed != nil {
					sum = fmt.Sprintf(sumScoredTrimmed, s.Mean.Decimal(), s.Scored, s.Trimmed.Decimal(), s.Rank)
				}
				add(f, s.ID, s.Name, s.Post, sum, nil)
			}
		}
	}
	return out
}

// Match finds the cadre an entry is about in a register: the one with that name, or with
// that name and post when the name is shared. ok is false when none or several fit.
// Names compare by their key, so a register line typed "ZhangSan" before names kept
// their spaces is the "Zhang San" of a later poll.
func Match(register []Cadre, name, post string) (string, bool) {
	var byName []Cadre
	key := ballot.NameKey(name)
	for _, c := range register {
		if ballot.NameKey(c.Name) == key {
			byName = append(byName, c)
		}
	}
	if len(byName) == 1 {
		return byName[0].ID, true
	}
	for _, c := range byName {
		if post != "" && c.Post == post {
			return c.ID, true
		}
	}
	return "", false
}
