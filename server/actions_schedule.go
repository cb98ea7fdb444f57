package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// scheduleClose sets or cancels the automatic close.
func (s *Server) scheduleClose(c *fiber.Ctx, p *store.PollInfo, at *time.Time) error {
	if at != nil && at.Before(time.Now()) {
		return ballot.Errorf(ballot.EINVALID, "结束时间已过，请设定以后的时间")
	}
	if err := s.store.SetCloseAt(c.UserContext(), p.ID, at); err != nil {
		return err
	}
	when := "取消"
	if at != nil {
		when = at.In(cst).Format("2006-01-02 15:04")
	}
	s.audit(c, p.ID, "poll.schedule", map[string]string{"close_at": when})
	return nil
}

// closeDuePolls closes the polls whose scheduled time has come. Several instances may try
// at once: the one that closes a poll records it, the others find it closed.
func (s *Server) closeDuePolls(ctx context.Context) {
	ids, err := s.store.DueToClose(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("scheduled close", "err", err)
		}
		return
	}
	for _, id := range ids {
		if err := s.store.ClosePoll(ctx, id); err == nil {
			s.auditAs(ctx, "system", i18n.N("系统（定时结束）"), id, "poll.close", map[string]string{"scheduled": "1"})
		} else if ballot.ErrorCode(err) != ballot.ECONFLICT {
			s.log.Warn("scheduled close", "poll", id, "err", err)
		}
	}
}
