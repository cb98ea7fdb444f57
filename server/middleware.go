package server

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// isAPI and isVoterPath read the path as routing does, ignoring case: /API/… is the API.
func isAPI(c *fiber.Ctx) bool {
	return strings.HasPrefix(strings.ToLower(c.Path()), "/api/") || (c.Get("Accept") != "" && c.Accepts("text/html", "application/json") == "application/json")
}

func isVoterPath(p string) bool {
	p = strings.ToLower(p)
	return p == "/v" || strings.HasPrefix(p, "/v/")
}

// routeOf names a request in logs and metrics by the pattern of the route that answered
// it ("/v/:token"), never by its path: routing ignores case and folds slashes, so no list
// of prefixes to mask can keep up with the paths that reach a token's route. A request
// no route answered (or one refused by a middleware before its route) is "unmatched":
// its path may be anything, a token included.
func routeOf(c *fiber.Ctx) string {
	if c.Locals(unmatched{}) != nil {
		return "unmatched"
	}
	r := c.Route()
	if r == nil || r.Method == "USE" {
		return "unmatched"
	}
	return r.Path
}

func (s *Server) recover(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "route", routeOf(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// accessLog logs one line per request: method, route pattern, status, duration. No query
// string, no referer, no client address next to a voter path.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	status := c.Response().StatusCode()
	route := routeOf(c)
	s.log.Info("http", "method", c.Method(), "route", route, "status", status, "ms", took.Milliseconds())
	s.met.request(route, c.Method(), status, took)
	return nil
}

// unmatched marks a request no route answered: its path is not a label.
type unmatched struct{}
