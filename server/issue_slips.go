package server

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/report"
	"minyi/store"
)

// slips renders batches as a PDF of cut-out slips or, for one batch, a ZIP of QR images.
func (s *Server) slips(c *fiber.Ctx, p *store.PollInfo, batches []issuedBatch, format string) (*slipFile, error) {
	base, _ := s.baseURL(c.BaseURL())
	bs := make([]*report.SlipBatch, len(batches))
	total := 0
	for i, b := range batches {
		bs[i] = &report.SlipBatch{Title: p.Title, Group: b.Group.Name, Base: base, Tokens: b.Tokens, Hint: b.Hint}
		total += len(b.Tokens)
	}
	// numbers as text: a file's name is not grouped in thousands in English
	name := tr(c, "%s_%s_%s张", report.Clip(p.Title, 20), batches[0].Group.Name, strconv.Itoa(total))
	if len(batches) > 1 {
		name = tr(c, "%s_全部参评类别_%s张", report.Clip(p.Title, 20), strconv.Itoa(total))
		if format != "pdf" {
			return nil, ballot.Errorf(ballot.EINVALID, "一次生成全部参评类别的凭证只提供 PDF 格式")
		}
	}
	var pdf []byte
	if format == "pdf" || format == "both" {
		var err error
		if pdf, err = s.printerIn(c).Slips(bs...); err != nil {
			return nil, err
		}
	}
	switch format {
	case "pdf":
		return &slipFile{name: name + ".pdf", contentType: "application/pdf", body: pdf}, nil
	case "zip", "both":
		body, err := s.printerIn(c).SlipsZIP(bs[0], pdf)
		return &slipFile{name: name + ".zip", contentType: "application/zip", body: body}, err
	}
	return nil, ballot.Errorf(ballot.EINVALID, "不支持的格式“%s”，可选 pdf、zip 或 both", format)
}

// slipFile is a prepared download of token slips.
type slipFile struct {
	name, contentType string
	body              []byte
}

func (f *slipFile) send(c *fiber.Ctx) error {
	c.Set("Content-Type", f.contentType)
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.name))
	return c.Send(f.body)
}
