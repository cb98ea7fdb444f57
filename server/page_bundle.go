package server

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/report"
)

// bundleDownload serves the signed bundle of a counted poll, for evaluators and for
// `minyi verify`: a version 5 bundle as its ZIP, its ballots streamed from the box.
func (s *Server) bundleDownload(c *fiber.Ctx) error {
	p := pollOf(c)
	signed, err := s.store.Bundle(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	name := tr(c, "%s_计票结果", report.Clip(p.Title, 30))
	if marks, ok := ballot.Bundle5Marks(signed); ok {
		c.Set("Content-Type", "application/zip")
		c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".zip"))
		s.streamBody(c, func(w io.Writer) error { return s.writeBundle5(w, p.ID, signed, marks) })
		return nil
	}
	body, err := json.MarshalIndent(signed, "", " ")
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/json")
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name+".json"))
	return c.Send(body)
}

// writeBundle5 writes a version 5 bundle, its ballots read from the box a few at a time.
func (s *Server) writeBundle5(w io.Writer, pollID string, signed *ballot.Signed, marks int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return ballot.WriteBundle5(w, signed, s.store.CountedBox(ctx, pollID, marks))
}

// streamBody sends what write writes as the response body, after the handler returns. A
// failure midway can only be logged and the response cut short: the status is sent.
func (s *Server) streamBody(c *fiber.Ctx, write func(io.Writer) error) {
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		if err := write(progressWriter{bw, conn}); err != nil {
			s.log.Error("bundle download cut short", "err", err)
			return
		}
		bw.Flush()
	})
}

// aboutPage shows the version and the key that signs this instance's tallies (its
// fingerprint, and the key itself for `minyi verify -keyfile`), so an evaluator can pin it.
func (s *Server) aboutPage(c *fiber.Ctx) error {
	pub := s.cfg.Keys.Sign.Public().(ed25519.PublicKey)
	return s.page(c, fiber.StatusOK, "voter/about", fiber.Map{"Title": tr(c, "关于"), "Version": s.cfg.Version,
		"Fingerprint": ballot.Fingerprint(pub), "PublicKey": base64.StdEncoding.EncodeToString(pub)})
}
