package server

import (
	"crypto/rand"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// codesForm is what the poll page's bulk issue form shows: the codes a blank form would
// issue, the cap, and the form's own key.
type codesForm struct {
	Groups, Due, Max int
	Key              string
}

func codesFormOf(issue []issueChoice) codesForm {
	f := codesForm{Groups: len(issue), Max: ballot.MaxCodes, Key: rand.Text()}
	for _, c := range issue {
		f.Due += c.Due
	}
	return f
}

// codesIssue is the poll page's bulk issue form: one count for every group, or left
// blank for each group's remaining by 应到. Posted again, it shows what the first post
// issued, as the slips' form does.
func (s *Server) codesIssue(c *fiber.Ctx) error {
	o := codesOrder{Format: c.FormValue("format"), Key: c.FormValue("issue_key")}
	if v := strings.TrimSpace(c.FormValue("per_group")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return ballot.Errorf(ballot.EINVALID, "每个参评类别的凭证数量“%s”不是正整数；留空则按应到人数补足", v)
		}
		o.PerGroup = &n
	}
	p := pollOf(c)
	if err := s.issueCodes(c, p, o); err != nil {
		return s.issuedAgain(c, p, err)
	}
	return nil
}

// apiCodesIssue is the bulk issue for scripts: {groups: [{group_id, count}]} or
// {per_group: n} or neither, format csv or zip, and an Idempotency-Key.
func (s *Server) apiCodesIssue(c *fiber.Ctx) error {
	var in struct {
		Groups   []codesGroup `json:"groups"`
		PerGroup *int         `json:"per_group"`
		Format   string       `json:"format"`
		Key      string       `json:"idempotency_key"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if k := c.Get("Idempotency-Key"); k != "" {
		in.Key = k
	}
	return s.issueCodes(c, pollOf(c), codesOrder{Groups: in.Groups, PerGroup: in.PerGroup, Format: in.Format, Key: in.Key})
}
