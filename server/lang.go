package server

import (
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
