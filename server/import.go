package server

import (
	"fmt"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/sheet"
)

// importList turns an uploaded sheet into the text of a builder list: "subjects" (姓名,
// 职务), "positions" (职位, 应推荐人数, 姓名, 职务) or "questions".
func importList(list string, fh *multipart.FileHeader) (string, error) {
	rows, err := readRows(fh)
	if err != nil {
		return "", err
	}
	return sheet.ListText(list, rows)
}

// samples are the downloadable example sheets, one per kind of list. What the import
// reads stays Chinese in every language: the header words it looks for (姓名, 职位, 题型)
// and the kinds of question (单选 …, column keep). In English a header carries its English
// after the Chinese, and the examples are in English.
var samples = map[string]struct {
	name string
	keep int // the column of words the import reads, or -1
	rows [][]string
}{
	"subjects": {i18n.N("名单示例.xlsx"), -1, [][]string{{i18n.N("姓名"), i18n.N("职务")}, {"张三", i18n.N("局长")}, {"李四", i18n.N("副局长")}}},
	"positions": {i18n.N("推荐职位示例.xlsx"), -1, [][]string{{i18n.N("职位"), i18n.N("应推荐人数"), i18n.N("姓名"), i18n.N("职务")},
		{i18n.N("副局长"), "2", "张三", i18n.N("办公室主任")}, {"", "", "李四", i18n.N("财务科科长")}, {"", "", "王五", i18n.N("人事科科长")}, {i18n.N("纪检组长"), "1", "赵六", i18n.N("监察室主任")}}},
	"questions": {i18n.N("问卷示例.xlsx"), 0, [][]string{{i18n.N("题型"), i18n.N("题目"), i18n.N("选项（用/分隔）"), i18n.N("矩阵项目（用/分隔）"), i18n.N("最少"), i18n.N("最多"), i18n.N("字数上限")},
		{"单选", i18n.N("您对本单位选人用人工作的总体评价"), i18n.N("好/较好/一般/差")}, {"多选", i18n.N("您认为最需要改进的方面"), i18n.N("选拔程序/考察工作/监督管理"), "", "1", "2"},
		{"量表", i18n.N("对领导班子的总体满意度"), i18n.N("满意/基本满意/不满意/不了解")}, {"评分", i18n.N("对窗口服务打分（0–10）")},
		{"矩阵", i18n.N("对以下方面的评价"), i18n.N("好/较好/一般/差"), i18n.N("思想政治建设/领导水平/工作实绩/反腐倡廉")}, {"填空", i18n.N("意见和建议"), "", "", "", "", "200"}}},
}

// sampleRows are a sample's rows in the reader's language.
func sampleRows(p *i18n.Printer, keep int, rows [][]string) [][]string {
	if p.Lang() == i18n.Zh {
		return rows
	}
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, cell := range row {
			switch {
			case cell == "" || i > 0 && j == keep:
				out[i][j] = cell
			case i == 0:
				en := []rune(p.T(cell))
				out[i][j] = cell + " / " + strings.ToUpper(string(en[:1])) + string(en[1:])
			default:
				out[i][j] = p.T(cell)
			}
		}
	}
	return out
}

// sampleSheet serves an example sheet to fill in.
func (s *Server) sampleSheet(c *fiber.Ctx) error {
	sm, ok := samples[strings.TrimSuffix(c.Params("list"), ".xlsx")]
	if !ok {
		return ballot.Errorf(ballot.ENOTFOUND, "没有这个示例表")
	}
	body, err := report.PlainSheet(sampleRows(pr(c), sm.keep, sm.rows))
	if err != nil {
		return err
	}
	return sendFile(c, pr(c).T(sm.name), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body)
}

// builderImport fills one list of the page from an uploaded sheet. A sheet with a bad row
// changes nothing and says which row.
func (s *Server) builderImport(c *fiber.Ctx, b builder, target string) error {
	var i int
	var list string
	if _, err := fmt.Sscanf(strings.Replace(target, "_", " ", 1), "f%d %s", &i, &list); err != nil || i < 0 || i >= len(b.Forms) {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.EINVALID, "不能导入到这里"))
	}
	fh, err := c.FormFile(target + "_file")
	if err != nil {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.EINVALID, "请先选择要导入的 Excel 或 CSV 文件"))
	}
	text, err := importList(list, fh)
	if err != nil {
		return s.renderBuilder(c, fiber.StatusBadRequest, b, ballot.Errorf(ballot.ErrorCode(err), "导入“%s”失败，未作任何改动。%s", fh.Filename, ballot.Cause{Err: err}))
	}
	f := &b.Forms[i]
	switch list {
	case "subjects":
		f.Subjects = text
	case "positions":
		f.Positions = text
	case "nominees":
		f.Nominees = text
	case "cadres":
		f.Cadres = text
	case "questions":
		f.Questions = text
	}
	c.Locals("flash", tr(c, "已从“%s”导入，请核对后保存。", fh.Filename))
	return s.renderBuilder(c, fiber.StatusOK, b, nil)
}
