package server

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"minyi/ballot"
	"minyi/store"
)

// Downloads of a counted poll, all from its signed bundle: the tally as a workbook, the
// plain ballots as CSV for a re-tally by hand, and everything in one ZIP.

func (s *Server) certified(c *fiber.Ctx) (*store.PollInfo, *ballot.Signed, *ballot.Bundle, error) {
	p, err := s.visiblePoll(c)
	if err != nil {
		return nil, nil, nil, err
	}
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

func sheetName(title string) string {
	r := strings.NewReplacer("[", "（", "]", "）", ":", "：", "*", "", "?", "", "/", "、", "\\", "、")
	return clip(r.Replace(title), 28)
}

// tallyXLSX lays the report tables out one sheet per form (its 分类统计 below its results),
// after a sheet of turnout.
func tallyXLSX(b *ballot.Bundle) ([]byte, error) { return xlsxFromTables(reportTables(b.Tally)) }

// xlsxFromTables writes tables into a workbook, those of the same Sheet stacked on one.
func xlsxFromTables(tables []reportTable) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	next := map[string]int{} // sheet → next free row
	for _, t := range tables {
		name := sheetName(t.Sheet)
		r, ok := next[name]
		if !ok {
			if len(next) == 0 {
				x.SetSheetName("Sheet1", name)
			} else if _, err := x.NewSheet(name); err != nil {
				return nil, err
			}
			x.SetColWidth(name, "A", "Z", 16)
			r = 1
		}
		x.SetCellValue(name, fmt.Sprintf("A%d", r), t.Title)
		for i, row := range append([][]string{t.Header}, t.Rows...) {
			for col, v := range row {
				cell, _ := excelize.CoordinatesToCellName(col+1, r+1+i)
				x.SetCellValue(name, cell, v)
			}
		}
		next[name] = r + len(t.Rows) + 3
	}
	var buf bytes.Buffer
	err := x.Write(&buf)
	return buf.Bytes(), err
}

// ballotsCSV writes the shuffled plain ballots, one a row, a column per line of every
// form (free texts are not here: they are listed apart in the bundle).
func ballotsCSV(b *ballot.Bundle) ([]byte, error) {
	type col struct{ form, line, label string }
	var cols []col
	names := map[string]string{} // form.candidate id → name
	for _, f := range b.Poll.Forms {
		switch {
		case f.Evaluation != nil:
			for _, s := range f.Evaluation.Subjects {
				cols = append(cols, col{f.ID, s.ID, f.Title + "·" + s.Name})
				for _, x := range f.Evaluation.Indicators {
					cols = append(cols, col{f.ID, s.ID + "/" + x.ID, f.Title + "·" + s.Name + "·" + x.Name})
				}
			}
		case f.Recommendation != nil:
			for _, p := range f.Recommendation.Positions {
				for _, c := range p.Candidates {
					names[f.ID+"."+c.ID] = c.Name
					if f.Recommendation.Shape == ballot.ShapePerCandidate {
						cols = append(cols, col{f.ID, p.ID + "/" + c.ID, f.Title + "·" + p.Title + "·" + c.Name})
					}
				}
				cols = append(cols, col{f.ID, p.ID, f.Title + "·" + p.Title})
			}
		case f.Approval != nil:
			for _, n := range f.Approval.Nominees {
				cols = append(cols, col{f.ID, n.ID, f.Title + "·" + n.Name})
			}
		case f.Review != nil:
			if f.Review.Overall != "" {
				cols = append(cols, col{f.ID, ballot.OverallLine, f.Title + "·总体评价"})
			}
			for _, c := range f.Review.Cadres {
				cols = append(cols, col{f.ID, c.ID, f.Title + "·" + c.Name})
			}
		case f.Survey != nil:
			for _, q := range f.Survey.Questions {
				if q.Kind == "text" {
					continue
				}
				if q.Kind == "matrix" {
					for r, row := range q.Rows {
						cols = append(cols, col{f.ID, fmt.Sprintf("%s/r%d", q.ID, r+1), f.Title + "·" + q.Title + "·" + row})
					}
					continue
				}
				cols = append(cols, col{f.ID, q.ID, f.Title + "·" + q.Title})
			}
		case f.Scoring != nil:
			for _, s := range f.Scoring.Subjects {
				if len(f.Scoring.Indicators) == 0 {
					cols = append(cols, col{f.ID, s.ID, f.Title + "·" + s.Name})
				}
				for _, x := range f.Scoring.Indicators {
					cols = append(cols, col{f.ID, s.ID + "/" + x.ID, f.Title + "·" + s.Name + "·" + x.Name})
				}
			}
		}
	}
	group := map[string]string{}
	for _, g := range b.Poll.Groups {
		group[g.ID] = g.Name
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	header := []string{"序号", "参评类别"}
	for _, c := range cols {
		header = append(header, c.label)
	}
	w.Write(header)
	for i, bb := range b.Ballots {
		row := []string{fmt.Sprint(i + 1), group[bb.Group]}
		lines := map[string][]string{}
		for _, ff := range bb.Ballot.Forms {
			for k, v := range ff.Lines {
				lines[ff.Form+"."+k] = v
			}
		}
		for _, c := range cols {
			var vals []string
			for _, v := range lines[c.form+"."+c.line] {
				if n, ok := names[c.form+"."+v]; ok {
					v = n
				}
				vals = append(vals, strings.TrimPrefix(v, ballot.WriteInPrefix))
			}
			row = append(row, strings.Join(vals, "/"))
		}
		if bb.Broken {
			row = append(row, "无法解析")
		}
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
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
	body, err := tallyXLSX(b)
	if err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_计票结果.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

func (s *Server) ballotsCSVDownload(c *fiber.Ctx) error {
	p, _, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := ballotsCSV(b)
	if err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_选票.csv", "text/csv; charset=utf-8", body)
}

func (s *Server) tallyPDFDownload(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	body, err := s.tallyPDF(b, ballot.Fingerprint(signed.PublicKey))
	if err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_计票结果报告单.pdf", "application/pdf", body)
}

// tallyZIP packs the signed bundle, the report, the workbook and the ballots.
func (s *Server) tallyZIP(c *fiber.Ctx) error {
	p, signed, b, err := s.certified(c)
	if err != nil {
		return err
	}
	js, err := json.MarshalIndent(signed, "", " ")
	if err != nil {
		return err
	}
	xl, err := tallyXLSX(b)
	if err != nil {
		return err
	}
	cv, err := ballotsCSV(b)
	if err != nil {
		return err
	}
	report, err := s.tallyPDF(b, ballot.Fingerprint(signed.PublicKey))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		body []byte
	}{{"计票结果（签名）.json", js}, {"计票结果报告单.pdf", report}, {"计票结果.xlsx", xl}, {"选票.csv", cv}} {
		w, err := z.Create(f.name)
		if err != nil {
			return err
		}
		w.Write(f.body)
	}
	if err := z.Close(); err != nil {
		return err
	}
	return sendFile(c, clip(p.Title, 30)+"_计票结果.zip", "application/zip", buf.Bytes())
}
