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

func (s *Server) tokenPaper(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.markPaper(c, p, c.FormValue("code")); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, tr(c, "该凭证已改为纸质投票：不能再用手机投票，计入实到人数。"))
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

func (s *Server) paperPage(c *fiber.Ctx) error {
	p := pollOf(c)
	return s.renderPaper(c, fiber.StatusOK, p, "", nil, "")
}

func (s *Server) renderPaper(c *fiber.Ctx, status int, p *store.PollInfo, groupID string, marks map[string][]string, errMsg string) error {
	st, err := s.store.Paper(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	if marks == nil {
		marks = map[string][]string{}
	}
	return s.page(c, status, "staff/paper", fiber.Map{"Title": tr(c, "纸质选票录入 · %s", p.Title), "Poll": p, "Status": st, "GroupID": groupID,
		"Paper": true, "Marks": marks, "Spoilt": map[string]bool{}, "Error": errMsg,
		"AgreeOptions": ballot.AgreeOptions, "OverallOptions": ballot.OverallOptions, "CadreOptions": ballot.CadreOptions, "RatingScale": ratingScale})
}

func (s *Server) paperSubmit(c *fiber.Ctx) error {
	p := pollOf(c)
	groupID := c.FormValue("group_id")
	b := ballotFromForm(c, p)
	matched, err := s.enterPaper(c, p, groupID, &b)
	if code := ballot.ErrorCode(err); code == ballot.EINVALID || code == ballot.ECONFLICT {
		marks := map[string][]string{}
		for _, ff := range b.Forms {
			for line, m := range ff.Lines {
				marks[ballot.FieldName(ff.Form, line)] = m
			}
		}
		return s.renderPaper(c, fiber.StatusBadRequest, p, groupID, marks, errText(pr(c), err))
	} else if err != nil {
		return err
	}
	msg := tr(c, "已录入，等待另一位工作人员再次录入这张选票核对。")
	if matched {
		msg = tr(c, "两人录入一致，这张纸质选票已密封投入票箱。")
	}
	return s.redirectWith(c, "/polls/"+p.ID+"/paper", msg)
}

func (s *Server) paperDiscard(c *fiber.Ctx) error {
	p := pollOf(c)
	n, err := s.store.DiscardPendingPaper(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	s.audit(c, p.ID, "paper.discard", map[string]string{"entries": fmt.Sprint(n)})
	return s.redirectWith(c, "/polls/"+p.ID+"/paper", tr(c, "已清除 %d 条未核对一致的录入，请对照纸质选票重新录入。", n))
}
