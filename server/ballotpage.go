package server

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/gofiber/fiber/v2"

	"minyi/i18n"
	"minyi/store"
)

// The ballot page as first shown is the same for every voter of a group, in one language
// and one text size, but for two addresses: the form's action (the voter's own path) and
// the language switch's link back to it. Rendering the template for each voter was a
// fifth of the server's work in a burst, so the page is rendered once with a marker in
// each of the two places, kept in pieces, and each voter's page is the pieces with the
// voter's two addresses between them: the same bytes the template would write. The page
// goes out uncompressed, as every page does, so nothing secret is compressed beside it.

// ballotPages keeps the pieces by poll, group, language and text size. An entry is made
// from one reading of the poll (a *store.PollInfo, which the poll cache reads again every
// few seconds and whenever the poll changes): a request with another reading compares
// the readings' fingerprints, and renders afresh only when they differ. One page is
// rendered at a time, so that the voters who arrive together do not all render it.
type ballotPages struct {
	action, lswitch string // the markers: letters and digits, which no escaper changes
	mu              sync.Mutex
	m               map[ballotPageKey]*ballotPage
	render          sync.Mutex
}

type ballotPageKey struct {
	poll, group string
	lang        i18n.Lang
	big         bool
}

// ballotPage is a rendered page cut at its markers: parts[i] comes before hole i, and the
// last part after the last hole.
type ballotPage struct {
	poll  *store.PollInfo
	fp    [sha256.Size]byte // pollPrint of the poll
	parts [][]byte
	holes []bool // true: the action; false: the language switch
}

// maxBallotPages bounds the cache: a page per group and language of the open polls.
const maxBallotPages = 4096

func newBallotPages() *ballotPages {
	m := pageMarker()
	return &ballotPages{action: "ballotaction" + m, lswitch: "ballotswitch" + m, m: map[ballotPageKey]*ballotPage{}}
}

// pageMarker is a random suffix for the markers a page is rendered with and then cut at,
// so that no text of the poll can stand for a marker.
func pageMarker() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand); a fixed marker would still work
	return hex.EncodeToString(b)
}

// spliceable is whether a value goes into an href or action attribute unchanged by
// html/template (its URL normalizer and attribute escaper): letters, digits and
// / - _ . ~ % ? =. Any other value takes the template's own path.
func spliceable(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '/', c == '-', c == '_', c == '.', c == '~', c == '%', c == '?', c == '=':
		default:
			return false
		}
	}
	return true
}

// ballotFirstView sends a voter's ballot page as first shown (nothing marked, no error),
// from the group's rendered pieces; renderBallot renders it when the page is not one
// of those (a signed-in staff member's or one with a message to show) or an address
// holds a character the template would escape.
func (s *Server) ballotFirstView(c *fiber.Ctx, v ballotView) error {
	action := v.Action
	if v.Big {
		action += "?big=1"
	}
	lswitch, _, _ := langSwitch(c)
	if meOf(c) != nil || c.Cookies(flashCookie) != "" || !spliceable(action) || !spliceable(lswitch) {
		return s.renderBallot(c, fiber.StatusOK, v)
	}
	key := ballotPageKey{poll: v.Poll.ID, group: v.GroupName + "\x00" + v.OwnUnit, lang: langOf(c), big: v.Big}
	pg, err := s.ballotPages.get(key, v.Poll, func() (*ballotPage, error) { return s.cutBallotPage(c, v) })
	if err != nil {
		return err
	}
	if pg == nil { // a marker was not found once in each place: render as before
		return s.renderBallot(c, fiber.StatusOK, v)
	}
	return pg.write(c, action, lswitch)
}

// write answers with the page, a in its true holes and b in the others.
func (pg *ballotPage) write(c *fiber.Ctx, a, b string) error {
	c.Status(fiber.StatusOK)
	c.Set("Content-Type", "text/html; charset=utf-8")
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	w := c.Response().BodyWriter()
	for i, h := range pg.holes {
		_, _ = w.Write(pg.parts[i])
		if h {
			_, _ = w.Write([]byte(a))
		} else {
			_, _ = w.Write([]byte(b))
		}
	}
	_, err := w.Write(pg.parts[len(pg.holes)])
	return err
}

// get is the entry of key for the poll as read, made with cut when there is none for
// the poll's content.
func (bp *ballotPages) get(key ballotPageKey, p *store.PollInfo, cut func() (*ballotPage, error)) (*ballotPage, error) {
	bp.mu.Lock()
	pg := bp.m[key]
	bp.mu.Unlock()
	if pg != nil && pg.poll == p {
		return pg, nil
	}
	fp, err := pollPrint(p)
	if err != nil {
		return nil, err
	}
	if pg != nil && pg.fp == fp { // the same poll read again: keep the pieces
		return bp.put(key, &ballotPage{poll: p, fp: fp, parts: pg.parts, holes: pg.holes}), nil
	}
	bp.render.Lock()
	defer bp.render.Unlock()
	bp.mu.Lock()
	pg = bp.m[key]
	bp.mu.Unlock()
	if pg != nil && pg.fp == fp { // rendered while this request waited
		return pg, nil
	}
	if pg, err = cut(); pg == nil || err != nil {
		return nil, err
	}
	pg.fp = fp
	return bp.put(key, pg), nil
}

func (bp *ballotPages) put(key ballotPageKey, pg *ballotPage) *ballotPage {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	if len(bp.m) >= maxBallotPages {
		clear(bp.m)
	}
	bp.m[key] = pg
	return pg
}

// pollPrint is a fingerprint of everything read of a poll: two readings with the same
// fingerprint show the same page.
func pollPrint(p *store.PollInfo) ([sha256.Size]byte, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// cutBallotPage renders the page with the markers for the two addresses and cuts it
// there; nil when the markers are not each found exactly once.
func (s *Server) cutBallotPage(c *fiber.Ctx, v ballotView) (*ballotPage, error) {
	bp := s.ballotPages
	var buf bytes.Buffer
	if err := s.tpl.Render(&buf, string(langOf(c)), "voter/ballot", s.ballotData(c, v, bp.action, bp.lswitch)); err != nil {
		return nil, err
	}
	pg := cutPage(buf.Bytes(), bp.action, bp.lswitch)
	if pg != nil {
		pg.poll = v.Poll
	}
	return pg, nil
}

// cutPage cuts a rendered page at its two markers, a (a true hole) and b (false); nil
// when each is not found exactly once.
func cutPage(out []byte, a, b string) *ballotPage {
	if bytes.Count(out, []byte(a)) != 1 || bytes.Count(out, []byte(b)) != 1 {
		return nil
	}
	pg := &ballotPage{}
	for {
		ia, ib := bytes.Index(out, []byte(a)), bytes.Index(out, []byte(b))
		if ia < 0 && ib < 0 {
			break
		}
		at, marker, isA := ia, a, true
		if ia < 0 || (ib >= 0 && ib < ia) {
			at, marker, isA = ib, b, false
		}
		pg.parts = append(pg.parts, bytes.Clone(out[:at]))
		pg.holes = append(pg.holes, isA)
		out = out[at+len(marker):]
	}
	pg.parts = append(pg.parts, bytes.Clone(out))
	return pg
}

// ballotData is everything the page shows, as page gives it to the template for a voter
// (no staff session, no message), with the two addresses as given.
func (s *Server) ballotData(c *fiber.Ctx, v ballotView, action, lswitch string) fiber.Map {
	data := ballotMap(c, v)
	_, label, lang := langSwitch(c)
	data["Action"], data["Lang"] = action, langOf(c).HTMLLang()
	data["Switch"], data["SwitchLabel"], data["SwitchLang"] = lswitch, label, lang
	return data
}
