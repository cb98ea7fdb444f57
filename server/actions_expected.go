package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// checkCountSize refuses a poll whose box could come to hold more than one count
// decrypts, with its 应到 raised by moreExpected or moreTokens more tokens issued: a poll
// that grew past the limit would only be found out at the count, after the meeting.
// Opening (nothing added) always checks; an issue or a new 应到 that does not raise the
// most ballots the box can hold is let through, as it changes nothing the count needs.
func (s *Server) checkCountSize(c *fiber.Ctx, p *store.PollInfo, moreExpected, moreTokens int) error {
	tu, err := s.store.Turnout(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	before := ballot.BallotsBound(p.Expected(), tu)
	after := ballot.BallotsBound(p.Expected()+moreExpected, append(tu, ballot.Turnout{Issued: moreTokens}))
	if after > before || moreExpected == 0 && moreTokens == 0 {
		return p.CheckCountSize(after)
	}
	return nil
}

// setExpected changes a group's 应到 during the meeting; the log keeps both numbers.
func (s *Server) setExpected(c *fiber.Ctx, p *store.PollInfo, groupID string, expected int) error {
	g, ok := p.Group(groupID)
	if !ok {
		return ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if expected > g.Expected {
		if err := s.checkCountSize(c, p, expected-g.Expected, 0); err != nil {
			return err
		}
	}
	old, err := s.store.SetExpected(c.UserContext(), p.ID, groupID, expected)
	if err != nil {
		return err
	}
	s.audit(c, p.ID, "group.expected", map[string]string{"group": g.Name, "from": strconv.Itoa(old), "to": strconv.Itoa(expected)})
	return nil
}
