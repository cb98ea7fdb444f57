package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// createPoll normalizes, validates and saves a new poll for the caller's unit (an admin
// names the unit).
func (s *Server) createPoll(c *fiber.Ctx, p *ballot.Poll) error {
	ctx, me := c.UserContext(), meOf(c)
	if me.Role != store.RoleAdmin {
		p.UnitID = me.UnitID
	}
	if p.UnitID == "" {
		return ballot.Errorf(ballot.EINVALID, "请选择所属单位")
	}
	p.ID, p.State, p.Rehearsal = "", ballot.Draft, false
	if p.PreviousRound != "" {
		prev, err := s.store.Poll(ctx, p.PreviousRound)
		if err != nil || !canSee(me, prev.UnitID) {
			return ballot.Errorf(ballot.EINVALID, "上一轮投票活动不存在")
		}
		if prev.State != ballot.Counted || prev.UnitID != p.UnitID {
			return ballot.Errorf(ballot.EINVALID, "只能从本单位已计票的投票活动发起下一轮")
		}
	}
	for i := range p.Groups {
		p.Groups[i].ID = ""
	}
	p.Normalize()
	if err := p.ValidateNew(); err != nil {
		return err
	}
	if err := s.store.CreatePoll(ctx, p, me.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "poll.create", map[string]string{"title": p.Title})
	return nil
}

func (s *Server) reopenPoll(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.ReopenPoll(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.drawSlots(c.UserContext(), p)
	s.audit(c, p.ID, "poll.reopen", nil)
	return nil
}

func (s *Server) closePoll(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.ClosePoll(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.pools.Stop(p.ID)
	s.audit(c, p.ID, "poll.close", nil)
	return nil
}

func (s *Server) deleteDraft(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.DeleteDraft(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "poll.delete", map[string]string{"title": p.Title})
	return nil
}

func (s *Server) startRehearsal(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.StartRehearsal(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "rehearsal.start", nil)
	return nil
}

func (s *Server) wipeRehearsal(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.WipeRehearsal(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "rehearsal.wipe", nil)
	return nil
}
