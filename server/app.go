package server

import (
	"cmp"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

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

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return "X-Real-IP"
}
