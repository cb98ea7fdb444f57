package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

func (s *Server) unitsPage(c *fiber.Ctx) error {
	return s.renderUnits(c, fiber.StatusOK, "", nil)
}

func (s *Server) renderUnits(c *fiber.Ctx, status int, name string, err error) error {
	units, uerr := s.store.Units(c.UserContext())
	if uerr != nil {
		return uerr
	}
	data := fiber.Map{"Title": "单位", "Units": units, "Name": name}
	if err != nil {
		data["Error"] = ballot.ErrorMessage(err)
	}
	return s.page(c, status, "staff/units", data)
}

func (s *Server) unitCreate(c *fiber.Ctx) error {
	u, err := s.createUnit(c, c.FormValue("name"))
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		return s.renderUnits(c, fiber.StatusBadRequest, c.FormValue("name"), err)
	} else if err != nil {
		return err
	}
	return s.redirectWith(c, "/admin/units", "已添加单位“"+u.Name+"”。")
}

// staffForm is a new account as typed.
type staffForm struct {
	Username, Name, Role, UnitID string
}

func (s *Server) staffPage(c *fiber.Ctx) error {
	return s.renderStaff(c, fiber.StatusOK, staffForm{Role: string(store.RoleOrganizer)}, "", nil)
}

func (s *Server) renderStaff(c *fiber.Ctx, status int, f staffForm, newPassword string, err error) error {
	ctx := c.UserContext()
	units, uerr := s.store.Units(ctx)
	if uerr != nil {
		return uerr
	}
	staff, serr := s.store.ListStaff(ctx, "")
	if serr != nil {
		return serr
	}
	data := fiber.Map{"Title": "账号", "Units": units, "Staff": staff, "Roles": store.Roles, "F": f, "NewPassword": newPassword}
	if err != nil {
		data["Error"] = ballot.ErrorMessage(err)
	}
	return s.page(c, status, "staff/staff", data)
}

// newStaff validates and creates an account with a random initial password.
func (s *Server) newStaff(c *fiber.Ctx, f staffForm, password string) (string, error) {
	name, err := ballot.CleanText("姓名", f.Name, ballot.TextName)
	if err != nil {
		return "", err
	}
	st := store.Staff{Username: strings.TrimSpace(f.Username), Name: name, Role: store.Role(f.Role), UnitID: f.UnitID}
	if st.Username == "" || st.Name == "" {
		return "", ballot.Errorf(ballot.EINVALID, "请填写用户名和姓名")
	}
	if strings.Trim(st.Username, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != "" || len(st.Username) > 64 {
		return "", ballot.Errorf(ballot.EINVALID, "用户名只能由字母、数字、下划线、点或减号组成（不超过64个字符）")
	}
	valid := false
	for _, r := range store.Roles {
		valid = valid || r == st.Role
	}
	if !valid {
		return "", ballot.Errorf(ballot.EINVALID, "请选择角色")
	}
	if st.Role == store.RoleAdmin {
		st.UnitID = ""
	}
	if password == "" {
		if password, err = NewPassword(); err != nil {
			return "", err
		}
	} else if len(password) < 10 {
		return "", ballot.Errorf(ballot.EINVALID, "密码至少10位")
	}
	if st.PasswordHash, err = HashPassword(password); err != nil {
		return "", err
	}
	if err := s.store.CreateStaff(c.UserContext(), &st); err != nil {
		return "", err
	}
	s.audit(c, "", "staff.create", map[string]string{"username": st.Username, "role": string(st.Role)})
	return password, nil
}

func (s *Server) staffCreate(c *fiber.Ctx) error {
	f := staffForm{Username: c.FormValue("username"), Name: c.FormValue("name"), Role: c.FormValue("role"), UnitID: c.FormValue("unit_id")}
	password, err := s.newStaff(c, f, "")
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		return s.renderStaff(c, fiber.StatusBadRequest, f, "", err)
	} else if err != nil {
		return err
	}
	return s.renderStaff(c, fiber.StatusOK, staffForm{Role: f.Role, UnitID: f.UnitID}, password, nil)
}

func (s *Server) createUnit(c *fiber.Ctx, name string) (store.Unit, error) {
	name, err := ballot.CleanText("单位名称", name, ballot.TextLine)
	if err != nil {
		return store.Unit{}, err
	}
	u, err := s.store.CreateUnit(c.UserContext(), name)
	if err == nil {
		s.audit(c, "", "unit.create", map[string]string{"name": u.Name})
	}
	return u, err
}
