package server

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// pollNextRound opens the builder for a further round of a counted recommendation: the
// same groups and quorum, each recommendation form's positions with the candidates the
// count shortlisted, for the organizer to confirm.
func (s *Server) pollNextRound(c *fiber.Ctx) error {
	p := pollOf(c)
	t, _, err := s.store.Tally(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	b := builder{Previous: p.ID, Title: tr(c, "%s（第二轮）", p.Title), UnitID: p.UnitID, Quorum: p.Quorum.String(), Year: strconv.Itoa(p.Year), Contact: p.Contact, Lang: p.Lang}
	// The same people hold the next round's key (a new key, made in a new ceremony).
	b.KeyHolder = p.Holder()
	if len(p.Tellers) > 0 {
		b.Tellers, b.TellerQ = strings.Join(p.Tellers, "\n"), strconv.Itoa(p.TellerQuorum)
	}
	if p.MinGroup != 0 {
		b.MinGroup = strconv.Itoa(p.MinGroup)
	}
	var groups []string
	for _, g := range p.Groups {
		groups = append(groups, ballot.GroupLine(g))
	}
	b.Groups = strings.Join(groups, "\n")
	for i, f := range p.Forms {
		if f.Recommendation == nil || t.Forms[i].Recommendation == nil {
			continue
		}
		bf := newSection(pr(c), ballot.KindRecommendation)
		bf.Title, bf.Shape = f.Title, f.Recommendation.Shape
		bf.Positions = ballot.PositionsText(f.Recommendation.NextRound(t.Forms[i].Recommendation))
		b.Forms = append(b.Forms, bf)
	}
	if len(b.Forms) == 0 {
		return ballot.Errorf(ballot.ECONFLICT, "这次投票没有民主推荐表，不能发起第二轮推荐")
	}
	c.Locals("flash", tr(c, "已按第一轮得票前列（含并列）预填各职位人选，请核对、增删后保存。"))
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}
