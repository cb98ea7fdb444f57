package server

import (
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/report"
	"minyi/store"
)

// The tellers' key ceremony: the organizer hands each teller a link (/t/<seat token>); the
// tellers' devices make the poll's key through the routes below, which keep public data
// only (ballot/ceremony says what each round posts).

func init() {
	auditLabels["ceremony.start"] = "生成密钥"
	auditLabels["ceremony.relink"] = "组织者重新打开本人的密钥页面"
}

// seatLink is a teller's link as shown once to the organizer.
type seatLink struct {
	Teller string       `json:"teller"`
	URL    string       `json:"url"`
	QR     template.URL `json:"-"`
}

// startCeremony begins (or begins again) a draft poll's ceremony and returns the seats'
// links, which exist only in this answer: the server keeps their keyed hashes. A poll the
// organizer's own device holds has one seat, the organizer's (k = n = 1).
func (s *Server) startCeremony(c *fiber.Ctx, p *store.PollInfo) ([]seatLink, error) {
	if p.ServerHeld() {
		return nil, ballot.Errorf(ballot.EINVALID, "本次由服务器保管密钥，无需生成密钥")
	}
	if p.Holder() == ballot.KeyOrganizer && p.State != ballot.Draft {
		link, err := s.relinkOwnSeat(c, p)
		return []seatLink{link}, err
	}
	var hashes, challenges [][]byte
	var links []seatLink
	for _, name := range p.KeySeats() {
		t := ceremony.NewSeatToken()
		ch := make([]byte, 32)
		rand.Read(ch)
		hashes, challenges = append(hashes, t.Hash(s.cfg.Keys.Token)), append(challenges, ch)
		link, err := s.seatLink(c, name, t)
		if err != nil {
			return nil, err
		}
		links = append(links, link)
	}
	if _, err := s.store.StartCeremony(c.UserContext(), p.ID, p.KeyQuorum(), hashes, challenges); err != nil {
		return nil, err
	}
	s.audit(c, p.ID, "ceremony.start", map[string]string{"tellers": strconv.Itoa(len(hashes)), "quorum": strconv.Itoa(p.KeyQuorum()), "key": p.KeyNote()})
	return links, nil
}

func (s *Server) seatLink(c *fiber.Ctx, name string, t ceremony.SeatToken) (seatLink, error) {
	base, _ := s.baseURL(c.BaseURL())
	u := base + "/t/" + string(t)
	png, err := report.QR(u)
	if err != nil {
		return seatLink{}, err
	}
	return seatLink{Teller: name, URL: u, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, nil
}

// relinkOwnSeat gives the organizer a fresh link to their own seat of a poll already
// opened, for the count: no link is kept anywhere, so the poll's page (behind the
// organizer's login) makes a new one, and the old one stops working. The key itself is
// on the organizer's backup sheet, not behind the link.
func (s *Server) relinkOwnSeat(c *fiber.Ctx, p *store.PollInfo) (seatLink, error) {
	t := ceremony.NewSeatToken()
	if err := s.store.RelinkSeat(c.UserContext(), p.ID, 1, t.Hash(s.cfg.Keys.Token)); err != nil {
		return seatLink{}, err
	}
	s.audit(c, p.ID, "ceremony.relink", nil)
	return s.seatLink(c, ballot.OrganizerSeat, t)
}
