package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// tokensIssue issues slips from the poll page's form, for one group or (the 一键 button)
// for every group's remaining, and answers with the slips to print: the only time the
// tokens exist outside the voters' hands. A second post of the same form gets a page
// saying what the first issued and how to void it if its download was lost.
func (s *Server) tokensIssue(c *fiber.Ctx) error {
	p := pollOf(c)
	file, err := s.issueFromForm(c, p)
	if err != nil {
		return s.issuedAgain(c, p, err)
	}
	return file.send(c)
}

// issuedAgain answers a second post of an issuing form (slips or codes) with the page of
// what the first issued, where a lost download's batch can be voided; other errors pass.
func (s *Server) issuedAgain(c *fiber.Ctx, p *store.PollInfo, err error) error {
	var rep *repeatedError
	if errors.As(err, &rep) && !isAPI(c) {
		return s.page(c, fiber.StatusConflict, "staff/issued", fiber.Map{"Title": tr(c, "凭证已生成 · %s", p.Title), "Poll": p, "Batches": rep.batches,
			"CanVoid": p.State == ballot.Draft || p.State == ballot.Open})
	}
	return err
}

// issueFromForm reads the issuing form and issues what it asks.
func (s *Server) issueFromForm(c *fiber.Ctx, p *store.PollInfo) (*slipFile, error) {
	// The key first: a second post of a form whose number was left blank would otherwise
	// be told its group is served, not where its slips are.
	key := strings.TrimSpace(c.FormValue("issue_key"))
	if err := s.repeated(c, p, key, nil); err != nil {
		return nil, err
	}
	var want []groupCount
	var err error
	format := c.FormValue("format", "pdf")
	if c.FormValue("all") != "" {
		want, err = s.allGroups(c, p)
		format = "pdf"
	} else {
		count := 0
		if v := strings.TrimSpace(c.FormValue("count")); v != "" {
			if count, err = strconv.Atoi(v); err != nil || count < 1 {
				return nil, ballot.Errorf(ballot.EINVALID, "凭证数量“%s”不是正整数；留空则按应到人数补足", v)
			}
		}
		want, err = s.oneGroup(c, p, c.FormValue("group_id"), count)
	}
	if err != nil {
		return nil, err
	}
	_, file, err := s.issueBatches(c, p, want, key, format)
	return file, err
}

// issueChoice is a group as the issuing form offers it, with the slips it still needs.
type issueChoice struct {
	ID, Name         string
	Expected, Issued int
	Due              int
	Selected         bool
}

// issueChoices lists the groups for the issuing form; the first with slips due comes
// selected, so the form's number is never another group's.
func issueChoices(tv turnoutView) []issueChoice {
	out := make([]issueChoice, len(tv.Groups))
	chosen := false
	for i, g := range tv.Groups {
		out[i] = issueChoice{ID: g.ID, Name: g.Name, Expected: g.Expected, Issued: g.Issued,
			Due: ballot.SlipsDue(g.Expected, ballot.Turnout{Issued: g.Issued})}
		if !chosen && out[i].Due > 0 {
			out[i].Selected, chosen = true, true
		}
	}
	return out
}
