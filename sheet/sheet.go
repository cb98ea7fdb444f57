// Package sheet reads the lists organizers upload (.xlsx or .csv) into rows of cells, and
// rows into the text of a poll builder's list. It knows nothing of HTTP: the server hands
// it a file's name and bytes.
package sheet

import (
	"bytes"
	"encoding/csv"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minyi/ballot"
	"minyi/survey"
)

// Rows reads an uploaded file's bytes by the file's name: the first sheet of an .xlsx,
// or a .csv (UTF-8 with or without BOM, or the GB18030 that Excel writes on Chinese
// Windows), into rows of cells. Whatever the bytes, the answer is rows or a refusal with
// the code EINVALID, said in Chinese.
func Rows(filename string, data []byte) (rows [][]string, err error) {
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		defer func() { // a crafted file must not take the request down with it
			if r := recover(); r != nil {
				rows, err = nil, ballot.Errorf(ballot.EINVALID, "无法读取 Excel 文件“%s”，请确认是 .xlsx 格式", filename)
			}
		}()
		// An .xlsx is a ZIP: cap what it may unpack to (a list of names is kilobytes).
		x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "无法读取 Excel 文件“%s”，请确认是 .xlsx 格式", filename)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) == 0 {
			return nil, ballot.Errorf(ballot.EINVALID, "Excel 文件中没有工作表")
		}
		rows, err := x.GetRows(sheets[0])
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "无法读取工作表“%s”", sheets[0])
		}
		return cleanRows(rows)
	case ".csv":
		data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(data) && !damagedUTF8(data) {
			if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
				return nil, ballot.Errorf(ballot.EINVALID, "CSV 文件的编码无法识别，请另存为 UTF-8 编码")
			}
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		rows, err := r.ReadAll()
		if err != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "CSV 文件格式有误：%v", err)
		}
		return cleanRows(rows)
	case ".xls":
		return nil, ballot.Errorf(ballot.EINVALID, "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv")
	}
	return nil, ballot.Errorf(ballot.EINVALID, "请上传 .xlsx 或 .csv 文件")
}

// cleanRows cleans every cell as text at the door; a cell with broken bytes or a
// control character fails the whole sheet, naming its row and column.
func cleanRows(rows [][]string) ([][]string, error) {
	if err := ballot.CleanRows(rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// damagedUTF8 tells a UTF-8 file with a few broken bytes from a GB18030 one: it has
// more well-formed multi-byte characters than broken bytes. Read as UTF-8, its broken
// bytes show as U+FFFD and the cell is named; read as GB18030 they would turn every
// name of the file into other characters, silently.
func damagedUTF8(data []byte) bool {
	good, bad := 0, 0
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		switch {
		case r == utf8.RuneError && n == 1:
			bad++
		case n > 1:
			good++
		}
		data = data[n:]
	}
	return good > bad
}

// ListText turns sheet rows into the text of a builder list: "subjects", "cadres" and
// "nominees" (姓名, 职务), "positions" (职位, 应推荐人数, 姓名, 职务) or "questions".
func ListText(list string, rows [][]string) (string, error) {
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
