package server

import (
	"crypto/ed25519"
	"errors"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
)

// The public /verify page recounts what strangers upload, so its work is bounded: the file
// by size, the poll by the builder's limits (in ballot.Verify), the signer by this
// server's own key (checked before anything is recounted), and the number of recounts at
// once by the machine's cores, shared with the voting. An upload is streamed to a
// temporary file, never held in memory; 256 MB takes a version 5 bundle of some 5,000
// thirty-subject ballots (about 51 KB each): about 65 s of CPU to recount, in about
// 150 MB (docs/PERFORMANCE.md).
const maxVerifyUpload = 256 << 20

// maxVerifyJSON bounds an older bundle (one JSON document), which is read whole: as the
// page took them before.
const maxVerifyJSON = 1 << 20

// recounts admits at most two recounts at a time in the process; the rest are told to
// come back rather than queue, so a burst of uploads cannot hold the CPU.
var recounts = make(chan struct{}, 2)

// verifyPage checks an uploaded bundle, as `minyi verify` does: for anyone, no login. It
// trusts only this server's signing key: a bundle signed by any other key fails, however
// valid its signature.
func (s *Server) verifyPage(c *fiber.Ctx) error {
	pub := s.cfg.Keys.Sign.Public().(ed25519.PublicKey)
	data := fiber.Map{"Title": tr(c, "核验计票结果"), "Fingerprint": ballot.Fingerprint(pub), "MaxMB": maxVerifyUpload >> 20}
	if c.Method() != fiber.MethodPost {
		return s.page(c, fiber.StatusOK, "voter/verify", data)
	}
	refuse := func(status int, msg string) error {
		// The rest of the body is not read: the connection cannot carry another request.
		c.Context().SetConnectionClose()
		data["Error"] = msg
		return s.page(c, status, "voter/verify", data)
	}
	tooBig := tr(c, "文件超过%d MB，请在自己的电脑上用命令 minyi verify 核验", maxVerifyUpload>>20)
	if c.Request().Header.ContentLength() > maxVerifyUpload+64<<10 {
		return refuse(fiber.StatusRequestEntityTooLarge, tooBig)
	}
	// The slot is taken before the upload is read, so a busy server reads no file.
	select {
	case recounts <- struct{}{}:
		defer func() { <-recounts }()
	default:
		return refuse(fiber.StatusServiceUnavailable, tr(c, "服务器繁忙，请稍后再试"))
	}
	f, receipt, err := uploadedBundle(c)
	switch {
	case errors.Is(err, errTooBig):
		return refuse(fiber.StatusRequestEntityTooLarge, tooBig)
	case err != nil:
		return refuse(fiber.StatusBadRequest, tr(c, "请选择要核验的计票结果文件（.zip 或 .json）"))
	}
	defer os.Remove(f.Name())
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, 4)
	f.ReadAt(head, 0)
	if !ballot.IsBundle5(head) && st.Size() > maxVerifyJSON {
		data["Error"] = tr(c, "旧版（.json）计票结果文件超过%d MB，请在自己的电脑上用命令 minyi verify 核验", maxVerifyJSON>>20)
		return s.page(c, fiber.StatusRequestEntityTooLarge, "voter/verify", data)
	}
	checks, b, signed := ballot.VerifyFile(f, st.Size(), func(k ed25519.PublicKey) bool { return pub.Equal(k) })
	if signed == nil {
		data["Error"] = tr(c, "这不是计票结果文件")
		return s.page(c, fiber.StatusBadRequest, "voter/verify", data)
	}
	data["Checks"], data["OK"], data["Done"] = checks, ballot.Verified(checks), true
	if last := &checks[len(checks)-1]; last.Name == ballot.CheckSigner && !last.OK {
		last.Note = i18n.N("签名有效，但签名密钥不是本服务器的")
		data["Foreign"] = ballot.Fingerprint(signed.PublicKey)
	}
	if b != nil {
		data["PollTitle"], data["Ballots"] = b.Poll.Title, b.BallotCount()
		data["CheckCode"], data["MerkleRoot"] = ballot.CheckCode(signed.Bundle), b.MerkleRoot
	}
	if code := strings.TrimSpace(receipt); code != "" && b != nil && ballot.Verified(checks) {
		data["Receipt"], data["ReceiptChecked"] = code, true
		at, err := ballot.FindReceipt(f, st.Size(), code)
		if err != nil {
			data["ReceiptError"] = ballot.SayError(pr(c), err)
		} else {
			data["ReceiptAt"] = at
		}
	}
	return s.page(c, fiber.StatusOK, "voter/verify", data)
}
