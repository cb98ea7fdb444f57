package server

import (
	"bytes"
	"crypto/rand"
	"strings"

	"github.com/cloudflare/circl/group"
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
)

// ServerKey draws the key a server holds for a poll that chose it: its public key, the
// one public share, and the share (the key itself) wrapped under the server secret.
func ServerKey(keys Keys, pollID string) (public, shares, wrapped []byte, err error) {
	d := elgamal.Deal(1, 1, rand.Reader)
	commitments := [][]group.Element{d.Commitments}
	shares = elgamal.PointBytes(elgamal.PublicShare(1, commitments))
	wrapped, err = keys.Share.Wrap(pollID, elgamal.ScalarBytes(d.Shares[0]))
	return elgamal.JointKey(commitments).Bytes(), shares, wrapped, err
}

// closedPoll refuses the count of a poll still open: nothing is decrypted before close.
func closedPoll(p *store.PollInfo) error {
	if p.State != ballot.Closed && p.State != ballot.Counted {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能开箱计票，也不能查看任何结果")
	}
	return nil
}

// heldShare unwraps the share the server keeps for a poll whose key it holds.
func (s *Server) heldShare(c *fiber.Ctx, p *store.PollInfo) ([]byte, error) {
	wrapped, err := s.store.Share(c.UserContext(), p.ID)
	if err != nil {
		return nil, err
	}
	raw, err := s.cfg.Keys.Share.Unwrap(p.ID, wrapped)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "密钥份额无法解开：服务器密钥与开始投票时不同")
	}
	return raw, nil
}

// pollKey puts together the private key of a closed poll: the server-held share, or the
// tellers' shares (at least the quorum, each checked, the result checked against the
// poll's public key). It also returns the tellers who opened the box.
func (s *Server) pollKey(c *fiber.Ctx, p *store.PollInfo, codes []string) ([]byte, []string, error) {
	if err := closedPoll(p); err != nil {
		return nil, nil, err
	}
	if p.ServerHeld() {
		private, err := s.heldShare(c, p)
		return private, nil, err
	}
	var shares []ballot.Share
	var names []string
	seen := map[byte]bool{}
	for _, code := range codes {
		if strings.TrimSpace(code) == "" {
			continue
		}
		sh, err := ballot.DecodeShare(p.ID, code, len(p.PublicKey))
		if err != nil {
			return nil, nil, err
		}
		if int(sh.X) > len(p.Tellers) || sh.X == 0 {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "监票人密钥有误，请核对后重新输入")
		}
		if seen[sh.X] {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "重复输入了监票人“%s”的密钥", p.Tellers[sh.X-1])
		}
		seen[sh.X] = true
		shares = append(shares, sh)
		names = append(names, p.Tellers[sh.X-1])
	}
	if len(shares) < p.TellerQuorum {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "开箱需要至少 %d 位监票人的密钥，现在只有 %d 位", p.TellerQuorum, len(shares))
	}
	private, err := ballot.CombineShares(shares)
	if err != nil {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "监票人密钥无法合成，请核对后重新输入")
	}
	if pub, err := ballot.PublicKeyOf(private); err != nil || !bytes.Equal(pub, p.PublicKey) {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "这些监票人密钥打不开本次投票的票箱，请核对")
	}
	return private, names, nil
}
