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

// flagLine is a conclusion and the rule that drew it. The rule's sentence is the one the
// signed tally keeps, in Chinese; an English reader gets the conclusion's name beside it.
func flagLine(m *i18n.Printer, f ballot.Flag) string {
	s := m.T("%s：%s", whole(flagSign(f)+" "+m.Term(f.Label)), f.Rule)
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
