package server

import (
	"crypto/ed25519"
	"encoding/json"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
)

// bundleDownload serves the signed bundle of a counted poll, for evaluators and for
// `minyi verify`.
func (s *Server) bundleDownload(c *fiber.Ctx) error {
	p, err := s.visiblePoll(c)
	if err != nil {
		return err
	}
	signed, err := s.store.Bundle(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(signed, "", " ")
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/json")
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(clip(p.Title, 30)+"_计票结果.json"))
	return c.Send(body)
}

// aboutPage shows the version and the fingerprint of the key that signs this instance's
// tallies, so an evaluator can compare it with a bundle's.
func (s *Server) aboutPage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "voter/about", fiber.Map{"Title": "关于", "Version": s.cfg.Version,
		"Fingerprint": ballot.Fingerprint(s.cfg.Keys.Sign.Public().(ed25519.PublicKey))})
}

// verifyPage checks an uploaded bundle, as `minyi verify` does: for anyone, no login.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	data := fiber.Map{"Title": "核验计票结果", "Fingerprint": ballot.Fingerprint(s.cfg.Keys.Sign.Public().(ed25519.PublicKey))}
	if c.Method() == fiber.MethodPost {
		fh, err := c.FormFile("bundle")
		if err != nil {
			data["Error"] = "请选择要核验的计票结果文件（.json）"
			return s.page(c, fiber.StatusBadRequest, "voter/verify", data)
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		var signed ballot.Signed
		if err := json.NewDecoder(f).Decode(&signed); err != nil {
			data["Error"] = "这不是计票结果文件"
			return s.page(c, fiber.StatusBadRequest, "voter/verify", data)
		}
		checks, b := ballot.Verify(&signed)
		data["Checks"], data["OK"], data["Done"] = checks, ballot.Verified(checks), true
		data["SameKey"] = ballot.Fingerprint(signed.PublicKey) == data["Fingerprint"]
		if b != nil {
			data["PollTitle"], data["Ballots"] = b.Poll.Title, len(b.Ballots)
			data["CheckCode"], data["MerkleRoot"] = ballot.CheckCode(signed.Bundle), b.MerkleRoot
		}
	}
	return s.page(c, fiber.StatusOK, "voter/verify", data)
}
