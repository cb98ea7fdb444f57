package server

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
)

// The language of a page: the lang cookie, set by the switch on every page, wins; then the
// browser's Accept-Language; Chinese by default. A voter's ballot follows its poll's
// language unless the voter switched. The API's messages follow Accept-Language only.

const langCookie = "lang"

type langKey struct{}

// language reads the request's language once, before any handler, so that an error page
// of a refused request speaks it too.
func (s *Server) language(c *fiber.Ctx) error {
	lang, ok := s.chosenLang(c)
	if !ok {
		lang = i18n.Match(c.Get(fiber.HeaderAcceptLanguage))
	}
	c.Locals(langKey{}, lang)
	return c.Next()
}

// chosenLang is the language the reader chose with the switch, if any.
func (s *Server) chosenLang(c *fiber.Ctx) (i18n.Lang, bool) {
	lang, ok := i18n.Parse(c.Cookies(langCookie))
	if lang == i18n.Pseudo && !s.cfg.PseudoLocale {
		return i18n.Zh, false
	}
	return lang, ok
}

// langOf is the language the request is answered in.
func langOf(c *fiber.Ctx) i18n.Lang {
	if l, ok := c.Locals(langKey{}).(i18n.Lang); ok {
		return l
	}
	return i18n.Zh
}

// pollLang makes a voter's page follow its poll's language, unless the voter switched.
func (s *Server) pollLang(c *fiber.Ctx, pollLang string) {
	if _, chosen := s.chosenLang(c); chosen {
		return
	}
	if l, ok := i18n.Parse(pollLang); ok && l != i18n.Pseudo {
		c.Locals(langKey{}, l)
	}
}

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

// switchLang is the language switch: it keeps the choice in a cookie and goes back to the
// page it was clicked on (a path of this site only). It works without JavaScript.
func (s *Server) switchLang(c *fiber.Ctx) error {
	lang, ok := i18n.Parse(c.Params("lang"))
	if !ok || (lang == i18n.Pseudo && !s.cfg.PseudoLocale) {
		return ballot.Errorf(ballot.ENOTFOUND, "页面不存在")
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: string(lang), Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.cfg.SecureCookies, Expires: time.Now().Add(365 * 24 * time.Hour)})
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

// langSwitch is the switch's link on a page: to the other language, back to this page.
func langSwitch(c *fiber.Ctx) (href, label, lang string) {
	next := url.QueryEscape(c.OriginalURL())
	if langOf(c) == i18n.Zh {
		return "/lang/en?next=" + next, "English", "en"
	}
	return "/lang/zh?next=" + next, "中文", "zh-CN"
}
