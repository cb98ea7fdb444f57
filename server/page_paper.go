package server

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// The paper ballots' pages: a token marked as paper, and each ballot entered twice
// (paper.go holds the actions).

func (s *Server) tokenPaper(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.markPaper(c, p, c.FormValue("code")); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "该凭证已改为纸质投票：不能再用手机投票，计入实到人数。"))
}

func (s *Server) paperPage(c *fiber.Ctx) error {
	p := pollOf(c)
	return s.renderPaper(c, fiber.StatusOK, p, "", nil, "")
}

func (s *Server) renderPaper(c *fiber.Ctx, status int, p *store.PollInfo, groupID string, marks map[string][]string, errMsg string) error {
	st, err := s.store.Paper(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	if marks == nil {
		marks = map[string][]string{}
	}
	return s.page(c, status, "staff/paper", fiber.Map{"Title": tr(c, "纸质选票录入 · %s", p.Title), "Poll": p, "Status": st, "GroupID": groupID,
		"Paper": true, "Marks": marks, "Spoilt": map[string]bool{}, "Error": errMsg,
		"AgreeOptions": ballot.AgreeOptions, "OverallOptions": ballot.OverallOptions, "CadreOptions": ballot.CadreOptions, "RatingScale": ratingScale})
}

func (s *Server) paperSubmit(c *fiber.Ctx) error {
	p := pollOf(c)
	groupID := c.FormValue("group_id")
	b := ballotFromForm(c, p)
	matched, err := s.enterPaper(c, p, groupID, &b)
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		marks := map[string][]string{}
		for _, ff := range b.Forms {
			for line, m := range ff.Lines {
				marks[ballot.FieldName(ff.Form, line)] = m
			}
		}
		return s.renderPaper(c, fiber.StatusBadRequest, p, groupID, marks, ballot.SayError(pr(c), err))
	} else if err != nil {
		return err
	}
	msg := tr(c, "已录入，等待另一位工作人员再次录入这张选票核对。")
	if matched {
		msg = tr(c, "两人录入一致，这张纸质选票已密封投入票箱。")
	}
	return s.redirectWith(c, "/polls/"+p.ID+"/paper", msg)
}

func (s *Server) paperDiscard(c *fiber.Ctx) error {
	p := pollOf(c)
	n, err := s.store.DiscardPendingPaper(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	s.audit(c, p.ID, "paper.discard", map[string]string{"entries": fmt.Sprint(n)})
	return s.redirectWith(c, "/polls/"+p.ID+"/paper", tr(c, "已清除 %d 条未核对一致的录入，请对照纸质选票重新录入。", n))
}
