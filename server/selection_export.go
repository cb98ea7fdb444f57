package server

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/i18n"
	"minyi/records"
	"minyi/report"
)

// selectionTables lays a selection out in a reader's language: its steps, then each
// counted vote's tables. A step's kind is a rule's term: its Chinese stays beside the
// English, except in a sheet's name, which keeps the Chinese alone (Excel refuses "/" there).
func selectionTables(p *i18n.Printer, sel *records.Selection, steps []selectionStep) []report.Table {
	t := report.Table{Sheet: p.T("纪实"), Title: p.T("选拔任用纪实：%s", sel.Post), Keys: 1,
		Header: []string{p.T("日期"), p.T("环节"), p.T("说明"), p.T("投票活动"), p.T("结果")}}
	var votes []report.Table
	for i, st := range steps {
		poll, result := "", ""
		if st.Poll != nil {
			poll = st.Poll.Title
			result = p.T(st.Poll.State.Label())
		}
		if st.Tally != nil {
			result = p.T("已计票：实到 %d/应到 %d", st.Tally.Used, st.Tally.Expected)
			for _, tb := range (report.Printer{P: p}).Tables(st.Tally) {
				tb.Sheet = fmt.Sprintf("%d %s", i+1, st.Kind)
				tb.Title = st.Poll.Title + " · " + tb.Title
				votes = append(votes, tb)
			}
		}
		t.Rows = append(t.Rows, []report.Cell{report.Text(st.Date.In(cst).Format("2006-01-02")), report.Text(p.Term(st.Kind)), report.Prose(st.Note), report.Text(poll), report.Text(result)})
	}
	return append([]report.Table{t}, votes...)
}

func (s *Server) selectionExport(c *fiber.Ctx) error {
	sel, steps, err := s.selectionSteps(c)
	if err != nil {
		return err
	}
	tables := selectionTables(pr(c), sel, steps)
	name := tr(c, "%s_选拔任用纪实", report.Clip(sel.Post, 30))
	if strings.HasSuffix(c.Path(), ".xlsx") {
		body, err := s.printerIn(c).Workbook(tables)
		if err != nil {
			return err
		}
		return sendFile(c, name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
	}
	body, err := s.printerIn(c).Report(tr(c, "选拔任用工作纪实"), sel.Post, []string{tr(c, "建立时间：%s", sel.CreatedAt.In(cst).Format("2006-01-02"))}, tables, false, nil)
	if err != nil {
		return err
	}
	return sendFile(c, name+".pdf", "application/pdf", body)
}
