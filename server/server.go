// Package server is Minyi's web application: the organizer's pages, the voter's ballot
// page, the JSON API under /api/v1, and the middleware around them. Handlers read the
// request, call the domain and the store, and render; no rule lives here.
package server

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"minyi/frontend"
	"minyi/live"
	"minyi/store"
)

// Server holds what handlers share.
type Server struct {
	cfg       Config
	store     *store.Store
	tpl       *frontend.Templates
	assets    *frontend.Assets
	hub       *live.Hub[liveView]
	batch     *live.Batcher // nil until Start: then submissions are written in batches
	polls     *live.PollCache
	sizes     sync.Map    // poll id and key → PlainSize
	pools     *live.Pools // prepared ballots of the open polls
	met       *metrics
	done      chan struct{} // closed when the instance shuts down
	bulk      atomic.Bool   // a bulk issue of codes is being written (one at a time)
	closeOnce sync.Once
	draining  atomic.Bool // set by Drain: no new votes, unready
	teller    tellerPageCache

	tokenGuesses, loginFails *failureLimiter // by client address
	log                      *slog.Logger

	ballotPages *ballotPages // the ballot page as first shown, rendered once a group
	donePages   *donePages   // the page that answers a vote, rendered once a poll and language
	seen        seenTokens   // tokens whose ballot page was just shown, for their submit
}

// New prepares the templates and assets; a template that does not parse fails here.
func New(cfg Config, st *store.Store) (*Server, error) {
	assets, err := sharedAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{tokenGuesses: newFailureLimiter(tokenGuessBurst, tokenGuessEvery), loginFails: newFailureLimiter(loginFailBurst, loginFailEvery), cfg: cfg, store: st, assets: assets, polls: live.NewPollCache(st), ballotPages: newBallotPages(), donePages: newDonePages(), done: make(chan struct{}), log: cfg.Log}
	if s.log == nil {
		s.log = slog.Default()
	}
	if st != nil {
		st.SetSumsKey(cfg.Keys.BoxSums)
	}
	s.pools = live.NewPools(st, s.log, cfg.PrepareAhead, s.done, s.draining.Load)
	s.hub = live.NewHub(s.live, s.liveTiming().Coalesce, s.done)
	s.met = newMetrics(s.hub, st)
	s.tpl, err = pages(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// startSweeper removes expired sessions now and then until ctx ends.
func (s *Server) startSweeper(ctx context.Context) {
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if err := s.store.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("delete expired sessions", "err", err)
			}
			if err := s.store.ForgetLoginFailures(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
				s.log.Warn("forget old login failures", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}
