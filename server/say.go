package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
)

// apiPr is the printer of an API request: its Accept-Language alone, cookies aside.
func apiPr(c *fiber.Ctx) *i18n.Printer {
	return i18n.For(i18n.Match(c.Get(fiber.HeaderAcceptLanguage)))
}

// pr is the printer of the request's language.
func pr(c *fiber.Ctx) *i18n.Printer { return i18n.For(langOf(c)) }

// tr says a message in the request's language; format is its ID in the catalogue.
func tr(c *fiber.Ctx, format string, args ...any) string { return pr(c).T(format, args...) }

// errText says an error's message in a language: a coded error again from its format, an
// internal one as the general line (its text is never shown). An argument that is itself a
// message of the catalogue (a field's name, "用户名") is said in the language too.
func errText(p *i18n.Printer, err error) string {
	var e *ballot.Error
	if !errors.As(err, &e) {
		return p.T(ballot.InternalMessage)
	}
	if e.Format == "" || p.Lang() == i18n.Zh {
		return e.Message
	}
	return p.T(e.Format, sayArgs(p, e.Args)...)
}

// sayArgs are a message's arguments in p's language: one that is itself a message of the
// catalogue, one that can say itself (Say) and an error given as a cause are said again.
func sayArgs(p *i18n.Printer, args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			if i18n.Has(v) {
				a = p.T(v)
			}
		case interface{ Say(*i18n.Printer) string }:
			a = v.Say(p)
		}
		if c, ok := a.(ballot.Cause); ok {
			a = errText(p, c.Err)
		}
		out[i] = a
	}
	return out
}

// checkNote is a verification's note in p's language: said again from its format when it
// was built with arguments, else looked up as it is (a note the catalogue lacks stays).
func checkNote(p *i18n.Printer, c ballot.Check) string {
	if c.Format == "" || len(c.Args) == 0 || p.Lang() == i18n.Zh {
		return sayLabel(p, c.Note)
	}
	return p.T(c.Format, sayArgs(p, c.Args)...)
}
