package server

import (
	"github.com/gofiber/fiber/v2"
)

func (s *Server) tallyPage(c *fiber.Ctx) error {
	p := pollOf(c)
	t, err := s.tallyOf(c.UserContext(), p)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/tally", fiber.Map{"Title": tr(c, "计票结果 · %s", p.Title), "Tally": t.Tally.NamedIn(pr(c)), "CountedAt": t.CountedAt})
}
