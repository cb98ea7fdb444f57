package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// The count from the organizer's pages: the form that starts it (the tellers' typed
// shares, or the count on their devices) and the page that shows where it stands.

func (s *Server) pollCount(c *fiber.Ctx) error {
	p := pollOf(c)
	var codes []string
	for _, v := range c.Request().PostArgs().PeekMulti("share") {
		codes = append(codes, string(v))
	}
	if deviceCounted(p) {
		if _, err := s.startCount(c, p, codes, c.FormValue("confirm_paper_pending") == "1"); err != nil {
			if code := ballot.ErrorCode(err); code == ballot.EPAPERPENDING || code == ballot.ESHARETYPED || code == ballot.ETOOBIG {
				// The typed codes are not shown back: the server does not keep them.
				return s.renderCount(c, statusOf[code], p, nil, ballot.SayError(pr(c), err))
			}
			return err
		}
		return s.redirectWith(c, "/polls/"+p.ID+"/count", tr(c, "已开始开箱计票。请各位监票人在本人设备上打开监票人链接开箱。"))
	}
	if _, err := s.countPoll(c, p, codes, c.FormValue("confirm_paper_pending") == "1"); err != nil {
		if ballot.ErrorCode(err) == ballot.EPAPERPENDING || !p.ServerHeld() && ballot.ErrorCode(err) == ballot.EINVALID {
			return s.renderCount(c, statusOf[ballot.ErrorCode(err)], p, codes, ballot.SayError(pr(c), err))
		}
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID+"/tally", tr(c, "计票完成。"))
}

// countPage asks the tellers for their shares.
func (s *Server) countPage(c *fiber.Ctx) error {
	p := pollOf(c)
	return s.renderCount(c, fiber.StatusOK, p, nil, "")
}

func (s *Server) renderCount(c *fiber.Ctx, status int, p *store.PollInfo, codes []string, msg string) error {
	fields := make([]string, max(p.KeyQuorum(), len(codes)))
	copy(fields, codes)
	waiting, err := s.store.PaperPending(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	pending := 0
	for _, w := range waiting {
		pending += w.Entries
	}
	data := fiber.Map{"Title": tr(c, "开箱计票 · %s", p.Title), "Poll": p, "Fields": fields, "Error": msg,
		"PaperWaiting": waiting, "PaperPending": pending}
	if deviceCounted(p) {
		st, err := s.countStatusOf(c.UserContext(), p)
		if err != nil {
			return err
		}
		data["Device"], data["Fields"] = st, nil
	}
	return s.page(c, status, "staff/count", data)
}
