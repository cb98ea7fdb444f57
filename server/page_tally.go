package server

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) tallyPage(c *fiber.Ctx) error {
	p := pollOf(c)
	t, at, err := s.store.Tally(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/tally", fiber.Map{"Title": "计票结果 · " + p.Title, "Tally": t, "CountedAt": at})
}
