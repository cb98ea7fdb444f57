package server

import (
	"bytes"
	"sync"

	"github.com/gofiber/fiber/v2"

	"minyi/i18n"
	"minyi/store"
)

// The page that answers a vote (投票成功) is the same for every voter of a poll in one
// language but for the receipt code and the language switch's link back to the voter's
// address. It was rendered by the template for every vote, a twentieth of the server's
// work in a burst; it is now rendered once per poll title and language with a marker in
// each of the two places and kept in pieces, as the ballot page is (ballotpage.go), and
// each voter's page is the pieces with the voter's receipt and link between them.

type donePages struct {
	receipt, lswitch string // the markers: letters and digits, which no escaper changes
	mu               sync.Mutex
	m                map[donePageKey]*ballotPage // holes: true the receipt, false the switch
}

type donePageKey struct {
	title string // the poll's title, the one thing of the poll the page shows
	lang  i18n.Lang
}

// maxDonePages bounds the cache: a page per open poll and language.
const maxDonePages = 1024

func newDonePages() *donePages {
	m := pageMarker()
	return &donePages{receipt: "donereceipt" + m, lswitch: "doneswitch" + m, m: map[donePageKey]*ballotPage{}}
}

// votedPage answers a vote that went into the box with its receipt code.
func (s *Server) votedPage(c *fiber.Ctx, p *store.PollInfo, receipt string) error {
	data := func(receipt string) fiber.Map {
		return fiber.Map{"Title": tr(c, "投票成功"), "Receipt": receipt, "PollTitle": p.Title}
	}
	lswitch, _, _ := langSwitch(c)
	if meOf(c) != nil || c.Cookies(flashCookie) != "" || !spliceable(receipt) || !spliceable(lswitch) {
		return s.page(c, fiber.StatusOK, "voter/done", data(receipt))
	}
	dp := s.donePages
	key := donePageKey{title: p.Title, lang: langOf(c)}
	dp.mu.Lock()
	pg := dp.m[key]
	dp.mu.Unlock()
	if pg == nil {
		var buf bytes.Buffer
		d := data(dp.receipt)
		_, label, lang := langSwitch(c)
		d["Lang"], d["Switch"], d["SwitchLabel"], d["SwitchLang"] = langOf(c).HTMLLang(), dp.lswitch, label, lang
		if err := s.tpl.Render(&buf, string(langOf(c)), "voter/done", d); err != nil {
			return err
		}
		if pg = cutPage(buf.Bytes(), dp.receipt, dp.lswitch); pg == nil {
			return s.page(c, fiber.StatusOK, "voter/done", data(receipt))
		}
		dp.mu.Lock()
		if len(dp.m) >= maxDonePages {
			clear(dp.m)
		}
		dp.m[key] = pg
		dp.mu.Unlock()
	}
	return pg.write(c, receipt, lswitch)
}
