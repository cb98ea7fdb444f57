package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// The assessment year (年度) a poll's results are filed under, changed on the poll page
// or through the API; filing reads it.

func init() { auditLabels["poll.year"] = "修改考核年度" }

// setYear changes a poll's year; the log keeps both.
func (s *Server) setYear(c *fiber.Ctx, p *store.PollInfo, year int) error {
	if err := s.store.SetPollYear(c.UserContext(), p.ID, year); err != nil {
		return err
	}
	s.audit(c, p.ID, "poll.year", map[string]string{"from": strconv.Itoa(p.Year), "to": strconv.Itoa(year)})
	p.Year = year
	return nil
}

func (s *Server) pollYear(c *fiber.Ctx) error {
	p := pollOf(c)
	v := strings.TrimSpace(c.FormValue("year"))
	year, err := strconv.Atoi(halfWidth(v))
	if err != nil {
		return ballot.Errorf(ballot.EINVALID, "考核年度“%s”应为四位数年份，如 2025", v)
	}
	if err := s.setYear(c, p, year); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "考核年度已改为 %s 年，归档时按此年度，已记入操作记录。", strconv.Itoa(year)))
}

// halfWidth turns full-width digits (２０２５) into ASCII, as typed on Chinese keyboards.
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}
