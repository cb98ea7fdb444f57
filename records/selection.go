package records

import (
	"time"
	"unicode/utf8"

	"minyi/ballot"
	"minyi/i18n"
)

// Selection is a 选拔任用 process for a post (RULES: 选拔任用纪实, 000): its steps, the
// voting ones linked to their polls.
type Selection struct {
	ID        string    `json:"id" db:"id"`
	UnitID    string    `json:"unit_id" db:"unit_id"`
	Post      string    `json:"post" db:"post"` // the post to fill
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	Steps     []Step    `json:"steps" db:"-"`
}

// Step is one step of a selection.
type Step struct {
	ID     string    `json:"id" db:"id"`
	Kind   string    `json:"kind" db:"kind"`
	Date   time.Time `json:"date" db:"date"`
	Note   string    `json:"note" db:"note"`
	PollID string    `json:"poll_id,omitempty" db:"poll_id"`
}

// StepKinds are the steps of a selection in their order (000 「干部选拔任用工作纪实」).
var StepKinds = []string{"动议", "民主推荐", "考察", "讨论决定", "任前公示", "任职"}

// Voting reports the steps that are votes: their poll shows its certified result.
func Voting(kind string) bool { return kind == "民主推荐" || kind == "讨论决定" }

// Validate checks a selection's post.
func (s *Selection) Validate() error {
	post, err := ballot.CleanText(i18n.N("拟任职务"), s.Post, ballot.TextLine)
	if err != nil {
		return err
	}
	s.Post = post
	if s.Post == "" || utf8.RuneCountInString(s.Post) > 100 {
		return ballot.Errorf(ballot.EINVALID, "请填写拟任职务（不超过100字）")
	}
	return nil
}

// Validate checks a step.
func (st *Step) Validate() error {
	note, err := ballot.CleanText(i18n.N("说明"), st.Note, ballot.TextPara)
	if err != nil {
		return err
	}
	st.Note = note
	ok := false
	for _, k := range StepKinds {
		ok = ok || k == st.Kind
	}
	switch {
	case !ok:
		return ballot.Errorf(ballot.EINVALID, "请选择环节")
	case st.Date.IsZero():
		return ballot.Errorf(ballot.EINVALID, "请填写日期")
	case utf8.RuneCountInString(st.Note) > 1000:
		return ballot.Errorf(ballot.EINVALID, "说明不超过1000字")
	case st.PollID != "" && !Voting(st.Kind):
		return ballot.Errorf(ballot.EINVALID, "只有“民主推荐”和“讨论决定”环节可以关联投票活动")
	}
	return nil
}
