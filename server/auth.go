package server

import (
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/records"
	"minyi/store"
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
			return s.renderLogin(c, statusOf[code], c.FormValue("username"), errText(pr(c), err))
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

// authenticate checks a username and password; the answer never says which was wrong,
// nor whether the username exists. Failures are limited per client address, and per
// username typed (see limits.go): five in a row lock the username, any username, so the
// lock and its message read the same for a real account and an invented one, and the
// password is checked (against a dummy hash if need be) in every case, so the time taken
// does not tell them apart either. The log names the account only when it exists, so a
// password typed into the username field is never written down.
func (s *Server) authenticate(c *fiber.Ctx, username, password string) (store.Staff, error) {
	ctx := c.UserContext()
	if s.loginFails.blocked(c.IP()) {
		return store.Staff{}, ballot.Errorf(ballot.ETOOMANY, "登录失败次数过多，请%d分钟后再试", int(s.loginFails.retryAfter().Minutes()))
	}
	username, err := ballot.CleanText(i18n.N("用户名"), username, ballot.TextLine)
	if err != nil {
		username = "" // no account has it: the login fails as for an unknown name
	}
	lockedUntil, err := s.store.LoginLock(ctx, username)
	if err != nil {
		return store.Staff{}, err
	}
	st, err := s.store.StaffByUsername(ctx, username)
	if err != nil && ballot.ErrorCode(err) != ballot.ENOTFOUND {
		return st, err
	}
	exists := err == nil
	hash := st.PasswordHash
	if !exists {
		hash = dummyHash
	}
	right := CheckPassword(hash, password) && exists && !st.Disabled
	if !lockedUntil.IsZero() {
		if exists {
			s.log.Info("login refused: account locked", "username", st.Username)
		}
		return st, lockedError(lockedUntil)
	}
	if right {
		if err := s.store.LoginSucceeded(ctx, username); err != nil {
			return st, err
		}
		return st, nil
	}
	s.loginFails.fail(c.IP())
	if exists {
		s.log.Info("login failed", "username", st.Username)
	} else {
		s.log.Info("login failed: no such account")
	}
	if lockedUntil, err = s.store.LoginFailed(ctx, username, accountLockFail, accountLockFor); err != nil {
		return st, err
	}
	if !lockedUntil.IsZero() {
		if exists {
			s.log.Warn("account locked after failed logins", "username", st.Username)
		}
		return st, lockedError(lockedUntil)
	}
	return st, ballot.Errorf(ballot.EUNAUTHORIZED, "用户名或密码不正确")
}

// lockedError says when a locked username may try again. It speaks of the username, not
// an account: the same words for one that exists and one that does not.
func lockedError(until time.Time) error {
	// Rounded up to the minute, so that "until 10:05" is never a minute early.
	end := until.Add(time.Minute - time.Nanosecond).Truncate(time.Minute)
	return ballot.Errorf(ballot.ETOOMANY, "该用户名连续%d次登录失败，已锁定至%s；如需立即使用，请管理员重置密码", accountLockFail, end.In(cst).Format("15:04"))
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

func newCSRF() (string, error) {
	p, err := NewPassword()
	return strings.ReplaceAll(p, "-", ""), err
}

// Authorization: the route table (routes.go) names each route's class and the kind of
// object it works on; here are the checks. An object of another unit answers "not found",
// so that its existence does not leak across units.

func canSee(me *store.Session, unitID string) bool {
	return me.Role == store.RoleAdmin || me.UnitID == unitID
}

// unitScope is the unit whose polls the caller lists: their own, or every unit ("") for
// an admin.
func unitScope(me *store.Session) string {
	if me.Role == store.RoleAdmin {
		return ""
	}
	return me.UnitID
}

// canManage and canCount say what a page may offer the caller; the routes behind the
// offers check the same classes.
func canManage(me *store.Session) bool { return Organizer.Allows(me.Role) }

func canCount(me *store.Session) bool { return Counter.Allows(me.Role) }

// Each loader reads the object its route's :id names, refuses one of another unit, and
// leaves it in the request for the handler.
type (
	pollKey      struct{}
	cadreKey     struct{}
	entryKey     struct{}
	selectionKey struct{}
)

func (s *Server) loader(sc Scope) fiber.Handler {
	switch sc {
	case OnPoll:
		return s.loadPoll
	case OnCadre:
		return s.loadCadre
	case OnEntry:
		return s.loadEntry
	case OnSelection:
		return s.loadSelection
	}
	return nil
}

func (s *Server) loadPoll(c *fiber.Ctx) error {
	p, err := s.store.Poll(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), p.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
	}
	c.Locals(pollKey{}, p)
	return c.Next()
}

func (s *Server) loadCadre(c *fiber.Ctx) error {
	cd, err := s.store.Cadre(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), cd.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "干部不存在")
	}
	c.Locals(cadreKey{}, &cd)
	return c.Next()
}

func (s *Server) loadEntry(c *fiber.Ctx) error {
	e, err := s.store.Entry(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), e.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "记录不存在")
	}
	c.Locals(entryKey{}, &e)
	return c.Next()
}

func (s *Server) loadSelection(c *fiber.Ctx) error {
	sel, err := s.store.Selection(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), sel.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "纪实不存在")
	}
	c.Locals(selectionKey{}, sel)
	return c.Next()
}

// pollOf and the others give a scoped route's object, loaded and checked by its loader.
func pollOf(c *fiber.Ctx) *store.PollInfo { return c.Locals(pollKey{}).(*store.PollInfo) }

func cadreOf(c *fiber.Ctx) *records.Cadre { return c.Locals(cadreKey{}).(*records.Cadre) }

func entryOf(c *fiber.Ctx) *records.Entry { return c.Locals(entryKey{}).(*records.Entry) }

func selectionOf(c *fiber.Ctx) *records.Selection {
	return c.Locals(selectionKey{}).(*records.Selection)
}
