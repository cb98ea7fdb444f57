package server

import (
	"context"
	"strings"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// Actions of the administrator shared by the admin pages and the API: units and accounts.

// createUnit validates and adds a unit.
func (s *Server) createUnit(ctx context.Context, me *store.Session, name string) (store.Unit, error) {
	name, err := ballot.CleanText(i18n.N("单位名称"), name, ballot.TextLine)
	if err != nil {
		return store.Unit{}, err
	}
	u, err := s.store.CreateUnit(ctx, name)
	if err != nil {
		return store.Unit{}, err
	}
	s.auditBy(ctx, me, "", "unit.create", map[string]string{"name": u.Name})
	return u, nil
}

// staffIn is a new account as typed or sent. A password left empty is drawn at random.
type staffIn struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	UnitID   string `json:"unit_id"`
	Password string `json:"password"`
}

// staffCreated is the new account and, when it was drawn here, its initial password: a
// password the caller chose is never sent back.
type staffCreated struct {
	Staff    store.Staff `json:"staff"`
	Password string      `json:"password,omitempty"`
}

// createStaff validates and creates an account; an admin account belongs to no unit.
func (s *Server) createStaff(ctx context.Context, me *store.Session, in staffIn) (staffCreated, error) {
	name, err := ballot.CleanText(i18n.N("姓名"), in.Name, ballot.TextName)
	if err != nil {
		return staffCreated{}, err
	}
	st := store.Staff{Username: strings.TrimSpace(in.Username), Name: name, Role: store.Role(in.Role), UnitID: in.UnitID}
	if st.Username == "" || st.Name == "" {
		return staffCreated{}, ballot.Errorf(ballot.EINVALID, "请填写用户名和姓名")
	}
	if strings.Trim(st.Username, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" || len(st.Username) > 64 {
		return staffCreated{}, ballot.Errorf(ballot.EINVALID, "用户名只能由字母、数字、下划线、点或减号组成（不超过64个字符）")
	}
	valid := false
	for _, r := range store.Roles {
		valid = valid || r == st.Role
	}
	if !valid {
		return staffCreated{}, ballot.Errorf(ballot.EINVALID, "请选择角色")
	}
	if st.Role == store.RoleAdmin {
		st.UnitID = ""
	}
	password := in.Password
	if password == "" {
		if password, err = NewPassword(); err != nil {
			return staffCreated{}, err
		}
	} else if len(password) < 10 {
		return staffCreated{}, ballot.Errorf(ballot.EINVALID, "密码至少10位")
	}
	if st.PasswordHash, err = HashPassword(password); err != nil {
		return staffCreated{}, err
	}
	if err := s.store.CreateStaff(ctx, &st); err != nil {
		return staffCreated{}, err
	}
	s.auditBy(ctx, me, "", "staff.create", map[string]string{"username": st.Username, "role": string(st.Role)})
	// Read back for the unit's name. The account is made either way: a failed read must
	// not answer as if it were not.
	if full, err := s.store.StaffByUsername(ctx, st.Username); err == nil {
		st = full
	}
	out := staffCreated{Staff: st}
	if in.Password == "" {
		out.Password = password
	}
	return out, nil
}
