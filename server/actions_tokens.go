package server

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// MaxBatch is the most tokens issued in one batch (one download).
const MaxBatch = 2000

// drawTokens draws count fresh tokens for a group of the poll, with their keyed hashes.
// Nothing is stored yet (see issueBatch).
func (s *Server) drawTokens(p *store.PollInfo, groupID string, count int) ([]ballot.Token, [][]byte, error) {
	if _, ok := p.Group(groupID); !ok {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if count < 1 || count > MaxBatch {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "每批凭证数量应在1到%d之间", MaxBatch)
	}
	toks := make([]ballot.Token, count)
	hashes := make([][]byte, count)
	for i := range toks {
		t, err := ballot.NewToken()
		if err != nil {
			return nil, nil, err
		}
		toks[i], hashes[i] = t, s.cfg.Keys.Token.Hash(t)
	}
	return toks, hashes, nil
}

// voidCode voids the token a person typed in.
func (s *Server) voidCode(c *fiber.Ctx, p *store.PollInfo, code string) error {
	t, err := ballot.ParseToken(code)
	if err != nil {
		return err
	}
	if err := s.store.VoidToken(c.UserContext(), p.ID, s.cfg.Keys.Token.Hash(t), s.cfg.Keys.Nullifier.Nullifier(t)); err != nil {
		return err
	}
	s.audit(c, p.ID, "token.void", nil) // the code itself is never recorded
	return nil
}

// replaceSlip voids a lost slip and issues one new token to the same group: the slip
// itself cannot be printed again, since no token is kept.
func (s *Server) replaceSlip(c *fiber.Ctx, p *store.PollInfo, code, format string) ([]ballot.Token, *slipFile, error) {
	t, err := ballot.ParseToken(code)
	if err != nil {
		return nil, nil, err
	}
	info, err := s.store.TokenByHash(c.UserContext(), s.cfg.Keys.Token.Hash(t))
	if err != nil {
		return nil, nil, err
	}
	if info.PollID != p.ID {
		return nil, nil, ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于本投票活动")
	}
	if err := s.voidCode(c, p, code); err != nil {
		return nil, nil, err
	}
	_, toks, file, err := s.issueBatch(c, p, info.GroupID, 1, format)
	return toks, file, err
}

// batchVoided is a voided batch and how many of its tokens were voided.
type batchVoided struct {
	Batch  store.Batch `json:"-"`
	Voided int         `json:"voided"`
}

// voidBatch voids a batch's tokens (those that voted too, which it cannot tell apart); the
// log names the batch as its slips do.
func (s *Server) voidBatch(c *fiber.Ctx, p *store.PollInfo, batch string) (batchVoided, error) {
	b, err := s.store.BatchOf(c.UserContext(), p.ID, batch)
	if err != nil {
		return batchVoided{Batch: b}, err
	}
	n, err := s.store.VoidBatch(c.UserContext(), p.ID, batch)
	if err != nil {
		return batchVoided{Batch: b}, err
	}
	s.audit(c, p.ID, "batch.void", map[string]string{"batch": batch, "group": b.GroupName, "count": strconv.Itoa(b.Count), "hint": b.Hint, "voided": strconv.Itoa(n)})
	return batchVoided{Batch: b, Voided: n}, nil
}

// batchList is a poll's batches of tokens.
type batchList struct {
	Batches []store.Batch `json:"batches"`
}

// batchesOf lists a visible poll's batches.
func (s *Server) batchesOf(ctx context.Context, p *store.PollInfo) (batchList, error) {
	b, err := s.store.Batches(ctx, p.ID)
	return batchList{Batches: nonNil(b)}, err
}
