package report

import (
	"strings"

	"minyi/ballot"
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

func flagLine(f ballot.Flag) string {
	s := whole(flagSign(f)+" "+f.Label) + "：" + f.Rule
	if f.Threshold.Valid() && f.Value.Valid() {
		s += whole("（" + f.Value.String() + " = " + f.Value.Percent() + "）")
	}
	return s
}

func flagText(fs []ballot.Flag) Cell {
	var out []string
	for _, f := range fs {
		out = append(out, flagLine(f))
	}
	if len(out) == 0 {
		return Text("—")
	}
	return Prose(strings.Join(out, "\n"))
}
