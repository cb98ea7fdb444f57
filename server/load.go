package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

func (s *Server) loadPoll(c *fiber.Ctx) error {
	p, err := s.store.Poll(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), p.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "投票活动不存在")
	}
	c.Locals(pollKey{}, p)
	return c.Next()
}

func (s *Server) loadCadre(c *fiber.Ctx) error {
	cd, err := s.store.Cadre(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), cd.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "干部不存在")
	}
	c.Locals(cadreKey{}, &cd)
	return c.Next()
}

func (s *Server) loadEntry(c *fiber.Ctx) error {
	e, err := s.store.Entry(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), e.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "记录不存在")
	}
	c.Locals(entryKey{}, &e)
	return c.Next()
}

func (s *Server) loadSelection(c *fiber.Ctx) error {
	sel, err := s.store.Selection(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	if !canSee(meOf(c), sel.UnitID) {
		return ballot.Errorf(ballot.ENOTFOUND, "纪实不存在")
	}
	c.Locals(selectionKey{}, sel)
	return c.Next()
}

// pollOf and the others give a scoped route's object, loaded and checked by its loader.
func pollOf(c *fiber.Ctx) *store.PollInfo { return c.Locals(pollKey{}).(*store.PollInfo) }

func cadreOf(c *fiber.Ctx) *records.Cadre { return c.Locals(cadreKey{}).(*records.Cadre) }

func entryOf(c *fiber.Ctx) *records.Entry { return c.Locals(entryKey{}).(*records.Entry) }

func selectionOf(c *fiber.Ctx) *records.Selection {
	return c.Locals(selectionKey{}).(*records.Selection)
}
