package server

import (
	"fmt"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/survey"
)

// importList turns an uploaded sheet into the text of a builder list: "subjects" (姓名,
// 职务), "positions" (职位, 应推荐人数, 姓名, 职务) or "questions".
func importList(list string, fh *multipart.FileHeader) (string, error) {
	rows, err := readRows(fh)
	if err != nil {
		return "", err
	}
	return listText(list, rows)
}

// listText turns sheet rows into the text of a builder list.
func listText(list string, rows [][]string) (string, error) {
	switch list {
	case "subjects", "cadres", "nominees":
		subs, err := ballot.SubjectsFromRows(rows)
		return ballot.SubjectsText(subs), err
	case "positions":
		ps, err := ballot.PositionsFromRows(rows)
		return ballot.PositionsText(ps), err
	case "questions":
		q, err := survey.FromRows(rows)
		if err != nil {
			return "", ballot.Errorf(ballot.EINVALID, "%s", err) // the survey's error says itself in the reader's language
		}
		return q.Text(), nil
	}
	return "", ballot.Errorf(ballot.EINVALID, "不能导入到这里")
}

// samples are the downloadable example sheets, one per kind of list. Their rows stay
// Chinese whatever the reader's language: they show the words the import reads (单选, 姓名).
var samples = map[string]struct {
	name string
	rows [][]string
}{
	"subjects":  {i18n.N("名单示例.xlsx"), [][]string{{"姓名", "职务"}, {"张三", "局长"}, {"李四", "副局长"}}},
	"positions": {i18n.N("推荐职位示例.xlsx"), [][]string{{"职位", "应推荐人数", "姓名", "职务"}, {"副局长", "2", "张三", "办公室主任"}, {"", "", "李四", "财务科科长"}, {"", "", "王五", "人事科科长"}, {"纪检组长", "1", "赵六", "监察室主任"}}},
	"questions": {i18n.N("问卷示例.xlsx"), [][]string{{"题型", "题目", "选项（用/分隔）", "矩阵项目（用/分隔）", "最少", "最多", "字数上限"},
		{"单选", "您对本单位选人用人工作的总体评价", "好/较好/一般/差"}, {"多选", "您认为最需要改进的方面", "选拔程序/考察工作/监督管理", "", "1", "2"},
		{"量表", "对领导班子的总体满意度", "满意/基本满意/不满意/不了解"}, {"评分", "对窗口服务打分（0–10）"},
		{"矩阵", "对以下方面的评价", "好/较好/一般/差", "思想政治建设/领导水平/工作实绩/反腐倡廉"}, {"填空", "意见和建议", "", "", "", "", "200"}}},
}

// sampleSheet serves an example sheet to fill in.
func (s *Server) sampleSheet(c *fiber.Ctx) error {
	sm, ok := samples[strings.TrimSuffix(c.Params("list"), ".xlsx")]
	if !ok {
		return ballot.Errorf(ballot.ENOTFOUND, "没有这个示例表")
	}
	body, err := report.PlainSheet(sm.rows)
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
