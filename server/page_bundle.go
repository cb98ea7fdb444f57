package server

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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

// aboutPage shows the version and the key that signs this instance's tallies (its
// fingerprint, and the key itself for `minyi verify -keyfile`), so an evaluator can pin it.
func (s *Server) aboutPage(c *fiber.Ctx) error {
	pub := s.cfg.Keys.Sign.Public().(ed25519.PublicKey)
	return s.page(c, fiber.StatusOK, "voter/about", fiber.Map{"Title": "关于", "Version": s.cfg.Version,
		"Fingerprint": ballot.Fingerprint(pub), "PublicKey": base64.StdEncoding.EncodeToString(pub)})
}

// The public /verify page recounts what strangers upload, so its work is bounded: the file
// by size, the poll by the builder's limits (in ballot.Verify), the signer by this
// server's own key (checked before anything is recounted), and the number of recounts at
// once by the machine's cores, shared with the voting.
const maxVerifyUpload = 1 << 20

// recounts admits at most two recounts at a time in the process; the rest are told to
// come back rather than queue, so a burst of uploads cannot hold the CPU.
var recounts = make(chan struct{}, 2)

// verifyPage checks an uploaded bundle, as `minyi verify` does: for anyone, no login. It
// trusts only this server's signing key: a bundle signed by any other key fails, however
// valid its signature.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	pub := s.cfg.Keys.Sign.Public().(ed25519.PublicKey)
	data := fiber.Map{"Title": "核验计票结果", "Fingerprint": ballot.Fingerprint(pub), "MaxMB": maxVerifyUpload >> 20}
	if c.Method() != fiber.MethodPost {
		return s.page(c, fiber.StatusOK, "voter/verify", data)
	}
	fh, err := c.FormFile("bundle")
	if err != nil {
		data["Error"] = "请选择要核验的计票结果文件（.json）"
		return s.page(c, fiber.StatusBadRequest, "voter/verify", data)
	}
	if fh.Size > maxVerifyUpload {
		data["Error"] = fmt.Sprintf("文件超过%d MB，请在自己的电脑上用命令 minyi verify 核验", maxVerifyUpload>>20)
		return s.page(c, fiber.StatusRequestEntityTooLarge, "voter/verify", data)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	var signed ballot.Signed
	if err := json.NewDecoder(io.LimitReader(f, maxVerifyUpload)).Decode(&signed); err != nil {
		data["Error"] = "这不是计票结果文件"
		return s.page(c, fiber.StatusBadRequest, "voter/verify", data)
	}
	select {
	case recounts <- struct{}{}:
		defer func() { <-recounts }()
	default:
		data["Error"] = "服务器繁忙，请稍后再试"
		return s.page(c, fiber.StatusServiceUnavailable, "voter/verify", data)
	}
	checks, b := ballot.Verify(&signed, pub)
	data["Checks"], data["OK"], data["Done"] = checks, ballot.Verified(checks), true
	if last := &checks[len(checks)-1]; last.Name == ballot.CheckSigner && !last.OK {
		last.Note = "签名有效，但签名密钥不是本服务器的"
		data["Foreign"] = ballot.Fingerprint(signed.PublicKey)
	}
	if b != nil {
		data["PollTitle"], data["Ballots"] = b.Poll.Title, len(b.Ballots)
		data["CheckCode"], data["MerkleRoot"] = ballot.CheckCode(signed.Bundle), b.MerkleRoot
	}
	return s.page(c, fiber.StatusOK, "voter/verify", data)
}
