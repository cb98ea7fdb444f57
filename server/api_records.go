package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
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
	key, err := s.store.ScreenKey(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	s.audit(c, p.ID, "screen.create", nil)
	base, _ := s.baseURL(c.BaseURL())
	return c.JSON(fiber.Map{"url": base + "/screen/" + key})
}

func (s *Server) apiFile(c *fiber.Ctx) error {
	p := pollOf(c)
	added, unlinked, err := s.filePoll(c, p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"filed": added, "unlinked": unlinked})
}

func (s *Server) apiPollEntries(c *fiber.Ctx) error {
	p := pollOf(c)
	es, err := s.store.PollEntries(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"entries": nonNil(es)})
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func (s *Server) apiCadres(c *fiber.Ctx) error {
	unit, _, err := s.registerUnit(c)
	if err != nil {
		return err
	}
	cs, err := s.store.Cadres(c.UserContext(), unit.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"unit": unit, "cadres": nonNil(cs)})
}

// apiCadresAdd adds register lines: all or none.
func (s *Server) apiCadresAdd(c *fiber.Ctx) error {
	var in struct {
		UnitID string          `json:"unit_id"`
		Cadres []records.Cadre `json:"cadres"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if meOf(c).Role != store.RoleAdmin {
		in.UnitID = meOf(c).UnitID
	}
	if in.UnitID == "" {
		return ballot.Errorf(ballot.EINVALID, "请指定单位（unit_id）")
	}
	if len(in.Cadres) == 0 {
		return ballot.Errorf(ballot.EINVALID, "没有要加入的干部")
	}
	for i := range in.Cadres {
		if err := in.Cadres[i].Validate(); err != nil {
			return ballot.Errorf(ballot.EINVALID, "第 %d 位：%s", i+1, ballot.ErrorMessage(err))
		}
	}
	if err := s.store.AddCadres(c.UserContext(), in.UnitID, in.Cadres); err != nil {
		return err
	}
	s.audit(c, "", "cadres.add", map[string]string{"count": strconv.Itoa(len(in.Cadres))})
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"cadres": in.Cadres})
}

func (s *Server) apiCadre(c *fiber.Ctx) error {
	cd := cadreOf(c)
	es, err := s.store.CadreEntries(c.UserContext(), cd.ID)
	if err != nil {
		return err
	}
	type entryOut struct {
		records.Entry
		Expired bool `json:"expired"` // a recommendation more than a year old
	}
	out := []entryOut{}
	for _, e := range es {
		out = append(out, entryOut{e, e.Expired(time.Now())})
	}
	return c.JSON(fiber.Map{"cadre": cd, "entries": out})
}

func (s *Server) apiEntryLink(c *fiber.Ctx) error {
	var in struct {
		CadreID string `json:"cadre_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	e := entryOf(c)
	cd, err := s.store.Cadre(c.UserContext(), in.CadreID)
	if err != nil {
		return err
	}
	if cd.UnitID != e.UnitID {
		return ballot.Errorf(ballot.ENOTFOUND, "记录不存在")
	}
	id, err := s.store.LinkEntry(c.UserContext(), e.ID, cd.ID, meOf(c).ID, deliveryPayload)
	if err != nil {
		return err
	}
	s.audit(c, e.PollID, "entry.link", map[string]string{"name": e.Name, "cadre": cd.Name})
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"entry_id": id, "corrects": e.ID})
}

func (s *Server) apiSelections(c *fiber.Ctx) error {
	unit, _, err := s.registerUnit(c)
	if err != nil {
		return err
	}
	list, err := s.store.Selections(c.UserContext(), unit.ID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"selections": nonNil(list)})
}

func (s *Server) apiSelectionCreate(c *fiber.Ctx) error {
	var in records.Selection
	if err := decode(c, &in); err != nil {
		return err
	}
	if meOf(c).Role != store.RoleAdmin {
		in.UnitID = meOf(c).UnitID
	}
	if in.UnitID == "" {
		return ballot.Errorf(ballot.EINVALID, "请指定单位（unit_id）")
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.store.AddSelection(c.UserContext(), &in); err != nil {
		return err
	}
	s.audit(c, "", "selection.create", map[string]string{"post": in.Post})
	return c.Status(fiber.StatusCreated).JSON(in)
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
	return c.JSON(fiber.Map{"selection": sel, "steps": out})
}

func (s *Server) apiSelectionStep(c *fiber.Ctx) error {
	sel, _, err := s.selectionSteps(c)
	if err != nil {
		return err
	}
	var in struct {
		Kind   string `json:"kind"`
		Date   string `json:"date"` // 2006-01-02
		Note   string `json:"note"`
		PollID string `json:"poll_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	date, err := time.ParseInLocation("2006-01-02", in.Date, cst)
	if err != nil {
		return ballot.Errorf(ballot.EINVALID, "日期应写成 2026-03-01")
	}
	st := records.Step{Kind: in.Kind, Date: date, Note: in.Note, PollID: in.PollID}
	if err := st.Validate(); err != nil {
		return err
	}
	if st.PollID != "" {
		if p, err := s.store.Poll(c.UserContext(), st.PollID); err != nil || p.UnitID != sel.UnitID {
			return ballot.Errorf(ballot.EINVALID, "请选择本单位的投票活动")
		}
	}
	if err := s.store.AddStep(c.UserContext(), sel.ID, &st); err != nil {
		return err
	}
	s.audit(c, st.PollID, "selection.step", map[string]string{"post": sel.Post, "step": st.Kind})
	return c.Status(fiber.StatusCreated).JSON(st)
}
