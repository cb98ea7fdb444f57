package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// issueBatches draws the tokens of each group, renders them as slips in the format asked
// ("" for none; several groups make one PDF), and only then stores the hashes, all
// groups or none, so a failure in between leaves no orphan tokens behind. key is the
// issuing form's idempotency key ("" for none): a key that issued before issues nothing.
func (s *Server) issueBatches(c *fiber.Ctx, p *store.PollInfo, want []groupCount, key, format string) ([]issuedBatch, *slipFile, error) {
	key = strings.TrimSpace(key)
	if err := s.repeated(c, p, key, nil); err != nil {
		return nil, nil, err
	}
	more := 0
	for _, w := range want {
		more += w.Count
	}
	if err := s.checkCountSize(c, p, 0, more); err != nil {
		return nil, nil, err
	}
	out := make([]issuedBatch, len(want))
	news := make([]store.NewBatch, len(want))
	for i, w := range want {
		if w.Count < 1 || w.Count > MaxBatch {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "每批凭证数量应在1到%d之间", MaxBatch)
		}
		toks, hashes, err := s.drawTokens(p, w.Group.ID, w.Count)
		if err != nil {
			return nil, nil, err
		}
		hint := ballot.BatchHint(toks)
		out[i] = issuedBatch{Group: w.Group, Tokens: toks, Hint: hint}
		news[i] = store.NewBatch{GroupID: w.Group.ID, Hashes: hashes, Hint: hint}
	}
	var file *slipFile
	if format != "" {
		var err error
		if file, err = s.slips(c, p, out, format); err != nil {
			return nil, nil, err
		}
	}
	ids, err := s.store.IssueBatches(c.UserContext(), p.ID, key, meOf(c).ID, news)
	if err != nil {
		return nil, nil, s.repeated(c, p, key, err)
	}
	if p.State == ballot.Open {
		s.drawSlots(c.UserContext(), p)
	}
	for i := range out {
		out[i].ID = ids[i]
		s.audit(c, p.ID, "tokens.issue", map[string]string{"group": out[i].Group.Name, "count": strconv.Itoa(len(out[i].Tokens)), "hint": out[i].Hint, "batch": ids[i]})
	}
	return out, file, nil
}

// issueBatch issues one batch for a group, without a key (a replacement slip).
func (s *Server) issueBatch(c *fiber.Ctx, p *store.PollInfo, groupID string, count int, format string) (string, []ballot.Token, *slipFile, error) {
	g, ok := p.Group(groupID)
	if !ok {
		return "", nil, nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	out, file, err := s.issueBatches(c, p, []groupCount{{g, count}}, "", format)
	if err != nil {
		return "", nil, nil, err
	}
	return out[0].ID, out[0].Tokens, file, nil
}
