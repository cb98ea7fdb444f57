package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"

	"minyi/ballot"
	"minyi/i18n"
)

// Role is what a staff account may do.
type Role string

// Roles of staff accounts.
const (
	RoleAdmin     Role = "admin"     // every unit, accounts and units
	RoleOrganizer Role = "organizer" // sets polls up and runs them for the unit
	RoleTeller    Role = "teller"    // counts after close
	RoleEvaluator Role = "evaluator" // reads the unit's tallies
)

// Label is the role as staff read it.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return i18n.N("管理员")
	case RoleOrganizer:
		return i18n.N("组织者")
	case RoleTeller:
		return i18n.N("监票人")
	case RoleEvaluator:
		return i18n.N("考察/考核人员")
	}
	return string(r)
}

// Roles lists the roles in display order.
var Roles = []Role{RoleOrganizer, RoleTeller, RoleEvaluator, RoleAdmin}

// Staff is an account of the organisation department's staff.
type Staff struct {
	ID           string `db:"id" json:"id"`
	UnitID       string `db:"unit_id" json:"unit_id"`
	UnitName     string `db:"unit_name" json:"unit_name"`
	Username     string `db:"username" json:"username"`
	Name         string `db:"name" json:"name"`
	Role         Role   `db:"role" json:"role"`
	PasswordHash string `db:"password_hash" json:"-"`
	Disabled     bool   `db:"disabled" json:"disabled"`
	Locked       bool   `db:"locked" json:"locked"` // after failed logins, for a while
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkID rejects a malformed id before it reaches SQL: it names no object.
func checkID(id, what string) error {
	if !uuidRE.MatchString(id) {
		return ballot.Errorf(ballot.ENOTFOUND, "%s不存在", what)
	}
	return nil
}

const staffColumns = `s.id, COALESCE(s.unit_id::text, '') AS unit_id, COALESCE(u.name, '') AS unit_name,
	s.username, s.name, s.role, s.password_hash, s.disabled, EXISTS (SELECT 1 FROM login_failures f WHERE f.username = s.username AND f.locked_until > now()) AS locked`

const staffFrom = ` FROM staff s LEFT JOIN units u ON u.id = s.unit_id`

var (
	qStaffByUsername = query(`SELECT ` + staffColumns + staffFrom + ` WHERE s.username = $1`)
	qStaffByID       = query(`SELECT ` + staffColumns + staffFrom + ` WHERE s.id = $1`)
	qListStaff       = query(`SELECT ` + staffColumns + staffFrom + ` WHERE ($1 = '' OR s.unit_id::text = $1) ORDER BY u.name NULLS FIRST, s.username`)
	qCreateStaff     = query(`INSERT INTO staff (unit_id, username, name, role, password_hash)
		VALUES (NULLIF($1, '')::uuid, $2, $3, $4, $5) RETURNING id`)
	qSetPassword = query(`WITH s AS (UPDATE staff SET password_hash = $2 WHERE id = $1 RETURNING username)
		DELETE FROM login_failures WHERE username IN (SELECT username FROM s)`)
	qLoginLock   = query(`SELECT locked_until FROM login_failures WHERE username = $1 AND locked_until > now()`)
	qLoginFailed = query(`INSERT INTO login_failures AS f (username, failed, locked_until)
			VALUES ($1, CASE WHEN $2 <= 1 THEN 0 ELSE 1 END, CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END)
		ON CONFLICT (username) DO UPDATE SET
			failed = CASE WHEN f.failed + 1 >= $2 THEN 0 ELSE f.failed + 1 END,
			locked_until = CASE WHEN f.failed + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE f.locked_until END,
			last_failed = now()
		RETURNING locked_until`)
	qLoginSucceeded    = query(`DELETE FROM login_failures WHERE username = $1`)
	qForgetLoginFailed = query(`DELETE FROM login_failures WHERE last_failed < now() - make_interval(secs => $1)
		AND (locked_until IS NULL OR locked_until < now())`)
	qCountStaff   = query(`SELECT count(*) FROM staff`)
	qDisableStaff = query(`UPDATE staff SET disabled = true WHERE id = $1`)
	qEndSessions  = query(`DELETE FROM sessions WHERE staff_id = $1`)
)

// StaffByUsername finds an account for login.
func (s *Store) StaffByUsername(ctx context.Context, username string) (Staff, error) {
	var st Staff
	err := s.db.GetContext(ctx, &st, qStaffByUsername, username)
	return st, notFound(err, "账号")
}

// StaffByID finds an account.
func (s *Store) StaffByID(ctx context.Context, id string) (Staff, error) {
	var st Staff
	if err := checkID(id, "账号"); err != nil {
		return st, err
	}
	err := s.db.GetContext(ctx, &st, qStaffByID, id)
	return st, notFound(err, "账号")
}

// ListStaff lists the accounts of a unit, or all with unitID "".
func (s *Store) ListStaff(ctx context.Context, unitID string) ([]Staff, error) {
	var out []Staff
	err := s.db.SelectContext(ctx, &out, qListStaff, unitID)
	return out, err
}

// CreateStaff adds an account; st.PasswordHash must already be a hash.
func (s *Store) CreateStaff(ctx context.Context, st *Staff) error {
	if st.Role != RoleAdmin && st.UnitID == "" {
		return ballot.Errorf(ballot.EINVALID, "请为账号选择所属单位")
	}
	if st.UnitID != "" {
		if err := checkID(st.UnitID, "单位"); err != nil {
			return err
		}
	}
	err := s.db.GetContext(ctx, &st.ID, qCreateStaff, st.UnitID, st.Username, st.Name, st.Role, st.PasswordHash)
	if isUniqueViolation(err) {
		return ballot.Errorf(ballot.ECONFLICT, "用户名“%s”已被使用", st.Username)
	}
	return err
}

// DisableStaff disables an account and ends its sessions: it can no longer log in nor act.
// The account stays, as the audit log and the tallies it made name it.
func (s *Store) DisableStaff(ctx context.Context, id string) error {
	if err := checkID(id, "账号"); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, qDisableStaff, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, qEndSessions, id)
		return err
	})
}

// SetPassword replaces an account's password hash and unlocks its username.
func (s *Store) SetPassword(ctx context.Context, id, hash string) error {
	_, err := s.db.ExecContext(ctx, qSetPassword, id, hash)
	return err
}

// LoginLock is when a username's lock ends, or the zero time if it is not locked. Any
// username may be locked, whether or not an account has it.
func (s *Store) LoginLock(ctx context.Context, username string) (time.Time, error) {
	var until time.Time
	err := s.db.GetContext(ctx, &until, qLoginLock, username)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return until, err
}

// LoginFailed counts a failed login for a username (an account's or not); the limit-th in
// a row locks it for the given time. It returns when the lock ends, or the zero time.
func (s *Store) LoginFailed(ctx context.Context, username string, limit int, lock time.Duration) (time.Time, error) {
	var until sql.NullTime
	err := s.db.GetContext(ctx, &until, qLoginFailed, username, limit, lock.Seconds())
	if !until.Valid || !until.Time.After(time.Now()) {
		return time.Time{}, err
	}
	return until.Time, err
}

// LoginSucceeded clears a username's count of failed logins.
func (s *Store) LoginSucceeded(ctx context.Context, username string) error {
	_, err := s.db.ExecContext(ctx, qLoginSucceeded, username)
	return err
}

// ForgetLoginFailures drops the counts of usernames that have not failed for a while and
// are not locked, so typed-in names do not pile up.
func (s *Store) ForgetLoginFailures(ctx context.Context, after time.Duration) error {
	_, err := s.db.ExecContext(ctx, qForgetLoginFailed, after.Seconds())
	return err
}

// CountStaff counts accounts; zero means a fresh installation.
func (s *Store) CountStaff(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, qCountStaff)
	return n, err
}
