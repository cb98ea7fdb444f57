package server

import (
	"io"

	"github.com/gofiber/fiber/v2"
)

// The server reads request bodies as streams (StreamRequestBody), so that the /verify
// page can take a bundle far larger than any other request without holding it in
// memory. Every other route keeps BodyLimit: bodyLimit refuses a larger one from its
// Content-Length before anything reads it, and reads a chunked one (no length) only up to
// the limit.
func bodyLimit(c *fiber.Ctx) error {
	if c.Path() == "/verify" && c.Method() == fiber.MethodPost {
		return c.Next()
	}
	if n := c.Request().Header.ContentLength(); n > BodyLimit {
		c.Context().SetConnectionClose()
		return fiber.ErrRequestEntityTooLarge
	}
	if c.Request().Header.ContentLength() < 0 && c.Request().IsBodyStream() {
		body, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), BodyLimit+1))
		if err != nil {
			return err
		}
		if len(body) > BodyLimit {
			c.Context().SetConnectionClose()
			return fiber.ErrRequestEntityTooLarge
		}
		c.Request().SetBody(body)
	}
	return c.Next()
}
