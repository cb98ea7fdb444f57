package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// pollOpen opens voting.
func (s *Server) pollOpen(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.openPoll(c, p); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "投票已开始。参会人员现在可以扫码投票。"))
}

func (s *Server) pollDelete(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.deleteDraft(c, p); err != nil {
		return err
	}
	return s.redirectWith(c, "/", tr(c, "已删除“%s”。", p.Title))
}

func (s *Server) tokenVoid(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.voidCode(c, p, c.FormValue("code")); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "凭证已作废，该凭证不能再投票。"))
}

func (s *Server) batchVoid(c *fiber.Ctx) error {
	p := pollOf(c)
	v, err := s.voidBatch(c, p, c.Params("batch"))
	if err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "已作废凭证批次（%s）中 %d 张凭证。其中若有已投票的，其选票仍然有效；为这些人补发凭证前，请先确认其尚未投票。", batchNameIn(pr(c), v.Batch.GroupName, v.Batch.Count, v.Batch.Hint), v.Voided))
}

func (s *Server) groupExpected(c *fiber.Ctx) error {
	p := pollOf(c)
	n, err := strconv.Atoi(strings.TrimSpace(c.FormValue("expected")))
	if err != nil {
		return ballot.Errorf(ballot.EINVALID, "请填写应到人数")
	}
	if err := s.setExpected(c, p, c.FormValue("group_id"), n); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "应到人数已修改，已记入操作记录。"))
}

// parseCloseAt reads a datetime-local field in China Standard Time; empty cancels.
func parseCloseAt(v string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, v, cst); err == nil {
			return &t, nil
		}
	}
	return nil, ballot.Errorf(ballot.EINVALID, "结束时间“%s”格式不正确", v)
}

func (s *Server) pollSchedule(c *fiber.Ctx) error {
	p := pollOf(c)
	at, err := parseCloseAt(c.FormValue("close_at"))
	if err != nil {
		return err
	}
	if err := s.scheduleClose(c, p, at); err != nil {
		return err
	}
	msg := tr(c, "已取消定时结束。")
	if at != nil {
		msg = tr(c, "将于 %s 自动结束投票。", at.In(cst).Format("2006-01-02 15:04"))
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

func (s *Server) tokenReplace(c *fiber.Ctx) error {
	p := pollOf(c)
	_, file, err := s.replaceSlip(c, p, c.FormValue("code"), c.FormValue("format", "pdf"))
	if err != nil {
		return err
	}
	return file.send(c)
}
