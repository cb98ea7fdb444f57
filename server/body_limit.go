package server

import (
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// partialPointJSON is what one point of a device's partial decryption takes in its post:
// 64 hex digits, their quotes and a comma.
const partialPointJSON = 67

// PartialBodyLimit caps a key holder's partial decryption (POST /t/:token/partial): the
// most points one count decrypts, and room for the proof. A poll that would need more is
// refused when it is made (ballot.CheckCountSize), so no count stops at this limit.
const PartialBodyLimit = ballot.MaxCountPoints*partialPointJSON + 4096

// limitOf is the body limit of a request's route: none for /verify's uploads, which are
// read as streams, PartialBodyLimit for a device's partial decryption, BodyLimit for the
// rest.
func limitOf(c *fiber.Ctx) int {
	if c.Method() != fiber.MethodPost {
		return BodyLimit
	}
	path := c.Path()
	if path == "/verify" {
		return -1
	}
	if strings.HasPrefix(path, "/t/") && strings.HasSuffix(path, "/partial") && strings.Count(path, "/") == 3 {
		return PartialBodyLimit
	}
	return BodyLimit
}

// The server reads request bodies as streams (StreamRequestBody), so that the /verify
// page can take a bundle far larger than any other request without holding it in
// memory. Every other route keeps its limit (limitOf): bodyLimit refuses a larger body
// from its Content-Length before anything reads it, and reads a chunked one (no length)
// only up to the limit.
func bodyLimit(c *fiber.Ctx) error {
	limit := limitOf(c)
	if limit < 0 {
		return c.Next()
	}
	if n := c.Request().Header.ContentLength(); n > limit {
		c.Context().SetConnectionClose()
		return fiber.ErrRequestEntityTooLarge
	}
	if c.Request().Header.ContentLength() < 0 && c.Request().IsBodyStream() {
		body, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(limit)+1))
		if err != nil {
			return err
		}
		if len(body) > limit {
			c.Context().SetConnectionClose()
			return fiber.ErrRequestEntityTooLarge
		}
		c.Request().SetBody(body)
	}
	return c.Next()
}
