// Package server is Minyi's web application: the organizer's pages, the voter's ballot
// page, the JSON API under /api/v1, and the middleware around them. Handlers read the
// request, call the domain and the store, and render; no rule lives here.
package server

import (
	"cmp"
	"context"
	"html/template"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/frontend"
	"minyi/i18n"
	"minyi/live"
	"minyi/store"
)

// Config is what cmd/minyi hands the server.
type Config struct {
	Keys Keys
	// BaseURL is the address printed in QR codes (e.g. http://192.168.1.10:8080). Empty:
	// taken from the request of the organizer who issues the tokens.
	BaseURL string
	// FontPath is a TrueType font with Chinese glyphs for the PDF slips.
	FontPath string
	// SecureCookies marks cookies Secure (behind TLS) and sends Strict-Transport-Security.
	SecureCookies bool
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges) whose X-Real-IP
	// and X-Forwarded-Proto headers name the client and the scheme; from anyone else
	// those headers are ignored. Rate limits count by the client address this gives.
	TrustedProxies []string
	Log            *slog.Logger
	Version        string // named in certified bundles
	Delivery       DeliveryTiming
	Live           LiveTiming
	// WriteTimeout bounds writing an ordinary response (default 60 s). Live streams are
	// exempt: they set a deadline per write instead.
	WriteTimeout time.Duration
	// PrepareAhead is how many ballots each voter group's pool holds encrypted ahead while
	// a poll is open: 0, the group's 应到 (within a memory budget); below 0, none, so that
	// every submit encrypts from scratch.
	PrepareAhead int
	// PseudoLocale offers the pseudo-locale (i18n.Pseudo) by its cookie: for tests that
	// look for text that bypasses the catalogue.
	PseudoLocale bool
	// WarmConns opens and prepares the instance's connections to PostgreSQL as a poll
	// opens (store.WarmConns), for its voters' first burst. `minyi serve` and the bench
	// set it; tests leave it off, since every poll they open would start dozens of
	// backends.
	WarmConns bool
}

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
	seen        seenTokens   // tokens whose ballot page was just shown, for their submit
}

// New prepares the templates and assets; a template that does not parse fails here.
func New(cfg Config, st *store.Store) (*Server, error) {
	assets, err := frontend.LoadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{tokenGuesses: newFailureLimiter(tokenGuessBurst, tokenGuessEvery), loginFails: newFailureLimiter(loginFailBurst, loginFailEvery), cfg: cfg, store: st, assets: assets, polls: live.NewPollCache(st), ballotPages: newBallotPages(), done: make(chan struct{}), log: cfg.Log}
	if s.log == nil {
		s.log = slog.Default()
	}
	if st != nil {
		st.SetSumsKey(cfg.Keys.BoxSums)
	}
	s.pools = live.NewPools(st, s.log, cfg.PrepareAhead, s.done, s.draining.Load)
	s.hub = live.NewHub(s.live, s.liveTiming().Coalesce, s.done)
	s.met = newMetrics(s.hub)
	langs := []string{string(i18n.Zh), string(i18n.En)}
	if cfg.PseudoLocale {
		langs = append(langs, string(i18n.Pseudo))
	}
	s.tpl, err = frontend.ParseTemplates(langs, func(lang string) template.FuncMap { return s.funcs(i18n.Lang(lang)) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// BodyLimit caps a request body: the largest legitimate one is a poll definition.
const BodyLimit = 2 << 20

// App builds the Fiber application with every route.
func (s *Server) App() *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "minyi",
		Immutable:             true,
		BodyLimit:             BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          cmp.Or(s.cfg.WriteTimeout, 60*time.Second),
		IdleTimeout:           120 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		// Client addresses: the connection's, or X-Real-IP from a trusted proxy only.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          s.cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(s.cfg.TrustedProxies),
		// Bodies are streamed for /verify's uploads; bodyLimit keeps BodyLimit everywhere
		// else. A streamed multipart form would otherwise be read whole before any handler.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
	})
	app.Use(s.accessLog, s.recover, s.language, bodyLimit, s.securityHeaders, s.sameOrigin)
	s.register(app, s.Routes())
	// Nothing else is registered: a path of the API no route matched answers in JSON.
	app.Use("/api/v1", func(c *fiber.Ctx) error { return ballot.Errorf(ballot.ENOTFOUND, "接口不存在") })
	app.Use(func(c *fiber.Ctx) error {
		c.Locals(unmatched{}, true)
		return ballot.Errorf(ballot.ENOTFOUND, "页面不存在")
	})
	return app
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

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return "X-Real-IP"
}
