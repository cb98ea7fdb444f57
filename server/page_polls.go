package server

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) pollsPage(c *fiber.Ctx) error {
	me := meOf(c)
	polls, err := s.store.ListPolls(c.UserContext(), unitScope(me))
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/polls", fiber.Map{"Title": tr(c, "投票活动"), "Polls": polls, "CanCreate": canManage(me)})
}
