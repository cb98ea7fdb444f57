package server

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"time"

	"minyi/ballot"
)

// inOrder draws the codes of every part from the seed, in order, has work done on each
// part on every core, and hands the parts to use in the order they were drawn; at most
// ahead parts wait for use. Both the list and the slips go this way, so the slips print
// the very codes the list holds.
func inOrder[R any](ctx context.Context, seed ballot.CodeSeed, parts []ballot.CodePart, ahead int,
	work func(ballot.CodePart, []ballot.Token) R, use func(ballot.CodePart, []ballot.Token, R) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		part ballot.CodePart
		toks []ballot.Token
		out  R
		done chan struct{}
	}
	jobs, order := make(chan *job, ahead), make(chan *job, ahead)
	go func() { // drawing is sequential: the stream's order is the download's order
		defer close(jobs)
		defer close(order)
		stream := seed.Stream()
		for _, pt := range parts {
			j := &job{part: pt, toks: make([]ballot.Token, pt.Count), done: make(chan struct{})}
			for i := range j.toks {
				j.toks[i] = stream.Next()
			}
			select {
			case order <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for j := range jobs {
				j.out = work(j.part, j.toks)
				close(j.done)
			}
		}()
	}
	for j := range order {
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := use(j.part, j.toks, j.out); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// chunkedConn writes HTTP/1.1 chunks straight to a taken-over connection, each write
// with its own deadline: a reader who stopped reading is dropped after streamWriteTimeout,
// yet the download may run for many minutes.
type chunkedConn struct {
	conn net.Conn
	n    int64 // bytes of body written
}

func (w *chunkedConn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	bufs := net.Buffers{[]byte(strconv.FormatInt(int64(len(b)), 16) + "\r\n"), b, []byte("\r\n")}
	w.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := bufs.WriteTo(w.conn); err != nil {
		return 0, err
	}
	w.n += int64(len(b))
	return len(b), nil
}

func (w *chunkedConn) raw(b []byte) error {
	w.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	_, err := w.conn.Write(b)
	return err
}
