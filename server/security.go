package server

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// sameOrigin refuses a state change whose Origin header names another site: defence in
// depth beside the staff forms' CSRF tokens. Our pages send no referrer, so browsers
// send "Origin: null" on their own form posts; scripts (curl) send no Origin at all.
func (s *Server) sameOrigin(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	origin := c.Get("Origin")
	if origin == "" || origin == "null" {
		return c.Next()
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host == string(c.Request().Host()) {
		return c.Next()
	}
	if b, err := url.Parse(s.cfg.BaseURL); err == nil && s.cfg.BaseURL != "" && u != nil && u.Host == b.Host {
		return c.Next()
	}
	return ballot.Errorf(ballot.EFORBIDDEN, "拒绝来自其他网站的提交，请直接在本系统页面中操作")
}

const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", csp)
	if s.cfg.SecureCookies || c.Protocol() == "https" {
		c.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	if !strings.HasPrefix(c.Path(), "/static/") {
		c.Set("Cache-Control", "no-store")
	}
	return c.Next()
}
