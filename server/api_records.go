package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
)

// The API for what the organizer's pages do beyond polls: paper tokens, the big-screen
// link, filing, the cadre register and records, and selections.

func (s *Server) apiMarkPaper(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.markPaper(c, p, in.Code); err != nil {
		return err
	}
	return s.apiTurnout(c)
}

func (s *Server) apiScreen(c *fiber.Ctx) error {
	p := pollOf(c)
	base, _ := s.baseURL(c.BaseURL())
	return reply(c, fiber.StatusOK)(s.createScreen(c.UserContext(), meOf(c), p, base))
}

func (s *Server) apiFile(c *fiber.Ctx) error {
	p := pollOf(c)
	return reply(c, fiber.StatusOK)(s.filePoll(c.UserContext(), meOf(c), p))
}

func (s *Server) apiPollEntries(c *fiber.Ctx) error {
	p := pollOf(c)
	return saidReply(c, fiber.StatusOK)(s.pollEntries(c.UserContext(), p))
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) apiCadres(c *fiber.Ctx) error {
	return reply(c, fiber.StatusOK)(s.registerOf(c.UserContext(), meOf(c), unitParam(c)))
}

// apiCadresAdd adds register lines: all or none.
func (s *Server) apiCadresAdd(c *fiber.Ctx) error {
	var in cadresIn
	if err := decode(c, &in); err != nil {
		return err
	}
	return reply(c, fiber.StatusCreated)(s.addCadres(c.UserContext(), meOf(c), in))
}

func (s *Server) apiCadre(c *fiber.Ctx) error {
	cd := *cadreOf(c)
	return saidReply(c, fiber.StatusOK)(s.historyOf(c.UserContext(), cd, time.Now()))
}

func (s *Server) apiEntryLink(c *fiber.Ctx) error {
	var in struct {
		CadreID string `json:"cadre_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	e := *entryOf(c)
	return reply(c, fiber.StatusCreated)(s.linkEntry(c.UserContext(), meOf(c), e, in.CadreID))
}

func (s *Server) apiSelections(c *fiber.Ctx) error {
	return reply(c, fiber.StatusOK)(s.selectionsOf(c.UserContext(), meOf(c), unitParam(c)))
}

func (s *Server) apiSelectionCreate(c *fiber.Ctx) error {
	// The body is a selection as the API answers it; only its unit and post are taken.
	var in records.Selection
	if err := decode(c, &in); err != nil {
		return err
	}
	return reply(c, fiber.StatusCreated)(s.createSelection(c.UserContext(), meOf(c), selectionIn{UnitID: in.UnitID, Post: in.Post}))
}

func (s *Server) apiSelection(c *fiber.Ctx) error {
	sel, steps, err := s.selectionSteps(c)
	if err != nil {
		return err
	}
	type stepOut struct {
		records.Step
		Tally *ballot.Tally `json:"tally,omitempty"`
	}
	out := []stepOut{}
	for _, st := range steps {
		out = append(out, stepOut{st.Step, st.Tally})
	}
	return sayJSON(c, fiber.StatusOK, fiber.Map{"selection": sel, "steps": out})
}

func (s *Server) apiSelectionStep(c *fiber.Ctx) error {
	sel, _, err := s.selectionSteps(c)
	if err != nil {
		return err
	}
	var in stepIn
	if err := decode(c, &in); err != nil {
		return err
	}
	return saidReply(c, fiber.StatusCreated)(s.addStep(c.UserContext(), meOf(c), sel, in))
}
