// Package server is Minyi's web application: the organizer's pages, the voter's ballot
// page, the JSON API under /api/v1, and the middleware around them. Handlers read the
// request, call the domain and the store, and render; no rule lives here.
package server

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"minyi/ballot"
	"minyi/frontend"
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
	closeOnce sync.Once
	draining  atomic.Bool // set by Drain: no new votes, unready
	teller    tellerPageCache

	tokenGuesses, loginFails *failureLimiter // by client address
	log                      *slog.Logger
}

// New prepares the templates and assets; a template that does not parse fails here.
func New(cfg Config, st *store.Store) (*Server, error) {
	assets, err := frontend.LoadAssets()
	if err != nil {
		return nil, err
	}
	s := &Server{tokenGuesses: newFailureLimiter(tokenGuessBurst, tokenGuessEvery), loginFails: newFailureLimiter(loginFailBurst, loginFailEvery), cfg: cfg, store: st, assets: assets, polls: live.NewPollCache(st), done: make(chan struct{}), log: cfg.Log}
	if s.log == nil {
		s.log = slog.Default()
	}
	if st != nil {
		st.SetSumsKey(cfg.Keys.BoxSums)
	}
	s.pools = live.NewPools(st, s.log, cfg.PrepareAhead, s.done, s.draining.Load)
	s.hub = live.NewHub(s.live, s.liveTiming().Coalesce, s.done)
	s.met = newMetrics(s.hub)
	s.tpl, err = frontend.ParseTemplates(s.funcs())
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
	app.Use(s.accessLog, s.recover, bodyLimit, s.securityHeaders, s.sameOrigin)
	// Only the stylesheets and scripts are compressed: they carry no secret, where a page
	// compressed beside a CSRF token or a ballot token would leak it by its length (BREACH).
	app.Get("/static/"+frontend.VendorDir+"/*", compress.New(compress.Config{Level: compress.LevelBestSpeed}), s.vendor)
	app.Get("/static/*", compress.New(compress.Config{Level: compress.LevelBestSpeed}), s.static)
	app.Get("/healthz", s.healthz)

	// Voters: no cookies, no session; the token in the URL is the capability.
	app.Get("/v", s.codePage)
	app.Post("/v", s.codeSubmit)
	app.Get("/v/:token", s.ballotPage)
	app.Post("/v/:token", s.ballotSubmit)

	// Tellers: the seat token in the URL is the capability, as a voter's token is.
	app.Get("/t/:token", s.tellerPage)
	app.Get("/t/:token/state", s.tellerState)
	app.Post("/t/:token/key", s.tellerRound(roundKey))
	app.Post("/t/:token/deal", s.tellerRound(roundDeal))
	app.Post("/t/:token/complain", s.tellerRound(roundComplain))
	app.Post("/t/:token/ready", s.tellerRound(roundReady))
	app.Get("/t/:token/count", s.tellerCountState)
	app.Post("/t/:token/partial", s.tellerPartial)

	app.Get("/receipt", s.receiptPage)
	app.Get("/about", s.aboutPage)
	app.Get("/verify", s.verifyPage)
	app.Post("/verify", s.verifyPage)

	// The big screen: a read-only link, turnout only.
	app.Get("/screen/:key", s.screenPage)
	app.Get("/screen/:key/live", s.screenLive)
	app.Get("/screen/:key/turnout", s.screenJSON)

	// Staff pages.
	app.Get("/login", s.loginPage)
	app.Post("/login", s.loginSubmit)
	staff := s.authenticated(app)
	staff.Post("/logout", s.logout)
	staff.Get("/", s.pollsPage)
	staff.Get("/polls/new", s.pollNewPage)
	staff.Post("/polls", s.pollCreate)
	staff.Get("/samples/:list", s.sampleSheet)
	staff.Get("/polls/:id", s.pollPage)
	staff.Get("/polls/:id/preview", s.pollPreview)
	staff.Get("/polls/:id/live", s.pollLive)
	staff.Post("/polls/:id/screen", s.pollScreen)
	staff.Post("/polls/:id/open", s.pollOpen)
	staff.Post("/polls/:id/ceremony", s.ceremonyStart)
	staff.Get("/polls/:id/ceremony", s.ceremonyStatus)
	staff.Get("/polls/:id/count", s.countPage)
	staff.Post("/polls/:id/close", s.onPage(s.closePoll, "投票已结束，不再接受选票。可以开箱计票。"))
	staff.Post("/polls/:id/count", s.pollCount)
	staff.Get("/polls/:id/count/status", s.countStatusHandler)
	staff.Post("/polls/:id/delete", s.pollDelete)
	staff.Post("/polls/:id/rehearsal", s.onPage(s.startRehearsal, "已进入模拟测评。请生成测试凭证，开始投票演练；演练结束后清除模拟数据，再进行正式投票。"))
	staff.Post("/polls/:id/rehearsal/wipe", s.onPage(s.wipeRehearsal, "模拟数据已全部清除（测试凭证、测试选票和模拟结果），投票活动回到未开始状态，可以进行正式投票。"))
	staff.Post("/polls/:id/tokens", s.tokensIssue)
	staff.Post("/polls/:id/tokens/void", s.tokenVoid)
	staff.Post("/polls/:id/tokens/replace", s.tokenReplace)
	staff.Post("/polls/:id/tokens/paper", s.tokenPaper)
	staff.Get("/polls/:id/paper", s.paperPage)
	staff.Post("/polls/:id/paper", s.paperSubmit)
	staff.Post("/polls/:id/paper/discard", s.paperDiscard)
	staff.Post("/polls/:id/reopen", s.onPage(s.reopenPoll, "已重新开放投票。"))
	staff.Post("/polls/:id/expected", s.groupExpected)
	staff.Post("/polls/:id/schedule", s.pollSchedule)
	staff.Post("/polls/:id/year", s.pollYear)
	staff.Post("/polls/:id/contact", s.pollContact)
	staff.Post("/polls/:id/batches/:batch/void", s.batchVoid)
	staff.Get("/polls/:id/tally", s.tallyPage)
	staff.Get("/polls/:id/bundle.json", s.bundleDownload)
	staff.Get("/polls/:id/tally.xlsx", s.tallyXLSXDownload)
	staff.Get("/polls/:id/tally.pdf", s.tallyPDFDownload)
	staff.Get("/polls/:id/tally.zip", s.tallyZIP)
	staff.Get("/polls/:id/next-round", s.pollNextRound)
	staff.Post("/polls/:id/file", s.pollFile)
	staff.Get("/cadres", s.cadresPage)
	staff.Post("/cadres", s.cadresAdd)
	staff.Get("/cadres/:id", s.cadrePage)
	staff.Post("/records/:id/link", s.entryLink)
	staff.Get("/records", s.recordsPage)
	staff.Get("/selections", s.selectionsPage)
	staff.Post("/selections", s.selectionCreate)
	staff.Get("/selections/:id", s.selectionPage)
	staff.Post("/selections/:id/steps", s.selectionStepAdd)
	staff.Get("/selections/:id/export.pdf", s.selectionExport)
	staff.Get("/selections/:id/export.xlsx", s.selectionExport)
	staff.Get("/account", s.accountPage)
	staff.Post("/account/password", s.accountPassword)
	staff.Post("/account/api-token", s.accountAPIToken)
	staff.Get("/admin/units", s.unitsPage)
	staff.Post("/admin/units", s.unitCreate)
	staff.Get("/admin/staff", s.staffPage)
	staff.Get("/admin/deliveries", s.deliveriesPage)
	staff.Post("/admin/receivers", s.receiverAdd)
	staff.Post("/admin/deliveries/:id/retry", s.deliveryRetry)
	staff.Post("/admin/staff", s.staffCreate)

	s.apiRoutes(app.Group("/api/v1"))
	app.Use(func(c *fiber.Ctx) error {
		c.Locals(unmatched{}, true)
		return ballot.Errorf(ballot.ENOTFOUND, "页面不存在")
	})
	return app
}

// authenticated registers routes behind the staff session and CSRF checks. (A Fiber
// group with middleware would run it for every route registered after it, voters' too.)
type authenticated struct {
	r    fiber.Router
	auth []fiber.Handler
}

func (s *Server) authenticated(r fiber.Router) authenticated {
	return authenticated{r: r, auth: []fiber.Handler{s.requireStaff, s.checkCSRF}}
}

func (a authenticated) Get(path string, h fiber.Handler)    { a.r.Get(path, append(a.auth, h)...) }
func (a authenticated) Post(path string, h fiber.Handler)   { a.r.Post(path, append(a.auth, h)...) }
func (a authenticated) Delete(path string, h fiber.Handler) { a.r.Delete(path, append(a.auth, h)...) }

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
