package server

import (
	"testing"

	"minyi/ballot"
	"minyi/i18n"
)

// An error whose message names another (the builder's "参评类别" + the line's own error)
// reads as before in Chinese and is said again, inner message too, in English.
func TestErrTextSaysTheCauseAgain(t *testing.T) {
	inner := ballot.Errorf(ballot.EINVALID, "第%d行：应到人数“%s”不是整数", 2, "forty")
	err := ballot.Errorf(ballot.EINVALID, "参评类别%s", ballot.Cause{Err: inner})
	if want := "参评类别第2行：应到人数“forty”不是整数"; err.Message != want || ballot.SayError(i18n.For(i18n.Zh), err) != want {
		t.Errorf("Chinese: %q, %q; want %q", err.Message, ballot.SayError(i18n.For(i18n.Zh), err), want)
	}
	if got, want := ballot.SayError(i18n.For(i18n.En), err), `Groups: Line 2: the expected number "forty" is not a whole number.`; got != want {
		t.Errorf("English: %q, want %q", got, want)
	}
}
