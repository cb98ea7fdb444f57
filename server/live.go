package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// Live turnout (DESIGN: SSE from an in-process hub fed by PostgreSQL LISTEN/NOTIFY). A
// change on any instance notifies every instance; each instance then computes the poll's
// turnout once, at most every few hundred milliseconds while changes keep coming, and
// writes the same rendered event to every stream of that poll. A thousand dashboards
// therefore cost the database what one does, and never take the connections voters need.
// Only counts of people travel here, never a vote.

// LiveTiming shapes the live streams; tests shorten it.
type LiveTiming struct {
	// Coalesce is the least time between two computations of a poll's turnout.
	Coalesce time.Duration
	// Keepalive is how long a stream may stay silent before a comment is sent, so proxies
	// and NAT boxes keep it open (each stream varies it by up to a quarter).
	Keepalive time.Duration
}

var defaultLive = LiveTiming{Coalesce: 500 * time.Millisecond, Keepalive: 20 * time.Second}

func (s *Server) liveTiming() LiveTiming {
	t := s.cfg.Live
	if t.Coalesce <= 0 {
		t.Coalesce = defaultLive.Coalesce
	}
	if t.Keepalive <= 0 {
		t.Keepalive = defaultLive.Keepalive
	}
	return t
}

// liveMsg is one computation of a poll's live view, rendered once for every stream.
type liveMsg struct {
	view  *liveView // nil when the computation failed
	event []byte    // the SSE event, ready to write
	json  []byte    // the same view for the polling fallback
}

// feed is the turnout of one poll on this instance, kept while someone watches it.
type feed struct {
	id   string
	kick chan struct{} // a change arrived (one pending signal is enough)
	quit chan struct{} // closed when the last stream leaves
	subs map[chan struct{}]bool
	msg  atomic.Pointer[liveMsg]
}

func (f *feed) signal() {
	select {
	case f.kick <- struct{}{}:
	default: // a computation is pending already and will see this change
	}
}

// hub keeps one feed per watched poll.
type hub struct {
	mu       sync.Mutex
	feeds    map[string]*feed
	compute  func(ctx context.Context, pollID string) (*liveView, error)
	every    time.Duration
	done     <-chan struct{}
	computed atomic.Int64 // computations so far, for the metrics
}

func newHub(compute func(context.Context, string) (*liveView, error), every time.Duration, done <-chan struct{}) *hub {
	return &hub{feeds: map[string]*feed{}, compute: compute, every: every, done: done}
}

// subscribe returns the poll's feed and a channel that is signalled when the feed has a
// new message; it is signalled at once when the feed has one already, so a dashboard that
// joins costs no query.
func (h *hub) subscribe(pollID string) (*feed, chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	f := h.feeds[pollID]
	if f == nil {
		f = &feed{id: pollID, kick: make(chan struct{}, 1), quit: make(chan struct{}), subs: map[chan struct{}]bool{}}
		h.feeds[pollID] = f
		f.signal()
		go h.run(f)
	}
	f.subs[ch] = true
	if f.msg.Load() != nil {
		ch <- struct{}{}
	}
	h.mu.Unlock()
	return f, ch, func() {
		h.mu.Lock()
		delete(f.subs, ch)
		if len(f.subs) == 0 && h.feeds[pollID] == f {
			delete(h.feeds, pollID)
			close(f.quit)
		}
		h.mu.Unlock()
	}
}

// publish says a poll's turnout changed; "" says anything may have changed.
func (h *hub) publish(pollID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if pollID == "" {
		for _, f := range h.feeds {
			f.signal()
		}
		return
	}
	if f := h.feeds[pollID]; f != nil {
		f.signal()
	}
}

// latest is the poll's current message when a feed is running, nil otherwise.
func (h *hub) latest(pollID string) *liveMsg {
	h.mu.Lock()
	f := h.feeds[pollID]
	h.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.msg.Load()
}

// count is the number of open streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.feeds {
		n += len(f.subs)
	}
	return n
}

// liveRetryAfterFailure is when a feed tries again after its computation failed (the
// database unreachable): no notification may come to wake it.
const liveRetryAfterFailure = 2 * time.Second

// run computes a feed's message on every change, no more often than h.every, until the
// last stream leaves. A change that arrives during a computation leaves a signal behind,
// so it is computed next: none is lost, however many are folded together.
func (h *hub) run(f *feed) {
	var last time.Time
	for {
		select {
		case <-f.quit:
			return
		case <-h.done:
			return
		case <-f.kick:
		}
		if wait := h.every - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-f.quit:
				t.Stop()
				return
			case <-h.done:
				t.Stop()
				return
			case <-t.C:
			}
		}
		select { // changes that came while waiting are in what is read now
		case <-f.kick:
		default:
		}
		last = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		v, err := h.compute(ctx, f.id)
		cancel()
		h.computed.Add(1)
		m := &liveMsg{event: []byte("event: failure\ndata: {}\n\n")}
		if err == nil {
			b, _ := json.Marshal(v)
			m = &liveMsg{view: v, json: b, event: fmt.Appendf(nil, "event: turnout\ndata: %s\n\n", b)}
		} else {
			time.AfterFunc(liveRetryAfterFailure, f.signal)
		}
		f.msg.Store(m)
		h.mu.Lock()
		for ch := range f.subs {
			select {
			case ch <- struct{}{}:
			default: // the stream has not written the previous message yet; it will write this one
			}
		}
		h.mu.Unlock()
	}
}

// Start runs the background work of an instance until ctx ends: the LISTEN connection
// that feeds the hub, and the sweeper of expired sessions.
func (s *Server) Start(ctx context.Context) error {
	if err := s.store.Listen(ctx, func(pollID string) {
		s.polls.invalidate(pollID)
		s.hub.publish(pollID)
	}); err != nil {
		return err
	}
	s.startSweeper(ctx)
	s.startDelivery(ctx)
	s.batch = newBatcher(s.store, s.met)
	go s.batch.run(ctx)
	go s.fillOpenPools(ctx)
	go func() {
		t := time.NewTicker(scheduleTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.closeDuePolls(ctx)
			}
		}
	}()
	return nil
}

// Close ends the live streams, so a shutdown does not wait on them.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.done) }) }

// Drain begins a graceful stop: submissions from now on are answered with a retryable
// error (nothing kept; the voter sends again, to another instance behind a balancer),
// those already queued are still written and answered, and /healthz reports the
// instance unready. Call Close next, then shut the HTTP server down, then cancel the
// context given to Start.
func (s *Server) Drain() {
	s.draining.Store(true)
	if s.batch != nil {
		s.batch.stop()
	}
}

// healthz answers load balancers and orchestrators: 200 while the instance takes votes,
// 503 once it drains. It does not touch the database, so a database restart does not get
// every instance killed.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	if s.draining.Load() {
		return c.Status(fiber.StatusServiceUnavailable).SendString("draining")
	}
	return c.SendString("ok")
}

// liveView is what a stream sends: the poll's state and turnout.
type liveView struct {
	Title      string       `json:"title"`
	State      ballot.State `json:"state"`
	StateLabel string       `json:"state_label"`
	Rehearsal  bool         `json:"rehearsal"`
	// Quorum is the share of 应到 that must vote (RULES: quorum), for the marks on the
	// big screen's bars; the number of people needed is in the turnout.
	Quorum  ballot.Ratio `json:"quorum"`
	Turnout turnoutView  `json:"turnout"`
}

func (s *Server) live(ctx context.Context, pollID string) (*liveView, error) {
	p, err := s.polls.get(ctx, pollID)
	if err != nil {
		return nil, err
	}
	tv, err := s.turnout(ctx, p)
	if err != nil {
		return nil, err
	}
	return &liveView{Title: p.Title, State: p.State, StateLabel: p.State.Label(), Rehearsal: p.Rehearsal, Quorum: p.Quorum, Turnout: tv}, nil
}

// liveNow is the poll's live view for a page or the polling fallback: the running feed's
// when there is one (no query), computed otherwise.
func (s *Server) liveNow(ctx context.Context, pollID string) (*liveView, []byte, error) {
	if m := s.hub.latest(pollID); m != nil && m.view != nil {
		return m.view, m.json, nil
	}
	v, err := s.live(ctx, pollID)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.Marshal(v)
	return v, b, err
}

// scheduleTick is how often an instance looks for polls due to close.
var scheduleTick = 2 * time.Second

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
	head := []byte("HTTP/1.1 200 OK\r\n")
	c.Response().Header.VisitAll(func(k, v []byte) {
		switch strings.ToLower(string(k)) {
		case "content-length", "transfer-encoding", "connection":
			return
		}
		head = append(append(append(append(head, k...), ": "...), v...), "\r\n"...)
	})
	head = append(head, "Connection: close\r\n\r\n"...)
	// When many dashboards lose an instance at once, they come back spread over a few
	// seconds rather than all together.
	head = fmt.Appendf(head, "retry: %d\n\n", 2000+rand.IntN(4000))
	timing := s.liveTiming()
	f, ch, cancel := s.hub.subscribe(pollID)
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
				if !write(f.msg.Load().event) {
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
	p, err := s.visiblePoll(c)
	if err != nil {
		return err
	}
	return s.stream(c, p.ID)
}

// The big screen (大屏): a read-only link showing turnout only, for a projector.

func (s *Server) screenPoll(c *fiber.Ctx) (string, error) {
	return s.store.PollByScreenKey(c.UserContext(), c.Params("key"))
}

func (s *Server) screenPage(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	v, _, err := s.liveNow(c.UserContext(), id)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "screen/screen", fiber.Map{"Title": v.Title, "V": v, "Key": c.Params("key")})
}

func (s *Server) screenLive(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	return s.stream(c, id)
}

// screenJSON is the fallback for a display whose network blocks event streams.
func (s *Server) screenJSON(c *fiber.Ctx) error {
	id, err := s.screenPoll(c)
	if err != nil {
		return err
	}
	_, b, err := s.liveNow(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set("Cache-Control", "no-store")
	c.Set("Content-Type", "application/json")
	return c.Send(b)
}

// pollScreen makes (once) the poll's big-screen link.
func (s *Server) pollScreen(c *fiber.Ctx) error {
	p, err := s.managedPoll(c)
	if err != nil {
		return err
	}
	base, _ := s.baseURL(c.BaseURL())
	if _, err := s.createScreen(c.UserContext(), meOf(c), p, base); err != nil {
		return err
	}
	return s.redirectWith(c, "/polls/"+p.ID, "大屏链接已生成，可在投影电脑上打开；该链接只显示参会人数。")
}

// barWidth is where a bar ends or a mark sits, for a/b: a CSS percentage, at most 100%.
func barWidth(a, b int64) string {
	if b <= 0 || a <= 0 {
		return "0%"
	}
	return strconv.FormatFloat(float64(min(a, b))*100/float64(b), 'f', 2, 64) + "%"
}
