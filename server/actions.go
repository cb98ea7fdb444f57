package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/store"
)

// Actions shared by the organizer's pages and the JSON API: each does one thing a person
// asks for, with the checks that go with it.

// pollAction is a change an organizer makes to a poll they manage.
type pollAction func(c *fiber.Ctx, p *store.PollInfo) error

// onPage runs an action from a form post and returns to the poll's page with a message
// (an i18n.N-marked message, said in the page's language).
func (s *Server) onPage(act pollAction, msg string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := pollOf(c)
		if err := act(c, p); err != nil {
			return err
		}
		return s.redirectWith(c, "/polls/"+p.ID, pr(c).T(msg)) // msg: an i18n.N-marked message
	}
}

// onAPI runs an action from the API and answers with the poll as it now is.
func (s *Server) onAPI(act pollAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := pollOf(c)
		if err := act(c, p); err != nil {
			return err
		}
		return s.apiPollState(c, p.ID)
	}
}
