package i18n

// A message made in Chinese keeps its format and arguments (the domain's coded errors, a
// verification's notes), so that it can be said again in the reader's language. What
// follows is the one way its arguments are said, shared by every package that keeps such
// messages; the packages of the domain each say their own errors with it.

// Sayer is a value that says itself in a language: a field's name that holds data, a list
// of batches, an error given as the cause of another.
type Sayer interface{ Say(*Printer) string }

// Known is s in p's language when it is a message of the catalogue ("全表", "用户名"), and s
// as it is otherwise: words a person wrote (a name, a title) are never translated.
func (p *Printer) Known(s string) string {
	if Has(s) {
		return p.T(s)
	}
	return s
}

// SayArgs are a message's arguments in p's language: a string that is a message of the
// catalogue and a Sayer are said again; numbers and words a person wrote stay.
func SayArgs(p *Printer, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			a = p.Known(v)
		case Sayer:
			a = v.Say(p)
		}
		out[i] = a
	}
	return out
}
