package server

import (
	"io"
	"mime/multipart"

	"minyi/sheet"
)

// readRows reads an uploaded sheet (sheet.Rows) from its form file.
func readRows(fh *multipart.FileHeader) ([][]string, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, BodyLimit+1))
	if err != nil {
		return nil, err
	}
	return sheet.Rows(fh.Filename, data)
}
