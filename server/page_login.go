package server

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// Signing in and out in the browser; the API's sign-in is in api.go.

func (s *Server) loginPage(c *fiber.Ctx) error {
	return s.renderLogin(c, fiber.StatusOK, "", "")
}

func (s *Server) renderLogin(c *fiber.Ctx, status int, username, msg string) error {
	token, err := newCSRF()
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: loginCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Strict", Secure: s.cfg.SecureCookies})
	return s.page(c, status, "staff/login", fiber.Map{"Title": tr(c, "登录"), "CSRF": token, "Next": safeNext(c.Query("next", c.FormValue("next"))), "Username": username, "Error": msg})
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	want := c.Cookies(loginCookie)
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(c.FormValue("_csrf"))) != 1 {
		return s.renderLogin(c, fiber.StatusForbidden, c.FormValue("username"), tr(c, "页面已过期，请重新登录"))
	}
	me, err := s.authenticate(c, c.FormValue("username"), c.FormValue("password"))
	if err != nil {
		if code := ballot.ErrorCode(err); code == ballot.EUNAUTHORIZED || code == ballot.ETOOMANY {
			return s.renderLogin(c, statusOf[code], c.FormValue("username"), ballot.SayError(pr(c), err))
		}
		return err
	}
	secret, err := s.store.CreateSession(c.UserContext(), me.ID, false, sessionTTL)
	if err != nil {
		return err
	}
	s.setSession(c, secret)
	c.ClearCookie(loginCookie)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.store.DeleteSession(c.UserContext(), c.Cookies(sessionCookie)); err != nil {
		return err
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
