package server

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
)

// openPoll fixes the poll's key and opens voting. The key is the one its holders' devices
// made in the key ceremony (the tellers, or the organizer's one seat): the server has only
// its public part, and voting cannot open before every seat is ready. Only where the
// organizer chose it for a survey does the server draw the key and keep it, wrapped under
// the server secret (「本次由服务器保管密钥」).
func (s *Server) openPoll(c *fiber.Ctx, p *store.PollInfo) error {
	if p.State != ballot.Draft {
		return ballot.Errorf(ballot.ECONFLICT, "只有尚未开始的投票活动可以开始投票")
	}
	if err := s.checkCountSize(c, p, 0, 0); err != nil {
		return err
	}
	// The server-held key is for surveys only, checked again here: a poll marked so before
	// the rule (or carried through a rehearsal) must not open a vote on people with it.
	if p.ServerHeld() {
		if err := p.Poll.ValidateNew(); err != nil {
			return err
		}
	}
	var public, shares, wrapped []byte
	if !p.ServerHeld() {
		ck, err := s.store.CeremonyKey(c.UserContext(), p.ID)
		if ballot.ErrorCode(err) == ballot.EKEYNOTREADY && p.Holder() == ballot.KeyOrganizer {
			return ballot.Errorf(ballot.EKEYNOTREADY, "密钥由您本人的设备保管：请先在投票活动页点击“在本设备上生成密钥”，保存并核验备份后，再开始投票")
		}
		if err != nil {
			return err
		}
		if ck.Quorum != p.KeyQuorum() || len(ck.PublicShares) != len(p.KeySeats()) {
			return ballot.Errorf(ballot.EKEYNOTREADY, "监票人密钥与本次投票的监票人设置不符，请重新生成监票人链接")
		}
		public = ck.Joint.Bytes()
		for _, pj := range ck.PublicShares {
			shares = append(shares, elgamal.PointBytes(pj)...)
		}
	} else {
		var err error
		if public, shares, wrapped, err = ServerKey(s.cfg.Keys, p.ID); err != nil {
			return err
		}
	}
	if err := s.store.OpenPoll(c.UserContext(), p.ID, store.BoxHomomorphic, public, shares, wrapped); err != nil {
		return err
	}
	p.Box, p.PublicKey, p.PublicShares, p.State = store.BoxHomomorphic, public, shares, ballot.Open
	s.pools.Fill(p)
	s.warmConns()
	s.drawSlots(c.UserContext(), p)
	s.audit(c, p.ID, "poll.open", map[string]string{"tellers": strconv.Itoa(len(p.Tellers)), "quorum": strconv.Itoa(p.TellerQuorum), "key": p.KeyNote()})
	return nil
}

// drawSlots gives an open poll's box an empty slot for every ballot its tokens may still
// cast. A failure is logged only: a vote that finds no slot draws them itself.
func (s *Server) drawSlots(ctx context.Context, p *store.PollInfo) {
	size := ballot.SealedSize(p.PlainSize())
	if p.Box == store.BoxHomomorphic {
		k, err := s.pools.Key(p)
		if err != nil {
			s.log.Error("drawing ballot slots", "poll", p.ID, "err", err)
			return
		}
		size = k.Size()
	}
	if err := s.store.EnsureSlots(ctx, p.ID, size); err != nil {
		s.log.Error("drawing ballot slots", "poll", p.ID, "err", err)
	}
}
