package server

import (
	"crypto/rand"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/circl/group"
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
)

// tellerKey is one teller's share as the count uses it.
type tellerKey struct {
	j     int
	share group.Scalar
}

// tellerKeys reads the shares a closed box-3 poll is counted with: the tellers' codes
// (at least the quorum, each checked against the poll), or the server-held share of a
// poll without tellers. It also returns the tellers who opened the box.
func (s *Server) tellerKeys(c *fiber.Ctx, p *store.PollInfo, codes []string) ([]tellerKey, []string, error) {
	if err := closedPoll(p); err != nil {
		return nil, nil, err
	}
	if len(p.Tellers) == 0 {
		raw, err := s.heldShare(c, p)
		if err != nil {
			return nil, nil, err
		}
		sc, err := elgamal.ParseScalar(raw)
		if err != nil {
			return nil, nil, ballot.Errorf(ballot.EINTERNAL, "密钥份额无效")
		}
		return []tellerKey{{j: 1, share: sc}}, nil, nil
	}
	var keys []tellerKey
	var names []string
	seen := map[int]bool{}
	for _, code := range codes {
		if strings.TrimSpace(code) == "" {
			continue
		}
		j, sc, err := elgamal.DecodeShare(p.ID, code)
		if err != nil || j < 1 || j > len(p.Tellers) {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "监票人密钥有误（输错或不是本次投票的密钥），请核对后重新输入")
		}
		if seen[j] {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "重复输入了监票人“%s”的密钥", p.Tellers[j-1])
		}
		seen[j] = true
		keys = append(keys, tellerKey{j: j, share: sc})
		names = append(names, p.Tellers[j-1])
	}
	if len(keys) < p.TellerQuorum {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "开箱需要至少 %d 位监票人的密钥，现在只有 %d 位", p.TellerQuorum, len(keys))
	}
	return keys, names, nil
}

// countBox counts a homomorphic box: the ciphertexts are checked and added per result
// row and cell, each teller's share decrypts those sums (and the texts, out of their
// ballots) partially, with a proof checked against the teller's public share, and the
// partial decryptions combine into the sums' values. No ballot is decrypted, and the
// poll's key is never put together.
func (s *Server) countBox(c *fiber.Ctx, p *store.PollInfo, codes []string, pending int) (*ballot.Tally, error) {
	ctx := c.UserContext()
	keys, tellers, err := s.tellerKeys(c, p, codes)
	if err != nil {
		return nil, err
	}
	// The poll's own key, not a pool's: nothing is prepared for a closed poll.
	k, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	box, err := s.store.Box(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	turnout, err := s.store.Turnout(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	k.SortBox(box)
	sums := k.Sum(box, turnout)
	points, err := sums.Points()
	if err != nil {
		return nil, err
	}
	shares := splitShares(p.PublicShares)
	cctx := k.CountContext()
	var partials []elgamal.Partial
	for i, tk := range keys {
		if tk.j > len(shares) {
			return nil, ballot.Errorf(ballot.EINVALID, "监票人密钥有误，请核对后重新输入")
		}
		part := elgamal.PartialDecrypt(tk.j, tk.share, points, cctx, rand.Reader)
		pj, err := elgamal.ParsePoint(shares[tk.j-1])
		if err == nil {
			err = elgamal.VerifyPartial(pj, points, part, cctx)
		}
		if err != nil {
			who := "服务器保管的密钥份额"
			if i < len(tellers) {
				who = "监票人“" + tellers[i] + "”的密钥"
			}
			return nil, ballot.Errorf(ballot.EINVALID, "%s与本次投票的公钥不符，请核对后重新输入", who)
		}
		partials = append(partials, part)
	}
	quorum := max(1, p.TellerQuorum)
	combined, err := elgamal.CombinePartials(partials, quorum)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "开箱需要至少 %d 位监票人的密钥", quorum)
	}
	rows, opened, err := k.Decrypt(sums, combined)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "票箱的和无法解密：票箱或部分解密被改动（%v）", err)
	}
	t := k.CountBox(turnout, sums, rows, k.Texts(sums, opened))
	t.OpenedBy = tellers
	receipts := make([]string, len(box))
	for i, b := range box {
		receipts[i] = ballot.ReceiptCode(k.Receipt(b.Sealed))
	}
	bundle, err := k.NewBundle5(turnout, box, sums, partials, opened, shares, quorum, t, "minyi "+s.cfg.Version, time.Now())
	if err != nil {
		return nil, err
	}
	signed, err := ballot.Sign(bundle, s.cfg.Keys.Sign)
	if err != nil {
		return nil, err
	}
	if err := s.store.SaveTally(ctx, t, meOf(c).ID, signed, receipts); err != nil {
		return nil, err
	}
	detail := map[string]string{"ballots": strconv.Itoa(t.Ballots), "tellers": strings.Join(tellers, "、")}
	if pending > 0 {
		detail["paper_pending"] = strconv.Itoa(pending)
	}
	s.audit(c, p.ID, "poll.count", detail)
	return t, nil
}

// splitShares cuts the tellers' public shares into one per teller.
func splitShares(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= elgamal.PointSize {
		out, b = append(out, b[:elgamal.PointSize]), b[elgamal.PointSize:]
	}
	return out
}
