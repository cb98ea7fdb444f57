package server

import (
	"github.com/gofiber/fiber/v2"

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
