package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// Live turnout (DESIGN: SSE from an in-process hub fed by PostgreSQL LISTEN/NOTIFY). A
// change on any instance notifies every instance; each stream then sends the poll's
// turnout afresh. Only counts of people travel here, never a vote.

// hub tells the streams of a poll that its turnout changed.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]bool
}

func newHub() *hub { return &hub{subs: map[string]map[chan struct{}]bool{}} }

// subscribe returns a channel that receives a signal (coalesced) on every change.
func (h *hub) subscribe(pollID string) (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[pollID] == nil {
		h.subs[pollID] = map[chan struct{}]bool{}
	}
	h.subs[pollID][ch] = true
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[pollID], ch)
		if len(h.subs[pollID]) == 0 {
			delete(h.subs, pollID)
		}
		h.mu.Unlock()
	}
}

// publish signals the streams of a poll; "" signals all of them.
func (h *hub) publish(pollID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, subs := range h.subs {
		if pollID != "" && id != pollID {
			continue
		}
		for ch := range subs {
			select {
			case ch <- struct{}{}:
			default: // a signal is pending already
			}
		}
	}
}

// count is the number of open streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, subs := range h.subs {
		n += len(subs)
	}
	return n
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
	Turnout    turnoutView  `json:"turnout"`
}

func (s *Server) live(ctx context.Context, pollID string) (liveView, error) {
	p, err := s.store.Poll(ctx, pollID)
	if err != nil {
		return liveView{}, err
	}
	tv, err := s.turnout(ctx, p)
	return liveView{Title: p.Title, State: p.State, StateLabel: p.State.Label(), Rehearsal: p.Rehearsal, Turnout: tv}, err
}

// scheduleTick is how often an instance looks for polls due to close.
var scheduleTick = 2 * time.Second

// liveMinInterval spaces a stream's updates: a hall voting at once sends a few updates a
// second, not one per ballot.
const liveMinInterval = 250 * time.Millisecond

// stream answers an EventSource with the poll's live view: at once, then on every change,
// with a comment every 15 s to keep proxies from closing it.
func (s *Server) stream(c *fiber.Ctx, pollID string) error {
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-store")
	c.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	ch, cancel := s.hub.subscribe(pollID)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		keepalive := time.NewTicker(15 * time.Second)
		defer keepalive.Stop()
		send := func() bool {
			ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			v, err := s.live(ctx, pollID)
			if err != nil {
				fmt.Fprintf(w, "event: failure\ndata: {}\n\n")
				return w.Flush() == nil
			}
			b, _ := json.Marshal(v)
			fmt.Fprintf(w, "event: turnout\ndata: %s\n\n", b)
			return w.Flush() == nil
		}
		if !send() {
			return
		}
		for {
			select {
			case <-s.done:
				return
			case <-ch:
				if !send() {
					return
				}
				select { // coalesce a burst of votes
				case <-s.done:
					return
				case <-time.After(liveMinInterval):
				}
			case <-keepalive.C:
				fmt.Fprint(w, ": keepalive\n\n")
				if w.Flush() != nil {
					return
				}
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
	v, err := s.live(c.UserContext(), id)
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
	v, err := s.live(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// pollScreen makes (once) the poll's big-screen link.
func (s *Server) pollScreen(c *fiber.Ctx) error {
	p, err := s.managedPoll(c)
	if err != nil {
		return err
	}
	if _, err := s.store.ScreenKey(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "screen.create", nil)
	return s.redirectWith(c, "/polls/"+p.ID, "大屏链接已生成，可在投影电脑上打开；该链接只显示参会人数。")
}
