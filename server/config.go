package server

import (
	"log/slog"
	"net/url"
	"strings"
	"time"
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

// baseURL is where voters' phones reach this server: the configured address, or the one
// the organizer used. local reports an address no phone can reach.
func (s *Server) baseURL(requestBase string) (base string, local bool) {
	base = strings.TrimRight(s.cfg.BaseURL, "/")
	if base == "" {
		base = strings.TrimRight(requestBase, "/")
	}
	if u, err := url.Parse(base); err == nil {
		h := u.Hostname()
		local = h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
	}
	return base, local
}
