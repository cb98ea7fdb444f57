package server

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

func (s *Server) static(c *fiber.Ctx) error {
	a, ok := s.assets.ByURL(c.Path())
	if !ok {
		return ballot.Errorf(ballot.ENOTFOUND, "文件不存在")
	}
	c.Set("Cache-Control", "public, max-age=31536000, immutable")
	c.Set("Vary", "Accept-Encoding")
	c.Type(strings.TrimPrefix(a.ContentType, "."))
	c.Set("Content-Type", a.ContentType)
	return c.Send(a.Body)
}

// cst is China Standard Time: organizers read times in it wherever the server runs.
var cst = time.FixedZone("CST", 8*3600)

// page renders a staff or voter page with the common data (the signed-in person, the
// CSRF token, a flash message).
func (s *Server) page(c *fiber.Ctx, status int, name string, data fiber.Map) error {
	if data == nil {
		data = fiber.Map{}
	}
	if me := meOf(c); me != nil {
		data["Me"] = me
		data["CSRF"] = me.CSRF
	}
	if f := c.Cookies(flashCookie); f != "" {
		if msg, err := url.QueryUnescape(f); err == nil {
			data["Flash"] = msg
		}
		// Expire it with the same attributes it was set with, or the browser keeps it.
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies})
	}
	lang := langOf(c)
	data["Lang"] = lang.HTMLLang()
	data["Switch"], data["SwitchLabel"], data["SwitchLang"] = langSwitch(c)
	c.Status(status)
	c.Set("Content-Type", "text/html; charset=utf-8")
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	return s.tpl.Render(c.Response().BodyWriter(), string(lang), name, data)
}

const flashCookie = "minyi_flash"

// redirectWith redirects after a successful post with a message for the next page.
func (s *Server) redirectWith(c *fiber.Ctx, to, msg string) error {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.SecureCookies})
	return c.Redirect(to, fiber.StatusSeeOther)
}

func meOf(c *fiber.Ctx) *store.Session {
	me, _ := c.Locals("me").(*store.Session)
	return me
}
