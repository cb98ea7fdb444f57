package report

import (
	"strings"

	"minyi/ballot"
	"minyi/i18n"
)

// flagSign marks a flag's tone (ballot.Flag.Tone) with a sign the report's font draws, so
// positive and negative conclusions stay distinct when printed in grey.
func flagSign(f ballot.Flag) string {
	switch f.Tone() {
	case "positive":
		return "✔"
	case "negative":
		return "✘"
	}
	return "•"
}

// flagLine is a conclusion and the rule that drew it, in the reader's language where the
// signed tally's sentence can be read back (ballot.Say), as signed otherwise.
func flagLine(m *i18n.Printer, f ballot.Flag) string {
	s := m.T("%s：%s", whole(flagSign(f)+" "+ballot.SayLabel(m, f.Label)), ballot.Say(m, f.Rule))
	if f.Threshold.Valid() && f.Value.Valid() {
		s += whole(m.T("（%s = %s）", f.Value.String(), f.Value.Percent()))
	}
	return s
}

func flagText(m *i18n.Printer, fs []ballot.Flag) Cell {
	var out []string
	for _, f := range fs {
		out = append(out, flagLine(m, f))
	}
	if len(out) == 0 {
		return Text("—")
	}
	return Prose(strings.Join(out, "\n"))
}
