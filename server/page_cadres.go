package server

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
)

// The cadre register of a unit, a cadre's history, and linking a filed entry to a cadre.

func (s *Server) cadresPage(c *fiber.Ctx) error {
	return s.renderCadres(c, fiber.StatusOK, "")
}

func (s *Server) renderCadres(c *fiber.Ctx, status int, msg string) error {
	r, err := s.registerOf(c.UserContext(), meOf(c), unitParam(c))
	if err != nil {
		return err
	}
	return s.page(c, status, "staff/cadres", fiber.Map{"Title": tr(c, "干部档案"), "Unit": r.Unit, "Units": r.Units, "Cadres": r.Cadres, "Error": msg, "CanEdit": canManage(meOf(c))})
}

// cadresAdd adds one cadre typed in, or a register sheet uploaded (all rows or none).
// What the caller typed or sent that cannot be taken is shown on the register page.
func (s *Server) cadresAdd(c *fiber.Ctx) error {
	in := cadresIn{UnitID: c.FormValue("unit_id")}
	if fh, ferr := c.FormFile("register"); ferr == nil {
		rows, err := readRows(fh)
		if err == nil {
			in.Cadres, err = records.CadresFromRows(rows)
		}
		if err != nil {
			return s.renderCadres(c, fiber.StatusBadRequest, tr(c, "导入失败，未作任何改动。%s", ballot.SayError(pr(c), err)))
		}
	} else {
		year, _ := strconv.Atoi(c.FormValue("birth_year"))
		in.Cadres = []records.Cadre{{Name: c.FormValue("name"), Gender: c.FormValue("gender"), BirthYear: year, Post: c.FormValue("post")}}
	}
	added, err := s.addCadres(c.UserContext(), meOf(c), in)
	if code := ballot.ErrorCode(err); code == ballot.ECONFLICT || code == ballot.EINVALID {
		return s.renderCadres(c, fiber.StatusBadRequest, tr(c, "未作任何改动。%s", ballot.SayError(pr(c), err)))
	} else if err != nil {
		return err
	}
	return s.redirectWith(c, "/cadres?unit="+added.Unit.ID, tr(c, "已加入 %d 位干部。", len(added.Cadres)))
}

// cadrePage is a cadre's whole history across polls and years.
func (s *Server) cadrePage(c *fiber.Ctx) error {
	cd := *cadreOf(c)
	now := time.Now()
	h, err := s.historyOf(c.UserContext(), cd, now)
	if err != nil {
		return err
	}
	for i := range h.Entries {
		h.Entries[i].Age = h.Entries[i].AgeIn(pr(c), now)
	}
	return s.page(c, fiber.StatusOK, "staff/cadre", fiber.Map{"Title": tr(c, "%s · 干部档案", cd.Name), "Cadre": h.Cadre, "Entries": h.Entries})
}

// entryLink names the cadre of a filed entry (a write-in, or a name the register did not
// have): a correction citing the entry.
func (s *Server) entryLink(c *fiber.Ctx) error {
	e := *entryOf(c)
	if _, err := s.linkEntry(c.UserContext(), meOf(c), e, c.FormValue("cadre_id")); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+e.PollID, tr(c, "已将“%s”的记录关联到干部档案（原记录保留，新记录注明更正）。", e.Name))
}
