package server

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// The organizer's side of the key ceremony: starting it from the page or the API, its
// status, and where the organizer's own key stands.

func (s *Server) ceremonyStart(c *fiber.Ctx) error {
	p := pollOf(c)
	links, err := s.startCeremony(c, p)
	if err != nil {
		return err
	}
	if p.Holder() == ballot.KeyOrganizer {
		// The organizer's seat is this browser: it goes there at once, the link shown to no one.
		return c.Redirect(links[0].URL, fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "staff/teller_links", fiber.Map{"Title": tr(c, "监票人链接 · %s", p.Title), "Poll": p, "Links": links})
}

// apiCeremonyStart is the API twin of ceremonyStart: the links, once.
func (s *Server) apiCeremonyStart(c *fiber.Ctx) error {
	p := pollOf(c)
	links, err := s.startCeremony(c, p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"links": links})
}

// ceremonySeat is a seat's progress as the organizer sees it.
type ceremonySeat struct {
	Teller string `json:"teller"`
	Stage  string `json:"stage"` // waiting, key, dealt, ready, complaint
	Label  string `json:"label"`
}

// ceremonyStatus is the organizer's live view: who is ready, and what blocks the ceremony.
func (s *Server) ceremonyStatus(c *fiber.Ctx) error {
	v, err := s.ceremonyView(c, pollOf(c))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// ceremonyView is what ceremonyStatus answers; the poll's page carries it too, so that
// the card shows its state as the page appears rather than a moment after.
func (s *Server) ceremonyView(c *fiber.Ctx, p *store.PollInfo) (fiber.Map, error) {
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return fiber.Map{"started": false}, nil
	}
	if err != nil {
		return nil, err
	}
	out := fiber.Map{"started": true, "ready": cer.Ready()}
	var seats []ceremonySeat
	for _, st := range cer.Seats {
		name := ""
		if seats := p.KeySeats(); st.Seat <= len(seats) {
			name = seats[st.Seat-1]
		}
		cs := ceremonySeat{Teller: name, Stage: "waiting", Label: tr(c, "未打开链接")}
		switch {
		case st.Complaint != nil:
			cs.Stage, cs.Label = "complaint", tr(c, "发现第%s位监票人的密钥份额有误", strconv.Itoa(*st.Complaint))
		case st.ReadyAt != nil:
			cs.Stage, cs.Label = "ready", tr(c, "已就绪")
		case st.Commitments != nil:
			cs.Stage, cs.Label = "dealt", tr(c, "已分发份额，待备份核验")
		case st.CommKey != nil:
			cs.Stage, cs.Label = "key", tr(c, "已加入，等待其他监票人")
		}
		seats = append(seats, cs)
	}
	out["seats"] = seats
	if seat, dealer, blocked := cer.Blocked(); blocked {
		out["blocked"] = tr(c, "第%s位监票人发现第%s位监票人分发的密钥份额有误，请重新生成监票人链接，重新生成密钥。", strconv.Itoa(seat), strconv.Itoa(dealer))
	}
	if cer.Ready() {
		keys, err := s.store.CeremonyKey(c.UserContext(), p.ID)
		if err != nil {
			return nil, err
		}
		out["fingerprint"] = keys.Joint.Fingerprint()
	}
	return out, nil
}

// ownKeyNote says where the organizer's own key of a draft poll stands, for its page.
func (s *Server) ownKeyNote(c *fiber.Ctx, p *store.PollInfo) (note string, started bool, err error) {
	if p.Holder() != ballot.KeyOrganizer || p.State != ballot.Draft {
		return "", false, nil
	}
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return tr(c, "尚未生成密钥。开始投票前，请在您本人的手机或电脑上生成密钥并保存备份。"), false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !cer.Ready() {
		return tr(c, "密钥尚未生成完毕（未核验备份）。请在本设备上重新生成密钥。"), true, nil
	}
	keys, err := s.store.CeremonyKey(c.UserContext(), p.ID)
	if err != nil {
		return "", true, err
	}
	return tr(c, "密钥已就绪，可以开始投票。密钥指纹：%s", keys.Joint.Fingerprint()), true, nil
}
