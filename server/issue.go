package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// MaxIssueAll is the most slips the one-click issue for every group makes in one PDF:
// 10,000 slips took 225 MB at peak and 5,000 of four groups 145 MB (docs/PERFORMANCE.md).
const MaxIssueAll = 5000

// groupCount is one group's share of an issue.
type groupCount struct {
	Group ballot.Group
	Count int
}

// issuedBatch is a batch just stored, with the tokens that exist nowhere else.
type issuedBatch struct {
	ID     string
	Group  ballot.Group
	Tokens []ballot.Token
	Hint   string
}

// slipsDue is how many slips each group of the poll still needs, by group id.
func (s *Server) slipsDue(c *fiber.Ctx, p *store.PollInfo) (map[string]int, error) {
	tu, err := s.store.Turnout(c.UserContext(), p.ID)
	if err != nil {
		return nil, err
	}
	by := map[string]ballot.Turnout{}
	for _, t := range tu {
		by[t.Group] = t
	}
	due := map[string]int{}
	for _, g := range p.Groups {
		due[g.ID] = ballot.SlipsDue(g.Expected, by[g.ID])
	}
	return due, nil
}

// oneGroup reads the group and count of an issue; a count left blank (or 0 from the API)
// is what the group still needs, so the number can never be another group's.
func (s *Server) oneGroup(c *fiber.Ctx, p *store.PollInfo, groupID string, count int) ([]groupCount, error) {
	g, ok := p.Group(groupID)
	if !ok {
		return nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if count == 0 {
		due, err := s.slipsDue(c, p)
		if err != nil {
			return nil, err
		}
		if count = due[g.ID]; count == 0 {
			return nil, ballot.Errorf(ballot.EINVALID, "“%s”的凭证已按应到人数（%d 人）发齐。如需多发，请填写数量", g.Name, g.Expected)
		}
	}
	return []groupCount{{g, count}}, nil
}

// allGroups is every group's remaining slips, for the one-click issue.
func (s *Server) allGroups(c *fiber.Ctx, p *store.PollInfo) ([]groupCount, error) {
	due, err := s.slipsDue(c, p)
	if err != nil {
		return nil, err
	}
	var out []groupCount
	total := 0
	for _, g := range p.Groups {
		if n := due[g.ID]; n > 0 {
			out = append(out, groupCount{g, n})
			total += n
		}
	}
	if len(out) == 0 {
		return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的凭证都已按应到人数发齐，无需再生成")
	}
	if total > MaxIssueAll {
		return nil, ballot.Errorf(ballot.EINVALID, "共需 %d 张凭证，一次最多生成 %d 张，请按参评类别分别生成", total, MaxIssueAll)
	}
	return out, nil
}
