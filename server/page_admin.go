package server

import (
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
	data := fiber.Map{"Title": tr(c, "单位"), "Units": units, "Name": name}
	if err != nil {
		data["Error"] = ballot.SayError(pr(c), err)
	}
	return s.page(c, status, "staff/units", data)
}

func (s *Server) unitCreate(c *fiber.Ctx) error {
	u, err := s.createUnit(c.UserContext(), meOf(c), c.FormValue("name"))
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		return s.renderUnits(c, fiber.StatusBadRequest, c.FormValue("name"), err)
	} else if err != nil {
		return err
	}
	return s.redirectWith(c, "/admin/units", tr(c, "已添加单位“%s”。", u.Name))
}

func (s *Server) staffPage(c *fiber.Ctx) error {
	return s.renderStaff(c, fiber.StatusOK, staffIn{Role: string(store.RoleOrganizer)}, "", nil)
}

func (s *Server) renderStaff(c *fiber.Ctx, status int, f staffIn, newPassword string, err error) error {
	ctx := c.UserContext()
	units, uerr := s.store.Units(ctx)
	if uerr != nil {
		return uerr
	}
	staff, serr := s.store.ListStaff(ctx, "")
	if serr != nil {
		return serr
	}
	data := fiber.Map{"Title": tr(c, "账号"), "Units": units, "Staff": staff, "Roles": store.Roles, "F": f, "NewPassword": newPassword}
	if err != nil {
		data["Error"] = ballot.SayError(pr(c), err)
	}
	return s.page(c, status, "staff/staff", data)
}

// staffCreate makes an account with a random initial password, shown once.
func (s *Server) staffCreate(c *fiber.Ctx) error {
	f := staffIn{Username: c.FormValue("username"), Name: c.FormValue("name"), Role: c.FormValue("role"), UnitID: c.FormValue("unit_id")}
	made, err := s.createStaff(c.UserContext(), meOf(c), f)
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		return s.renderStaff(c, fiber.StatusBadRequest, f, "", err)
	} else if err != nil {
		return err
	}
	return s.renderStaff(c, fiber.StatusOK, staffIn{Role: f.Role, UnitID: f.UnitID}, made.Password, nil)
}
