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
	xl, err := s.printerIn(c).TallyWorkbook(b)
	if err != nil {
		return err
	}
	reportPDF, err := s.printerIn(c).TallyPDF(b, ballot.Fingerprint(signed.PublicKey), ballot.CheckCode(signed.Bundle))
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
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(tr(c, "%s_计票结果.zip", report.Clip(p.Title, 30))))
	// the files' names inside, said before the body streams (the request is gone then)
	signedZip, signedJSON := tr(c, "计票结果（签名）.zip"), tr(c, "计票结果（签名）.json")
	pdfName, xlsxName := tr(c, "计票结果报告单.pdf"), tr(c, "计票结果.xlsx")
	s.streamBody(c, func(w io.Writer) error {
		z := zip.NewWriter(w)
		if v5 {
			fw, err := z.CreateHeader(&zip.FileHeader{Name: signedZip, Method: zip.Store})
			if err != nil {
				return err
			}
			if err := s.writeBundle5(fw, p.ID, signed, marks); err != nil {
				return err
			}
		} else {
			fw, err := z.Create(signedJSON)
			if err != nil {
				return err
			}
			fw.Write(js)
		}
		for _, f := range []struct {
			name string
			body []byte
		}{{pdfName, reportPDF}, {xlsxName, xl}} {
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
