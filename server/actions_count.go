package server

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// countPoll opens the box of a closed poll and counts it. The store releases neither the
// box nor the key before close.
//
// Paper ballots entered once and not yet matched by a second entry are not in the box:
// counting would leave them out. It goes ahead only when confirmPending says the counter
// has seen them (the log keeps how many); otherwise it refuses with EPAPERPENDING.
func (s *Server) countPoll(c *fiber.Ctx, p *store.PollInfo, shareCodes []string, confirmPending bool) (*ballot.Tally, error) {
	ctx := c.UserContext()
	pending, err := s.paperPending(c, p, confirmPending)
	if err != nil {
		return nil, err
	}
	if p.Box == store.BoxHomomorphic {
		return s.countBox(c, p, pending)
	}
	private, tellers, err := s.pollKey(c, p, shareCodes)
	if err != nil {
		return nil, err
	}
	opener, err := ballot.NewOpener(p.ID, private)
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
	plain := opener.OpenBox(box)
	t := ballot.Count(&p.Poll, turnout, plain)
	t.OpenedBy = tellers
	sealed := make([][]byte, len(box))
	receipts := make([]string, len(box))
	for i, b := range box {
		sealed[i] = b.Sealed
		receipts[i] = ballot.ReceiptCode(ballot.Receipt(b.Sealed))
	}
	bundle, err := ballot.NewBundle(&p.Poll, turnout, sealed, plain, t, "minyi "+s.cfg.Version, time.Now())
	if err != nil {
		return nil, err
	}
	signed, err := ballot.Sign(bundle, s.cfg.Keys.Sign)
	if err != nil {
		return nil, err
	}
	if err := s.store.SaveTally(ctx, t, meOf(c).ID, signed, slices.Values(receipts)); err != nil {
		return nil, err
	}
	detail := map[string]string{"ballots": strconv.Itoa(t.Ballots), "tellers": strings.Join(tellers, "、")}
	if pending > 0 {
		detail["paper_pending"] = strconv.Itoa(pending)
	}
	s.audit(c, p.ID, "poll.count", detail)
	return t, nil
}

// paperPending is how many paper entries wait for their second entry. They are not in the
// box: counting would leave them out, so it goes ahead only when confirmPending says the
// counter has seen them; otherwise it refuses with EPAPERPENDING.
func (s *Server) paperPending(c *fiber.Ctx, p *store.PollInfo, confirmPending bool) (int, error) {
	paper, err := s.store.Paper(c.UserContext(), p.ID)
	if err != nil {
		return 0, err
	}
	if paper.Pending > 0 && !confirmPending {
		return 0, ballot.Errorf(ballot.EPAPERPENDING, "有 %d 份纸质选票只录入了一遍，尚未经第二人核对录入，开箱后将不计入结果。请先完成核对录入；确认不计入的，勾选确认后再开箱", paper.Pending)
	}
	return paper.Pending, nil
}

// countedTally is a counted poll's result and when it was counted.
type countedTally struct {
	CountedAt time.Time     `json:"counted_at"`
	Tally     *ballot.Tally `json:"tally"`
}

// tallyOf reads the result of a visible poll; the store has none before the count.
func (s *Server) tallyOf(ctx context.Context, p *store.PollInfo) (countedTally, error) {
	t, at, err := s.store.Tally(ctx, p.ID)
	return countedTally{CountedAt: at, Tally: t}, err
}
