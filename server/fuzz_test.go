package server

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
func FuzzImport(f *testing.F) {
	for _, rows := range [][][]string{
		samples["subjects"].rows, samples["positions"].rows, samples["questions"].rows,
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
		rows, err := rowsOf(name, data)
		if err == nil {
			if l := lists[int(list)%len(lists)]; l == "cadres" {
				_, err = records.CadresFromRows(rows)
			} else {
				_, err = listText(l, rows)
			}
		}
		if err != nil && (ballot.ErrorCode(err) != ballot.EINVALID || !hasChinese(ballot.ErrorMessage(err))) {
			t.Fatalf("refused with %q %v", ballot.ErrorCode(err), err)
		}
	})
}
