package sheet

import (
	"bytes"
	"testing"
	"unicode"

	"github.com/xuri/excelize/v2"

	"minyi/ballot"
	"minyi/records"
)

func hasChinese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// FuzzImport: an uploaded sheet, .xlsx or .csv, whatever its bytes, becomes a list or a
// refusal in Chinese with the code "invalid" (the page then says nothing was imported).
// It lives here rather than beside the server's handlers: a fuzzing build instruments
// every package the test binary holds, and the server's tests hold a browser driver.
func FuzzImport(f *testing.F) {
	for _, rows := range [][][]string{
		// the server's example sheets, as an organizer downloads them
		{{"姓名", "职务"}, {"张三", "局长"}, {"李四", "副局长"}},
		{{"职位", "应推荐人数", "姓名", "职务"}, {"副局长", "2", "张三", "办公室主任"}, {"", "", "李四", "财务科科长"}, {"", "", "王五", "人事科科长"}, {"纪检组长", "1", "赵六", "监察室主任"}},
		{{"题型", "题目", "选项（用/分隔）", "矩阵项目（用/分隔）", "最少", "最多", "字数上限"},
			{"单选", "您对本单位选人用人工作的总体评价", "好/较好/一般/差"}, {"多选", "您认为最需要改进的方面", "选拔程序/考察工作/监督管理", "", "1", "2"},
			{"量表", "对领导班子的总体满意度", "满意/基本满意/不满意/不了解"}, {"评分", "对窗口服务打分（0–10）"},
			{"矩阵", "对以下方面的评价", "好/较好/一般/差", "思想政治建设/领导水平/工作实绩/反腐倡廉"}, {"填空", "意见和建议", "", "", "", "", "200"}},
		{{"姓名", "性别", "出生年份", "现任职务"}, {"张三", "男", "1975", "局长"}},
	} {
		x := excelize.NewFile()
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			x.SetSheetRow("Sheet1", cell, &r)
		}
		var buf bytes.Buffer
		x.Write(&buf)
		f.Add(buf.Bytes(), true, uint8(0))
		var csv bytes.Buffer
		for _, r := range rows {
			for j, c := range r {
				if j > 0 {
					csv.WriteString(",")
				}
				csv.WriteString(c)
			}
			csv.WriteString("\r\n")
		}
		f.Add(csv.Bytes(), false, uint8(1))
	}
	f.Add([]byte("\xef\xbb\xbf姓名,职务\n\"张三,局长\n"), false, uint8(0))
	f.Add([]byte("\xd5\xc5\xc8\xfd,\xbe\xd6\xb3\xa4\n"), false, uint8(0)) // GBK
	f.Add([]byte("PK\x03\x04"), true, uint8(2))
	lists := []string{"subjects", "positions", "questions", "cadres"}
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool, list uint8) {
		name := "名单.csv"
		if xlsx {
			name = "名单.xlsx"
		}
		rows, err := Rows(name, data)
		if err == nil {
			if l := lists[int(list)%len(lists)]; l == "cadres" {
				_, err = records.CadresFromRows(rows)
			} else {
				_, err = ListText(l, rows)
			}
		}
		if err != nil && (ballot.ErrorCode(err) != ballot.EINVALID || !hasChinese(ballot.ErrorMessage(err))) {
			t.Fatalf("refused with %q %v", ballot.ErrorCode(err), err)
		}
	})
}
