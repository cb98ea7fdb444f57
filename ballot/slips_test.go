package ballot

import "testing"

func TestSlipsDue(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		expected int
		t        Turnout
		want     int
	}{
		{40, Turnout{}, 40},
		{40, Turnout{Issued: 12, Voided: 3}, 28}, // voided slips are not in Issued: they are replaced
		{40, Turnout{Issued: 40, Used: 30}, 0},
		{40, Turnout{Issued: 45}, 0}, // spares issued: nothing due, never negative
	} {
		if got := SlipsDue(c.expected, c.t); got != c.want {
			t.Errorf("SlipsDue(%d, %+v) = %d, want %d", c.expected, c.t, got, c.want)
		}
	}
}

func TestBatchHint(t *testing.T) {
	t.Parallel()
	toks := []Token{"ABCD0123456789EF", "GHJK0123456789MN", "PQRS0123456789WX"}
	if got := BatchHint(toks); got != "ABCD…89WX" {
		t.Errorf("hint %q", got)
	}
	if got := BatchHint(toks[:1]); got != "ABCD…89EF" {
		t.Errorf("hint of one %q", got)
	}
	if BatchHint(nil) != "" {
		t.Error("hint of no tokens")
	}
}
