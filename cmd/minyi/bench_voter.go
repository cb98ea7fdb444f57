package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// benchVoter is one voter's phone as the server sees it: one kept-alive connection, the
// ballot page's GET and the form's POST, and of each answer only its status and length
// read (its body is skipped, not parsed). The bench's voters share the servers' cores,
// and net/http's client (a reader and a writer goroutine a connection, headers parsed
// into maps) cost as much as a tenth of the servers' own work; a phone costs them none.
type benchVoter struct {
	host string // host:port
	path string // the address's own path, before every request's
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

func newBenchVoter(base string) (*benchVoter, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("the bench's voters speak plain HTTP, not %s", u.Scheme)
	}
	return &benchVoter{host: u.Host, path: strings.TrimSuffix(u.Path, "/")}, nil
}

func (v *benchVoter) close() {
	if v.conn != nil {
		v.conn.Close()
		v.conn = nil
	}
}

// do sends one request and reads its answer's status, on the kept connection (made anew
// when there is none or the server closed it).
func (v *benchVoter) do(ctx context.Context, method, path, form string) (int, error) {
	if v.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", v.host)
		if err != nil {
			return 0, err
		}
		v.conn, v.r, v.w = c, bufio.NewReaderSize(c, 16<<10), bufio.NewWriterSize(c, 4<<10)
	}
	v.conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(v.w, "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: minyi-bench\r\n", method, v.path, path, v.host)
	if method == "POST" {
		fmt.Fprintf(v.w, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", len(form))
	}
	v.w.WriteString("\r\n")
	v.w.WriteString(form)
	if err := v.w.Flush(); err != nil {
		v.close()
		return 0, err
	}
	status, err := v.readAnswer()
	if err != nil {
		v.close()
	}
	return status, err
}

// readAnswer reads the status line and headers, and skips the body by its length.
func (v *benchVoter) readAnswer() (int, error) {
	line, err := v.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// HTTP/1.1 200 OK
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, errors.New("not an HTTP answer")
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, err
	}
	length, keep := -1, true
	for {
		h, err := v.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, err
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, errors.New("a chunked answer: the bench's voters expect a length")
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return 0, errors.New("an answer without a length")
	}
	if _, err := v.r.Discard(length); err != nil {
		return 0, err
	}
	if !keep {
		v.close()
	}
	return status, nil
}

// vote fetches the ballot page and submits the form, as benchVote does; it returns "" and
// the submit's latency on success, or the kind of failure.
func (v *benchVoter) vote(ctx context.Context, path, form string) (string, time.Duration) {
	status, err := v.do(ctx, "GET", path, "")
	if err != nil {
		return "network", 0
	}
	if status != 200 {
		return fmt.Sprintf("page %d", status), 0
	}
	t0 := time.Now()
	status, err = v.do(ctx, "POST", path, form)
	if err != nil {
		return "network", 0
	}
	d := time.Since(t0)
	if status != 200 {
		return fmt.Sprintf("submit %d", status), 0
	}
	return "", d
}
