package report

import "strings"

// Inert neutralises a cell of a CSV or a workbook that may begin with what a person typed
// against formula injection: a spreadsheet takes a cell beginning with = + - @ (or a tab
// or carriage return before one) as a formula. Such a cell gets a leading apostrophe, as
// Excel itself shows a typed '=: the text after it is the text as typed. A cell that
// begins with an apostrophe gets one more, so that removing one leading apostrophe always
// gives back the original (a candidate named "+cmd" is written '+cmd and read as +cmd).
func Inert(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r'", rune(s[0])) {
		return "'" + s
	}
	return s
}

// plain drops the marks that keep text together on a printed line.
func plain(s string) string {
	return strings.NewReplacer(string(glueOpen), "", string(glueClose), "").Replace(s)
}
