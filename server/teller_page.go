package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io/fs"
	"path"
	"sync"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/frontend"
)

// tellerImports is the teller page's import map and the CSP hash that lets it run: the
// page's only inline script, so script-src stays 'self' plus that hash.
func (s *Server) tellerImports() (importMap template.HTML, cspHash string) {
	s.teller.once.Do(func() {
		v := "/static/" + frontend.VendorDir + "/"
		m := map[string]map[string]string{"imports": {
			"@noble/curves/":  v + "noble-curves-2.4.0/",
			"@noble/hashes/":  v + "noble-hashes-2.4.0/",
			"@noble/ciphers/": v + "noble-ciphers-2.4.0/",
			"@paulmillr/qr":   v + "qr-0.3.0/esm/index.js",
			"teller-crypto":   s.assets.URL("teller/crypto.js"),
		}}
		b, _ := json.Marshal(m)
		sum := sha256.Sum256(b)
		s.teller.im, s.teller.csp = template.HTML(`<script type="importmap">`+string(b)+`</script>`), "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'"
	})
	return s.teller.im, s.teller.csp
}

// tellerPageCache holds the import map, computed once from the asset URLs.
type tellerPageCache struct {
	once sync.Once
	im   template.HTML
	csp  string
}

func (s *Server) tellerPage(c *fiber.Ctx) error {
	p, seat, err := s.seat(c)
	if err != nil {
		return err
	}
	im, hash := s.tellerImports()
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self' "+hash+"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	name := ""
	if seats := p.KeySeats(); seat <= len(seats) {
		name = seats[seat-1]
	}
	title := tr(c, "监票人密钥 · %s", p.Title)
	if p.Holder() == ballot.KeyOrganizer {
		title = tr(c, "组织者密钥 · %s", p.Title)
	}
	return s.page(c, fiber.StatusOK, "teller/ceremony", fiber.Map{"Title": title, "Poll": p, "Seat": seat, "Teller": name, "Solo": p.Holder() == ballot.KeyOrganizer, "ImportMap": im, "Base": c.Path()})
}

// vendor serves the teller page's vendored libraries; their paths carry their versions.
func (s *Server) vendor(c *fiber.Ctx) error {
	name := c.Params("*")
	b, err := fs.ReadFile(frontend.Vendor(), name)
	if err != nil {
		return ballot.Errorf(ballot.ENOTFOUND, "文件不存在")
	}
	c.Set("Cache-Control", "public, max-age=31536000, immutable")
	c.Set("Vary", "Accept-Encoding")
	switch path.Ext(name) {
	case ".js":
		c.Set("Content-Type", "text/javascript; charset=utf-8")
	case ".json":
		c.Set("Content-Type", "application/json")
	default: // the licence files
		c.Set("Content-Type", "text/plain; charset=utf-8")
	}
	return c.Send(b)
}
