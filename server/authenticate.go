package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

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
