package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

func (s *Server) accountPage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "staff/account", fiber.Map{"Title": tr(c, "我的账号")})
}

func (s *Server) accountPassword(c *fiber.Ctx) error {
	me := meOf(c)
	if !CheckPassword(me.PasswordHash, c.FormValue("current")) {
		return s.page(c, fiber.StatusBadRequest, "staff/account", fiber.Map{"Title": tr(c, "我的账号"), "Error": tr(c, "当前密码不正确")})
	}
	if len(c.FormValue("new")) < 10 {
		return s.page(c, fiber.StatusBadRequest, "staff/account", fiber.Map{"Title": tr(c, "我的账号"), "Error": tr(c, "新密码至少10位")})
	}
	hash, err := HashPassword(c.FormValue("new"))
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(c.UserContext(), me.ID, hash); err != nil {
		return err
	}
	return s.redirectWith(c, "/account", tr(c, "密码已修改。"))
}

func (s *Server) accountAPIToken(c *fiber.Ctx) error {
	if b, _ := c.Locals("bearer").(bool); b {
		return ballot.Errorf(ballot.EFORBIDDEN, "请在浏览器中生成接口令牌")
	}
	secret, err := s.store.CreateSession(c.UserContext(), meOf(c).ID, true, apiTokenTTL)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/account", fiber.Map{"Title": tr(c, "我的账号"), "APIToken": secret})
}
