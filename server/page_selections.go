package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// 选拔任用纪实: a selection's steps and its voting steps with their certified results
// (its export is in selection_export.go).

func (s *Server) selectionsPage(c *fiber.Ctx) error {
	list, err := s.selectionsOf(c.UserContext(), meOf(c), unitParam(c))
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/selections", fiber.Map{"Title": tr(c, "选拔任用纪实"), "Unit": list.Unit, "Units": list.Units, "Selections": list.Selections, "CanEdit": canManage(meOf(c))})
}

func (s *Server) selectionCreate(c *fiber.Ctx) error {
	sel, err := s.createSelection(c.UserContext(), meOf(c), selectionIn{UnitID: c.FormValue("unit_id"), Post: c.FormValue("post")})
	if err != nil {
		return err
	}
	return s.redirectWith(c, "/selections/"+sel.ID, tr(c, "已新建纪实，请按环节记录。"))
}

// selectionStep is a step as shown, with its poll and, once counted, its result.
type selectionStep struct {
	records.Step
	Poll  *store.PollInfo
	Tally *ballot.Tally
}

// selectionSteps is the route's selection (loaded by loadSelection) with its steps.
func (s *Server) selectionSteps(c *fiber.Ctx) (*records.Selection, []selectionStep, error) {
	sel := selectionOf(c)
	var steps []selectionStep
	for _, st := range sel.Steps {
		ss := selectionStep{Step: st}
		if st.PollID != "" {
			if p, err := s.store.Poll(c.UserContext(), st.PollID); err == nil {
				ss.Poll = p
				if p.State == ballot.Counted {
					ss.Tally, _, _ = s.store.Tally(c.UserContext(), p.ID)
				}
			}
		}
		steps = append(steps, ss)
	}
	return sel, steps, nil
}

func (s *Server) selectionPage(c *fiber.Ctx) error {
	sel, steps, err := s.selectionSteps(c)
	if err != nil {
		return err
	}
	polls, err := s.store.ListPolls(c.UserContext(), sel.UnitID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "staff/selection", fiber.Map{"Title": tr(c, "%s · 纪实", sel.Post), "Sel": sel, "Steps": steps, "Polls": polls,
		"Kinds": records.StepKinds, "CanEdit": canManage(meOf(c)), "Today": time.Now().In(cst).Format("2006-01-02")})
}

func (s *Server) selectionStepAdd(c *fiber.Ctx) error {
	in := stepIn{Kind: c.FormValue("kind"), Date: c.FormValue("date"), Note: c.FormValue("note"), PollID: c.FormValue("poll_id")}
	sel := selectionOf(c)
	st, err := s.addStep(c.UserContext(), meOf(c), sel, in)
	if err != nil {
		return err
	}
	return s.redirectWith(c, "/selections/"+sel.ID, tr(c, "已记录“%s”环节。", pr(c).Term(st.Kind)))
}
