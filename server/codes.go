package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// A bulk issue (批量生成凭证码) makes up to a million codes for a survey's many groups in
// one download, written as the codes are drawn: the CSV for mail merge and SMS, or a ZIP
// of that CSV and the slips as PDFs of at most 2,000 each. The download is the one copy
// of the codes. Its tokens are stored in one transaction that commits just before the
// download's last bytes: a download the server could not write to its end issues
// nothing (no code in its part can vote, nothing is left to void), and a download cut
// short by a failed commit ends without its end, so no client takes it for whole.

// codesOrder is a bulk issue as the poll page's form or the API asks for it: counts per
// group, or the same count for every group, or (neither) each group's remaining by 应到.
type codesOrder struct {
	Groups   []codesGroup
	PerGroup *int
	Format   string // csv (default) or zip
	Key      string
}

type codesGroup struct {
	GroupID string `json:"group_id"`
	Count   int    `json:"count"`
}

// codesTimeout bounds one bulk download, the PDFs of a million slips included.
const codesTimeout = 2 * time.Hour

// planCodes turns an order into each group's share, refusing what cannot be issued
// before anything is drawn, while the answer can still be an error page.
func (s *Server) planCodes(c *fiber.Ctx, p *store.PollInfo, o codesOrder) ([]ballot.CodeShare, error) {
	if p.State != ballot.Draft && p.State != ballot.Open {
		return nil, ballot.Errorf(ballot.ECONFLICT, "投票已结束，不能再发放凭证")
	}
	switch o.Format {
	case "", "csv", "zip":
	default:
		return nil, ballot.Errorf(ballot.EINVALID, "不支持的格式“%s”，可选 csv（凭证清单）或 zip（凭证清单和 PDF 切割单）", o.Format)
	}
	var shares []ballot.CodeShare
	switch {
	case len(o.Groups) > 0:
		if o.PerGroup != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的数量和统一数量只能填写一种")
		}
		for _, g := range o.Groups {
			if _, ok := p.Group(g.GroupID); !ok {
				return nil, ballot.Errorf(ballot.EINVALID, "参评类别“%s”不存在，请核对参评类别编号", g.GroupID)
			}
			shares = append(shares, ballot.CodeShare{Group: g.GroupID, Count: g.Count})
		}
	case o.PerGroup != nil:
		if *o.PerGroup < 1 {
			return nil, ballot.Errorf(ballot.EINVALID, "每个参评类别的凭证数量应在1到%d之间", ballot.MaxCodes)
		}
		for _, g := range p.Groups {
			shares = append(shares, ballot.CodeShare{Group: g.ID, Count: *o.PerGroup})
		}
	default:
		due, err := s.slipsDue(c, p)
		if err != nil {
			return nil, err
		}
		for _, g := range p.Groups {
			if due[g.ID] > 0 {
				shares = append(shares, ballot.CodeShare{Group: g.ID, Count: due[g.ID]})
			}
		}
		if len(shares) == 0 {
			return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的凭证都已按应到人数发齐。如需多发，请填写每个参评类别的数量")
		}
	}
	if err := ballot.CheckCodeShares(shares); err != nil {
		return nil, err
	}
	total := 0
	for _, sh := range shares {
		total += sh.Count
	}
	return shares, s.checkCountSize(c, p, 0, total)
}
