package store_test

import (
	"testing"

	"minyi/ballot"
	"minyi/store/dbtest"
	"minyi/survey"
)

// A tally holding a NUL (a free answer sealed before text was cleaned at the door) is
// stored by the real database, the NUL kept as U+FFFD; a text that merely says \u0000
// is stored as written.
func TestSaveTallyWithNUL(t *testing.T) {
	t.Parallel()
	s := dbtest.New(t)
	p := newPoll(t, s)
	k, _ := ballot.NewPollKey()
	if err := s.OpenPoll(ctx, p.ID, 2, k.Public, nil, []byte("wrapped")); err != nil {
		t.Fatal(err)
	}
	if err := s.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	texts := []string{"意见\x00建议", `写的是\u0000`, `\\u0000`, "\x00"}
	tl := &ballot.Tally{PollID: p.ID, Title: "会\x00议", Forms: []ballot.FormTally{{Form: "f1", Kind: ballot.KindSurvey,
		Survey: &survey.Tally{Questions: []survey.QuestionTally{{ID: "q1", Kind: survey.Text, Title: "意见", Texts: texts}}}}}}
	if err := s.SaveTally(ctx, tl, "", &ballot.Signed{}, nil); err != nil {
		t.Fatalf("storing the tally: %v", err)
	}
	got, _, err := s.Tally(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"意见\uFFFD建议", `写的是\u0000`, `\\u0000`, "\uFFFD"}
	gotTexts := got.Forms[0].Survey.Questions[0].Texts
	if got.Title != "会\uFFFD议" || len(gotTexts) != len(want) {
		t.Fatalf("stored %q, %q", got.Title, gotTexts)
	}
	for i := range want {
		if gotTexts[i] != want[i] {
			t.Errorf("text %d stored as %q, want %q", i, gotTexts[i], want[i])
		}
	}
}
