package server

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/report"
)

// tallyZIP packs the signed bundle, the report and the workbook. No document lists plain
// ballots: none is ever decrypted, and a list of them would let a coercer find a voter's
// pattern of marks. A version 5 bundle goes in as its own ZIP, stored, its ballots
// streamed from the box; nothing of the whole is held in memory but the report and the
// workbook.
func (s *Server) tallyZIP(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	xl, err := report.TallyWorkbook(b)
	if err != nil {
		return err
	}
	reportPDF, err := s.printer().TallyPDF(b, ballot.Fingerprint(signed.PublicKey), ballot.CheckCode(signed.Bundle))
	if err != nil {
		return err
	}
	marks, v5 := ballot.Bundle5Marks(signed)
	var js []byte
	if !v5 {
		if js, err = json.MarshalIndent(signed, "", " "); err != nil {
			return err
		}
	}
	c.Set("Content-Type", "application/zip")
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(report.Clip(p.Title, 30)+"_计票结果.zip"))
	s.streamBody(c, func(w io.Writer) error {
		z := zip.NewWriter(w)
		if v5 {
			fw, err := z.CreateHeader(&zip.FileHeader{Name: "计票结果（签名）.zip", Method: zip.Store})
			if err != nil {
				return err
			}
			if err := s.writeBundle5(fw, p.ID, signed, marks); err != nil {
				return err
			}
		} else {
			fw, err := z.Create("计票结果（签名）.json")
			if err != nil {
				return err
			}
			fw.Write(js)
		}
		for _, f := range []struct {
			name string
			body []byte
		}{{"计票结果报告单.pdf", reportPDF}, {"计票结果.xlsx", xl}} {
			fw, err := z.Create(f.name)
			if err != nil {
				return err
			}
			fw.Write(f.body)
		}
		return z.Close()
	})
	return nil
}
