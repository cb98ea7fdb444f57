package server

import (
	"regexp"
	"testing"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/survey"
)

var han = regexp.MustCompile(`[\p{Han}“”，。：（）]`)

// The organizer's errors read in English: a form's rule broken inside a named form says
// both in English, a survey's own check too, and a year is written as a year.
func TestDomainErrorsInEnglish(t *testing.T) {
	en := i18n.For(i18n.En)
	p := &ballot.Poll{Title: "Poll", Groups: []ballot.Group{{ID: "g1", Name: "All", Expected: 5}},
		Forms: []ballot.Form{{ID: "f1", Kind: ballot.KindSurvey, Title: "Form A", Survey: &ballot.Survey{Questionnaire: survey.Questionnaire{
			Questions: []survey.Question{{Kind: survey.Single, Title: "Q", Options: []string{"x", "x"}}}}}}}}
	p.Normalize()
	err := p.Validate()
	if err == nil {
		t.Fatal("a question with the same option twice is accepted")
	}
	zh, got := ballot.SayError(i18n.For(i18n.Zh), err), ballot.SayError(en, err)
	if zh != ballot.ErrorMessage(err) {
		t.Errorf("the Chinese message changed: %q, was %q", zh, ballot.ErrorMessage(err))
	}
	if want := `Form A: The option "x" of question 1 is listed twice.`; got != want {
		t.Errorf("English: %q, want %q (Chinese %q)", got, want, zh)
	}
	if got := ballot.SayError(en, ballot.CheckYear(1999)); got != `The assessment year "1999" is wrong: it must be between 2000 and 2100.` {
		t.Errorf("English year: %q", got)
	}
}

// Every action of the log reads in English, with no Chinese of its own.
func TestAuditSentencesInEnglish(t *testing.T) {
	d := map[string]string{"title": "T", "tellers": "3", "quorum": "2", "ballots": "43", "paper_pending": "1", "checked": "2",
		"group": "G", "from": "1", "to": "2", "count": "40", "hint": "ABCD", "voided": "3", "entries": "4", "name": "N",
		"cadre": "C", "unit": "U", "post": "P", "step": "S", "username": "u", "role": "teller", "url": "https://x", "close_at": "2026-11-30 16:30"}
	for action := range auditLabels {
		if got := auditSentenceIn(i18n.For(i18n.En), action, d); han.MatchString(got) {
			t.Errorf("%s: %q", action, got)
		}
		if got := auditSentenceIn(i18n.For(i18n.En), action, nil); han.MatchString(got) {
			t.Errorf("%s without detail: %q", action, got)
		}
	}
}
