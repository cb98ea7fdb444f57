package report

import (
	"io"

	"minyi/ballot"
	"minyi/i18n"
)

// CodeList writes the CSV of a bulk issue as its codes are drawn, for mail merge and
// SMS: one line a code with its group and the address its QR code carries. It holds
// nothing but the line being written.
type CodeList struct {
	w    io.Writer
	base string
	line []byte
}

// NewCodeList starts the list with its header, in m's language (nil is Chinese). The byte
// order mark makes Excel and WPS open the file as UTF-8.
func NewCodeList(w io.Writer, base string, m *i18n.Printer) (*CodeList, error) {
	if m == nil {
		m = i18n.For(i18n.Zh)
	}
	_, err := io.WriteString(w, "\ufeff"+m.T("参评类别,凭证码,投票地址")+"\r\n")
	return &CodeList{w: w, base: base}, err
}

// Write adds a group's codes.
func (l *CodeList) Write(group string, toks []ballot.Token) error {
	g := csvField(Inert(group))
	for _, t := range toks {
		l.line = append(l.line[:0], g...)
		l.line = append(l.line, ',')
		l.line = append(l.line, t.Grouped()...)
		l.line = append(l.line, ',')
		l.line = append(l.line, VoteURL(l.base, t)...)
		l.line = append(l.line, "\r\n"...)
		if _, err := l.w.Write(l.line); err != nil {
			return err
		}
	}
	return nil
}
