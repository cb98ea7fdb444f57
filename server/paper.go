package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// Paper ballots beside phones, entered twice. An organizer marks a voter's token
// as paper; after voting, two different staff members each enter every paper ballot; a
// ballot goes into the box when two entries by different people agree.

// markPaper turns the typed code's token into a paper vote.
func (s *Server) markPaper(c *fiber.Ctx, p *store.PollInfo, code string) error {
	t, err := ballot.ParseToken(code)
	if err != nil {
		return err
	}
	if err := s.store.MarkPaper(c.UserContext(), p.ID, s.cfg.Keys.Token.Hash(t), s.cfg.Keys.Nullifier.Nullifier(t)); err != nil {
		return err
	}
	s.audit(c, p.ID, "token.paper", nil)
	return nil
}

// paperDigest identifies an entry's content without revealing it: HMAC under a key from
// the server secret, over the group and the ballot's canonical form.
func (s *Server) paperDigest(groupID string, plain []byte) []byte {
	m := hmac.New(sha256.New, s.cfg.Keys.Paper)
	m.Write([]byte(groupID))
	m.Write([]byte{0})
	m.Write(plain)
	return m.Sum(nil)
}

// enterPaper records one staff member's entry of a paper ballot. Every mark of the paper
// is kept as it is: lines that break their rule count as invalid, as on paper.
func (s *Server) enterPaper(c *fiber.Ctx, p *store.PollInfo, groupID string, b *ballot.Ballot) (bool, error) {
	if _, ok := p.Group(groupID); !ok {
		return false, ballot.Errorf(ballot.EINVALID, "请选择这张纸质选票的参评类别")
	}
	if _, err := p.CheckGroup(groupID, b); err != nil {
		return false, err
	}
	canon := b.Canonical()
	plain, err := canon.Encode()
	if err != nil {
		return false, err
	}
	sealed, _, opening, err := s.seal(p, groupID, &canon)
	if err != nil {
		return false, err
	}
	matched, err := s.store.EnterPaper(c.UserContext(), store.PaperEntry{PollID: p.ID, GroupID: groupID, Digest: s.paperDigest(groupID, plain),
		Sealed: sealed, EnteredBy: meOf(c).ID, Opening: opening})
	opening.Wipe()
	if err != nil {
		return false, err
	}
	// Which entry matched, or what it said, is never recorded.
	s.audit(c, p.ID, "paper.enter", map[string]string{"matched": fmt.Sprint(matched)})
	return matched, nil
}
