package report

import "strings"

// glueOpen and glueClose enclose text that wrapSafe keeps on one line (a name); they are
// not printed.
const glueOpen, glueClose = '\x02', '\x03'

// opensWord and closesWord are punctuation that stays with the text after or before it.
const opensWord = "（(《「『“‘[【"

const closesWord = "）)》」』”’]】，。、；：！？,.;:!?%"

// breakTokens splits s where a line may break: between Chinese characters, at spaces,
// never inside a run of Latin letters and figures ("83.93%", "47/56", "2026-03-20"),
// never inside glued text, and punctuation kept with its neighbour.
func breakTokens(s string) []string {
	var out []string
	var cur []rune
	glued := false
	flush := func() {
		if len(cur) > 0 {
			out, cur = append(out, string(cur)), nil
		}
	}
	latin := func(r rune) bool { return r < 0x2000 && r != ' ' }
	for _, r := range s {
		switch {
		case r == glueOpen:
			if len(cur) > 0 && !strings.ContainsRune(opensWord, cur[len(cur)-1]) {
				flush()
			}
			glued = true
			cur = append(cur, r)
		case r == glueClose:
			glued = false
			cur = append(cur, r)
		case glued:
			cur = append(cur, r)
		case r == ' ':
			cur = append(cur, r)
			flush()
		case strings.ContainsRune(closesWord, r):
			cur = append(cur, r)
		case strings.ContainsRune(opensWord, r):
			if len(cur) > 0 && !strings.ContainsRune(opensWord, cur[len(cur)-1]) {
				flush()
			}
			cur = append(cur, r)
		case latin(r):
			if n := len(cur); n > 0 && !latin(cur[n-1]) && !strings.ContainsRune(opensWord, cur[n-1]) {
				flush()
			}
			cur = append(cur, r)
		default:
			if n := len(cur); n > 0 && !strings.ContainsRune(opensWord, cur[n-1]) {
				flush()
			}
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// wrapSafe breaks s into lines no wider than w at the places breakTokens allows. A token
// wider than a whole line (a long code) is broken by characters as the last resort.
func wrapSafe(pdf *pdfDoc, s string, w, size float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, tok := range breakTokens(para) {
			switch {
			case line == "" || mixedWidth(pdf, line+tok, size) <= w:
				line += tok
			default:
				lines, line = append(lines, strings.TrimRight(line, " ")), tok
			}
			if mixedWidth(pdf, line, size) > w {
				parts := wrapMixed(pdf, line, w, size)
				lines, line = append(lines, parts[:len(parts)-1]...), parts[len(parts)-1]
			}
		}
		lines = append(lines, strings.TrimRight(line, " "))
	}
	return lines
}

// longestToken is the width of the widest piece of s that may not be broken.
func longestToken(pdf *pdfDoc, s string, size float64) float64 {
	w := 0.0
	for _, tok := range breakTokens(s) {
		w = max(w, mixedWidth(pdf, strings.TrimRight(tok, " "), size))
	}
	return w
}
