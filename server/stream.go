package server

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// rawHead is the response's status line and headers as the handler set them, for a
// connection taken over from the HTTP server: the length and connection headers are left
// out and tail (whole header lines) says how the body ends.
func rawHead(c *fiber.Ctx, tail string) []byte {
	head := []byte("HTTP/1.1 200 OK\r\n")
	c.Response().Header.VisitAll(func(k, v []byte) {
		switch strings.ToLower(string(k)) {
		case "content-length", "transfer-encoding", "connection":
			return
		}
		head = append(append(append(append(head, k...), ": "...), v...), "\r\n"...)
	})
	return append(append(head, tail...), "\r\n"...)
}

// streamWriteTimeout is how long one write to a stream may take before the viewer is
// taken for gone. It stands in for the server's WriteTimeout, which counts from the start
// of a response and would cut every stream after a minute.
const streamWriteTimeout = 30 * time.Second

// stream answers an EventSource with the poll's live view: at once, then on every change,
// with a comment when it has been quiet a while. It lives as long as the page.
//
// The connection is taken over from the HTTP server once the handler returns: the stream
// writes each event straight to it, one write a viewer, where a streamed body would pass
// every event through a pipe and a second goroutine. The response ends with the
// connection (no length, no chunks), which EventSource and proxies read as they should.
func (s *Server) stream(c *fiber.Ctx, pollID string) error {
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-store")
	c.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	head := rawHead(c, "Connection: close\r\n")
	// When many dashboards lose an instance at once, they come back spread over a few
	// seconds rather than all together.
	head = fmt.Appendf(head, "retry: %d\n\n", 2000+rand.IntN(4000))
	timing := s.liveTiming()
	say := pr(c) // the viewer's language, for the state's label
	f, ch, cancel := s.hub.Subscribe(pollID)
	c.Context().HijackSetNoResponse(true)
	c.Context().Hijack(func(conn net.Conn) {
		defer cancel()
		write := func(b []byte) bool {
			// Each write gets its own deadline, so the stream outlives the server's
			// WriteTimeout yet a viewer who stopped reading is dropped.
			conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			_, err := conn.Write(b)
			return err == nil
		}
		if !write(head) {
			return
		}
		quiet := timing.Keepalive*3/4 + rand.N(timing.Keepalive/2+1)
		keepalive := time.NewTimer(quiet)
		defer keepalive.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-ch:
				if m := f.Msg(); !write(sayLive(say, m.View, m.Event)) {
					return
				}
				keepalive.Reset(quiet)
			case <-keepalive.C:
				if !write([]byte(": keepalive\n\n")) {
					return
				}
				keepalive.Reset(quiet)
			}
		}
	})
	return nil
}

// pollLive is the organizer's stream.
func (s *Server) pollLive(c *fiber.Ctx) error {
	p := pollOf(c)
	return s.stream(c, p.ID)
}
