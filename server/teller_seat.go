package server

import (
	"encoding/hex"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/store"
)

// seat finds the poll and seat of a teller's link; a wrong link counts as a guess.
func (s *Server) seat(c *fiber.Ctx) (*store.PollInfo, int, error) {
	if s.tokenGuesses.blocked(c.IP()) {
		return nil, 0, ballot.Errorf(ballot.ETOOMANY, "从这台设备打开的无效链接过多，请%d秒后再试", int(s.tokenGuesses.retryAfter().Seconds()))
	}
	t, err := ceremony.ParseSeatToken(c.Params("token"))
	var pollID string
	var seat int
	if err == nil {
		pollID, seat, err = s.store.SeatByToken(c.UserContext(), t.Hash(s.cfg.Keys.Token))
	}
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		s.tokenGuesses.fail(c.IP())
	}
	if err != nil {
		return nil, 0, err
	}
	p, err := s.store.Poll(c.UserContext(), pollID)
	if err != nil {
		return nil, 0, err
	}
	// A teller's pages speak the poll's language, as its voters' do, unless the teller
	// switched: tellers sit in the same meeting.
	lang := p.Lang
	if lang == "" {
		lang = ballot.LangZh
	}
	s.pollLang(c, lang)
	return p, seat, nil
}

func (s *Server) tellerState(c *fiber.Ctx) error {
	p, seat, err := s.seat(c)
	if err != nil {
		return err
	}
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	rec := ceremony.Record{Ceremony: cer.ID, Poll: p.ID, PollState: string(p.State), Seat: seat, K: cer.K, N: cer.N, Tellers: p.KeySeats()}
	for _, st := range cer.Seats {
		rec.CommKeys = append(rec.CommKeys, hex.EncodeToString(st.CommKey))
		rec.Commitments = append(rec.Commitments, hex.EncodeToString(st.Commitments))
		rec.Sealed = append(rec.Sealed, hex.EncodeToString(st.Sealed))
		rec.Ready = append(rec.Ready, st.ReadyAt != nil)
		if st.Seat == seat {
			rec.Challenge = hex.EncodeToString(st.Challenge)
		}
	}
	if by, dealer, blocked := cer.Blocked(); blocked {
		rec.Blocked = tr(c, "第%s位监票人发现第%s位监票人分发的密钥份额有误。密钥生成已中止，请组织者重新生成监票人链接。", strconv.Itoa(by), strconv.Itoa(dealer))
		rec.Dealer = dealer
	}
	return c.JSON(rec)
}
