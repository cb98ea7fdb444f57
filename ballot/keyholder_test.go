package ballot

import (
	"strings"
	"testing"

	"minyi/survey"
)

func keyPoll(holder string, tellers []string, forms ...Form) *Poll {
	p := &Poll{Title: "会议", Groups: []Group{{Name: "全体", Expected: 9}}, KeyHolder: holder, Tellers: tellers, Forms: forms}
	p.Normalize()
	return p
}

func surveyForm() Form {
	return Form{Kind: KindSurvey, Title: "问卷", Survey: &Survey{Questionnaire: survey.Questionnaire{Questions: []survey.Question{{Kind: survey.Single, Title: "评价", Options: []string{"好", "差"}}}}}}
}

// Who holds the key, as a poll is made: the tellers when listed, else the organizer's own
// device; the server only when chosen, without tellers, for a poll of surveys alone. Each
// says so in the one sentence the voter reads.
func TestKeyHolder(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		p                 *Poll
		err, holder, note string
		seats             int
	}{
		"tellers listed":           {p: keyPoll("", []string{"甲", "乙", "丙"}, markForm(1, "张三")), holder: KeyTellers, note: "需3名监票人中的2名共同开箱", seats: 3},
		"no tellers":               {p: keyPoll("", nil, markForm(1, "张三")), holder: KeyOrganizer, note: "密钥由组织者本人的设备保管", seats: 1},
		"a survey by choice":       {p: keyPoll(KeyServer, nil, surveyForm()), holder: KeyServer, note: "本次由服务器保管密钥"},
		"a recommendation":         {p: keyPoll(KeyServer, nil, markForm(1, "张三")), err: "服务器保管密钥仅限非正式的问卷调查：“民主推荐表”是民主推荐表"},
		"a survey and a vote":      {p: keyPoll(KeyServer, nil, surveyForm(), markForm(1, "张三")), err: "仅限非正式的问卷调查"},
		"a survey with tellers":    {p: keyPoll(KeyServer, []string{"甲"}, surveyForm()), err: "设了监票人的投票活动不能由服务器保管密钥"},
		"the organizer, tellers":   {p: keyPoll(KeyOrganizer, []string{"甲"}, surveyForm()), err: "不设监票人"},
		"tellers without names":    {p: keyPoll(KeyTellers, nil, surveyForm()), err: "请填写监票人姓名"},
		"a holder of no such kind": {p: keyPoll("cloud", nil, surveyForm()), err: "密钥保管方式“cloud”无效"},
	} {
		err := c.p.ValidateNew()
		if c.err != "" {
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.err) {
				t.Errorf("%s: %v, want %q", name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if c.p.KeyHolder != c.holder || c.p.KeyNote() != c.note || len(c.p.KeySeats()) != c.seats {
			t.Errorf("%s: holder %q, note %q, seats %v", name, c.p.KeyHolder, c.p.KeyNote(), c.p.KeySeats())
		}
	}
	// A poll opened with the server's key before the setting existed reads back as it was:
	// its definition still validates, so its signed results still verify.
	old := keyPoll("", nil, markForm(1, "张三"))
	old.KeyHolder = KeyServer
	if err := old.Validate(); err != nil {
		t.Fatalf("an old server-held poll: %v", err)
	}
}

// New scoring forms take whole points; a form saved before the step existed keeps tenths.
func TestScoringStepDefault(t *testing.T) {
	t.Parallel()
	form := func(step int) Form {
		return Form{ID: "f1", Kind: KindScoring, Title: "打分表", Scoring: &Scoring{Subjects: []Subject{{ID: "s1", Name: "甲"}}, Step: step}}
	}
	p := keyPoll("", nil, form(0))
	if err := p.ValidateNew(); err != nil || p.Forms[0].Scoring.Step != DefaultScoreStep {
		t.Fatalf("new form: step %d, %v", p.Forms[0].Scoring.Step, err)
	}
	score := func(p *Poll, v string) error {
		_, err := p.Check(&Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {v}}}}})
		return err
	}
	if err := score(p, "85.5"); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "应为1分的整数倍") {
		t.Fatalf("a half point on a whole-point form: %v", err)
	}
	if err := score(p, "86"); err != nil {
		t.Fatal(err)
	}
	saved := &Poll{Title: "会议", Quorum: DefaultQuorum, Groups: []Group{{Name: "全体", Expected: 9}}, Forms: []Form{form(0)}}
	saved.Forms[0].Scoring.Max, saved.Forms[0].Scoring.TrimAt = 100, 5
	if err := score(saved, "85.5"); err != nil {
		t.Fatalf("a saved form without a step: %v", err)
	}
}
