package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// The contact line voters see when their token is refused, set in the builder and changed
// on the poll page or through the API at any time: a wrong number found during voting is
// fixed while voters are still asking.

func init() { auditLabels["poll.contact"] = "修改投票人联系方式" }

// setContact cleans, checks and saves a poll's contact line; the log keeps both.
func (s *Server) setContact(c *fiber.Ctx, p *store.PollInfo, contact string) (string, error) {
	contact, err := ballot.CleanText(i18n.N("联系方式"), contact, ballot.TextLine)
	if err != nil {
		return "", err
	}
	if err := ballot.CheckContact(contact); err != nil {
		return "", err
	}
	if err := s.store.SetPollContact(c.UserContext(), p.ID, contact); err != nil {
		return "", err
	}
	s.audit(c, p.ID, "poll.contact", map[string]string{"from": p.Contact, "to": contact})
	s.polls.Invalidate(p.ID)
	p.Contact = contact
	return contact, nil
}

func (s *Server) pollContact(c *fiber.Ctx) error {
	p := pollOf(c)
	contact, err := s.setContact(c, p, c.FormValue("contact"))
	if err != nil {
		return err
	}
	msg := tr(c, "投票人联系方式已清除，凭证被拒时只显示一般提示。")
	if contact != "" {
		msg = tr(c, "投票人联系方式已改为“%s”。", contact)
	}
	return s.redirectWith(c, "/polls/"+p.ID, msg)
}

func (s *Server) apiContact(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Contact string `json:"contact"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	contact, err := s.setContact(c, p, in.Contact)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact": contact})
}
