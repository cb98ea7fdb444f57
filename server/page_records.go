package server

import (
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/store"
)

// Filing counted results into the cadre records, and the register and history pages.

func (s *Server) pollFile(c *fiber.Ctx) error {
	p := pollOf(c)
	f, err := s.filePoll(c.UserContext(), meOf(c), p)
	if err != nil {
		return err
	}
	msg := tr(c, "已归档 %d 条结果。", f.Added)
	if f.Added == 0 {
		msg = tr(c, "这次投票的结果此前已归档，未重复归档。")
	} else if f.Unlinked > 0 {
		msg += tr(c, "其中 %d 条在干部名册中找不到对应的人（或同名无法区分），已按姓名归档，请补充名册。", f.Unlinked)
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

// registerUnit is the unit whose register the caller looks at: their own, or for an
// admin the one named in the request (the first unit when none is).
func (s *Server) registerUnit(c *fiber.Ctx) (store.Unit, []store.Unit, error) {
	return s.unitFor(c.UserContext(), meOf(c), unitParam(c), false)
}

// unitParam is the unit a request names: ?unit= from the unit switcher, or unit_id.
func unitParam(c *fiber.Ctx) string {
	return c.Query("unit", c.FormValue("unit_id"))
}

// recordsPage lists a unit's filed results of a year, sortable by column.
func (s *Server) recordsPage(c *fiber.Ctx) error {
	unit, units, err := s.registerUnit(c)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(c.Query("year"))
	if year == 0 {
		year = time.Now().In(cst).Year()
	}
	entries, err := s.store.UnitEntries(c.UserContext(), unit.ID, year)
	if err != nil {
		return err
	}
	sortBy := c.Query("sort", "date")
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		switch sortBy {
		case "name":
			return a.Name < b.Name
		case "kind":
			return a.Kind < b.Kind
		case "flags":
			return len(a.Flags) > len(b.Flags)
		}
		return a.PollDate.After(b.PollDate)
	})
	return s.page(c, fiber.StatusOK, "staff/records", fiber.Map{"Title": tr(c, "考核档案"), "Unit": unit, "Units": units, "Year": year,
		"Years": []int{year - 2, year - 1, year, year + 1}, "Entries": entries, "Sort": sortBy})
}
