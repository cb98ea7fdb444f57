package server

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

const (
	sessionCookie = "minyi_session"
	loginCookie   = "minyi_login" // double-submit CSRF value for the login form
	sessionTTL    = 12 * time.Hour
	apiTokenTTL   = 30 * 24 * time.Hour
)

// requireStaff loads the session from the cookie or a bearer token. Pages without one
// redirect to the login page; the API answers 401.
func (s *Server) requireStaff(c *fiber.Ctx) error {
	secret, bearer := c.Cookies(sessionCookie), false
	if h := c.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		secret, bearer = strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")), true
	}
	me, err := s.store.Session(c.UserContext(), secret)
	if err != nil {
		if ballot.ErrorCode(err) == ballot.EUNAUTHORIZED && !isAPI(c) {
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		return err
	}
	if bearer != me.API {
		return ballot.Errorf(ballot.EUNAUTHORIZED, "登录已失效，请重新登录")
	}
	c.Locals("me", &me)
	c.Locals("bearer", bearer)
	return c.Next()
}

// checkCSRF requires the session's CSRF token on every state change made with a cookie.
// Bearer tokens are not sent by browsers on their own, so they need none.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	if b, _ := c.Locals("bearer").(bool); b {
		return c.Next()
	}
	me := meOf(c)
	got := c.FormValue("_csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if me == nil || subtle.ConstantTimeCompare([]byte(got), []byte(me.CSRF)) != 1 {
		return ballot.Errorf(ballot.EFORBIDDEN, "页面已过期，请刷新页面后重试")
	}
	return c.Next()
}

func (s *Server) setSession(c *fiber.Ctx, secret string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: secret, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.cfg.SecureCookies, Expires: time.Now().Add(sessionTTL)})
}

func newCSRF() (string, error) {
	p, err := NewPassword()
	return strings.ReplaceAll(p, "-", ""), err
}
