package server

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// Filing counted results into the cadre records, and the register and history pages.

// filePoll files a counted poll's result lines on the cadres of its unit, matched by name
// (and post where names are shared). Filing again adds nothing.
func (s *Server) filePoll(c *fiber.Ctx, p *store.PollInfo) (added, unlinked int, err error) {
	if p.Rehearsal {
		return 0, 0, ballot.Errorf(ballot.ECONFLICT, "模拟测评的结果不能归档")
	}
	t, countedAt, err := s.store.Tally(c.UserContext(), p.ID)
	if err != nil {
		return 0, 0, err
	}
	register, err := s.store.Cadres(c.UserContext(), p.UnitID)
	if err != nil {
		return 0, 0, err
	}
	entries := records.FromTally(&p.Poll, t, countedAt)
	for i := range entries {
		if entries[i].Team {
			continue // the unit's team, filed on the unit: no cadre to match
		}
		if id, ok := records.Match(register, entries[i].Name, entries[i].Post); ok {
			entries[i].CadreID = id
		} else {
			unlinked++
		}
	}
	if added, err = s.store.FileEntries(c.UserContext(), entries, meOf(c).ID, deliveryPayload); err != nil {
		return 0, 0, err
	}
	s.audit(c, p.ID, "poll.file", map[string]string{"entries": strconv.Itoa(added)})
	return added, unlinked, nil
}

func (s *Server) pollFile(c *fiber.Ctx) error {
	p := pollOf(c)
	added, unlinked, err := s.filePoll(c, p)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已归档 %d 条结果。", added)
	if added == 0 {
		msg = "这次投票的结果此前已归档，未重复归档。"
	} else if unlinked > 0 {
		msg += fmt.Sprintf("其中 %d 条在干部名册中找不到对应的人（或同名无法区分），已按姓名归档，请补充名册。", unlinked)
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

// registerUnit is the unit whose register the caller works on: their own, or for an
// admin the one named in the query (the first unit when none is).
func (s *Server) registerUnit(c *fiber.Ctx) (store.Unit, []store.Unit, error) {
	units, err := s.store.Units(c.UserContext())
	if err != nil {
		return store.Unit{}, nil, err
	}
	me := meOf(c)
	want := me.UnitID
	if me.Role == store.RoleAdmin {
		want = c.Query("unit", c.FormValue("unit_id"))
		if want == "" && len(units) > 0 {
			want = units[0].ID
		}
	}
	for _, u := range units {
		if u.ID == want {
			if me.Role != store.RoleAdmin {
				units = []store.Unit{u}
			}
			return u, units, nil
		}
	}
	return store.Unit{}, nil, ballot.Errorf(ballot.ENOTFOUND, "单位不存在")
}

func (s *Server) cadresPage(c *fiber.Ctx) error {
	return s.renderCadres(c, fiber.StatusOK, "")
}

func (s *Server) renderCadres(c *fiber.Ctx, status int, msg string) error {
	unit, units, err := s.registerUnit(c)
	if err != nil {
		return err
	}
	cadres, err := s.store.Cadres(c.UserContext(), unit.ID)
	if err != nil {
		return err
	}
	return s.page(c, status, "staff/cadres", fiber.Map{"Title": "干部档案", "Unit": unit, "Units": units, "Cadres": cadres, "Error": msg, "CanEdit": canManage(meOf(c))})
}

// cadresAdd adds one cadre typed in, or a register sheet uploaded (all rows or none).
func (s *Server) cadresAdd(c *fiber.Ctx) error {
	unit, _, err := s.registerUnit(c)
	if err != nil {
		return err
	}
	var cs []records.Cadre
	if fh, ferr := c.FormFile("register"); ferr == nil {
		rows, err := readRows(fh)
		if err == nil {
			cs, err = records.CadresFromRows(rows)
		}
		if err != nil {
			return s.renderCadres(c, fiber.StatusBadRequest, "导入失败，未作任何改动。"+ballot.ErrorMessage(err))
		}
	} else {
		year, _ := strconv.Atoi(c.FormValue("birth_year"))
		cd := records.Cadre{Name: c.FormValue("name"), Gender: c.FormValue("gender"), BirthYear: year, Post: c.FormValue("post")}
		if err := cd.Validate(); err != nil {
			return s.renderCadres(c, fiber.StatusBadRequest, ballot.ErrorMessage(err))
		}
		cs = []records.Cadre{cd}
	}
	if err := s.store.AddCadres(c.UserContext(), unit.ID, cs); err != nil {
		if code := ballot.ErrorCode(err); code == ballot.ECONFLICT || code == ballot.EINVALID {
			return s.renderCadres(c, fiber.StatusBadRequest, "未作任何改动。"+ballot.ErrorMessage(err))
		}
		return err
	}
	s.audit(c, "", "cadres.add", map[string]string{"unit": unit.Name, "count": strconv.Itoa(len(cs))})
	return s.redirectWith(c, "/cadres?unit="+unit.ID, fmt.Sprintf("已加入 %d 位干部。", len(cs)))
}

// cadrePage is a cadre's whole history across polls and years.
func (s *Server) cadrePage(c *fiber.Ctx) error {
	cd := cadreOf(c)
	entries, err := s.store.CadreEntries(c.UserContext(), cd.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	type shown struct {
		records.Entry
		Age     string
		Expired bool
		Year    int
	}
	var out []shown
	for _, e := range entries {
		out = append(out, shown{Entry: e, Age: e.Age(now), Expired: e.Expired(now), Year: e.PollDate.In(cst).Year()})
	}
	return s.page(c, fiber.StatusOK, "staff/cadre", fiber.Map{"Title": cd.Name + " · 干部档案", "Cadre": cd, "Entries": out})
}

// entryLink names the cadre of a filed entry (a write-in, or a name the register did not
// have): a correction citing the entry.
func (s *Server) entryLink(c *fiber.Ctx) error {
	e := entryOf(c)
	cd, err := s.store.Cadre(c.UserContext(), c.FormValue("cadre_id"))
	if err != nil {
		return err
	}
	if cd.UnitID != e.UnitID {
		return ballot.Errorf(ballot.ENOTFOUND, "记录不存在")
	}
	if _, err := s.store.LinkEntry(c.UserContext(), e.ID, cd.ID, meOf(c).ID, deliveryPayload); err != nil {
		return err
	}
	s.audit(c, e.PollID, "entry.link", map[string]string{"name": e.Name, "cadre": cd.Name + "（" + cd.Post + "）"})
	return s.redirectWith(c, "/polls/"+e.PollID, "已将“"+e.Name+"”的记录关联到干部档案（原记录保留，新记录注明更正）。")
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
	return s.page(c, fiber.StatusOK, "staff/records", fiber.Map{"Title": "考核档案", "Unit": unit, "Units": units, "Year": year,
		"Years": []int{year - 2, year - 1, year, year + 1}, "Entries": entries, "Sort": sortBy})
}
