package server

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"os"
	"time"

	"github.com/gofiber/fiber/v2"
)

// A bundle of thousands of ballots is a hundred MB and more: over a slow line it takes
// longer than the server's timeouts give a whole request or response. Its transfer gets a
// deadline that moves on with every write or read, so a client that stalls still times
// out and one that goes on does not.
const progressTimeout = 60 * time.Second

// progressWriter moves the connection's write deadline on at every write.
type progressWriter struct {
	w    io.Writer
	conn net.Conn
}

func (p progressWriter) Write(b []byte) (int, error) {
	p.conn.SetWriteDeadline(time.Now().Add(progressTimeout))
	return p.w.Write(b)
}

// progressReader moves the connection's read deadline on at every read.
type progressReader struct {
	r    io.Reader
	conn net.Conn
}

func (p progressReader) Read(b []byte) (int, error) {
	p.conn.SetReadDeadline(time.Now().Add(progressTimeout))
	return p.r.Read(b)
}

// errTooBig is an upload over maxVerifyUpload.
var errTooBig = errors.New("upload over the cap")

// uploadedBundle copies the uploaded bundle of a multipart form into a temporary file, as
// the body streams in, and reads the form's receipt code beside it. The caller removes
// the file.
func uploadedBundle(c *fiber.Ctx) (*os.File, string, error) {
	boundary := string(c.Request().Header.MultipartFormBoundary())
	if boundary == "" {
		return nil, "", errors.New("not a multipart form")
	}
	var body io.Reader = progressReader{c.Context().RequestBodyStream(), c.Context().Conn()}
	if !c.Request().IsBodyStream() {
		body = bytes.NewReader(c.Body())
	}
	mr := multipart.NewReader(body, boundary)
	var f *os.File
	receipt := ""
	fail := func(err error) (*os.File, string, error) {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
		return nil, "", err
	}
	// A form of the page has two fields; a few more are skipped, not read without end.
	for range 8 {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(err)
		}
		switch {
		case part.FormName() == "bundle" && f == nil:
			if f, err = os.CreateTemp("", "minyi-verify-*"); err != nil {
				return fail(err)
			}
			n, err := io.Copy(f, io.LimitReader(part, maxVerifyUpload+1))
			if err != nil {
				return fail(err)
			}
			if n > maxVerifyUpload {
				return fail(errTooBig)
			}
		case part.FormName() == "receipt":
			v, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return fail(err)
			}
			receipt = string(v)
		default:
			if _, err := io.Copy(io.Discard, io.LimitReader(part, 64<<10)); err != nil {
				return fail(err)
			}
		}
	}
	if f == nil {
		return nil, "", errors.New("no bundle in the form")
	}
	if st, err := f.Stat(); err != nil || st.Size() == 0 {
		return fail(errors.New("an empty bundle"))
	}
	return f, receipt, nil
}
