package report

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// PlainSheet writes rows of text on one sheet, as an example sheet an organizer fills in
// and imports.
func PlainSheet(rows [][]string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	for i, row := range rows {
		for j, v := range row {
			cellName, _ := excelize.CoordinatesToCellName(j+1, i+1)
			x.SetCellValue("Sheet1", cellName, v)
		}
	}
	x.SetColWidth("Sheet1", "A", "G", 18)
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
