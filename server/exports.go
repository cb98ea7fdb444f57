package server

import (
	"encoding/json"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/report"
	"minyi/store"
)

// Downloads of a counted poll, all from its signed bundle: the tally as a workbook, the
// plain ballots as CSV for a re-tally by hand, and everything in one ZIP.

func (s *Server) certified(c *fiber.Ctx) (*store.PollInfo, *ballot.Signed, *ballot.Bundle, error) {
	p := pollOf(c)
	signed, err := s.store.Bundle(c.UserContext(), p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	var b ballot.Bundle
	if err := json.Unmarshal(signed.Bundle, &b); err != nil {
		return nil, nil, nil, err
	}
	return p, signed, &b, nil
}

// printerIn makes the documents in the request's language: an English organizer
// downloads English documents.
func (s *Server) printerIn(c *fiber.Ctx) report.Printer {
	return report.Printer{FontPath: s.cfg.FontPath, P: pr(c)}
}

func sendFile(c *fiber.Ctx, name, contentType string, body []byte) error {
	c.Set("Content-Type", contentType)
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	return c.Send(body)
}

func (s *Server) tallyXLSXDownload(c *fiber.Ctx) error {
	p, _, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := s.printerIn(c).TallyWorkbook(b)
	if err != nil {
		return err
	}
	return sendFile(c, tr(c, "%s_计票结果.xlsx", report.Clip(p.Title, 30)), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

func (s *Server) tallyPDFDownload(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := s.printerIn(c).TallyPDF(b, ballot.Fingerprint(signed.PublicKey), ballot.CheckCode(signed.Bundle))
	if err != nil {
		return err
	}
	return sendFile(c, tr(c, "%s_计票结果报告单.pdf", report.Clip(p.Title, 30)), "application/pdf", body)
}
