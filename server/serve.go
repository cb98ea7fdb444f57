package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/live"
)

// Start runs the background work of an instance until ctx ends: the LISTEN connection
// that feeds the hub, and the sweeper of expired sessions.
func (s *Server) Start(ctx context.Context) error {
	if err := s.hub.Listen(ctx, s.store, s.polls.Invalidate); err != nil {
		return err
	}
	s.startSweeper(ctx)
	live.NewOutbox(s.store, s.log, s.cfg.Delivery).Start(ctx)
	s.batch = live.NewBatcher(s.store, s.met.batchWritten)
	go s.batch.Run(ctx)
	go s.pools.FillOpen(ctx, s.polls)
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
		s.batch.Stop()
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

// scheduleTick is how often an instance looks for polls due to close.
var scheduleTick = 2 * time.Second

// DeliveryTiming shapes the delivery of filed record entries (Config.Delivery); tests
// shorten it.
type DeliveryTiming = live.DeliveryTiming

// WarmPool prepares an open poll's ballots on this instance ahead of its voters and
// waits until every voter group's pool is full or ctx ends; it returns how many are
// prepared.
func (s *Server) WarmPool(ctx context.Context, pollID string) (int, error) {
	s.warmConns()
	return s.pools.Warm(ctx, pollID)
}

// warmConns opens and prepares the instance's connections to PostgreSQL in the
// background (store.WarmConns), as a poll opens: its voters' first burst then finds them.
func (s *Server) warmConns() {
	if !s.cfg.WarmConns {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.store.WarmConns(ctx); err != nil {
			s.log.Warn("warming the database connections", "err", err)
		}
	}()
}
