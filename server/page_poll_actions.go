package server

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

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
				return s.renderCount(c, statusOf[code], p, nil, errText(pr(c), err))
			}
			return err
		}
		return s.redirectWith(c, "/polls/"+p.ID+"/count", tr(c, "已开始开箱计票。请各位监票人在本人设备上打开监票人链接开箱。"))
	}
	if _, err := s.countPoll(c, p, codes, c.FormValue("confirm_paper_pending") == "1"); err != nil {
		if ballot.ErrorCode(err) == ballot.EPAPERPENDING || !p.ServerHeld() && ballot.ErrorCode(err) == ballot.EINVALID {
			return s.renderCount(c, statusOf[ballot.ErrorCode(err)], p, codes, errText(pr(c), err))
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

// slipFile is a prepared download of token slips.
type slipFile struct {
	name, contentType string
	body              []byte
}

func (f *slipFile) send(c *fiber.Ctx) error {
	c.Set("Content-Type", f.contentType)
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.name))
	return c.Send(f.body)
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
