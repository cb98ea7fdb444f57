package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/frontend"
	"minyi/i18n"
	"minyi/report"
	"minyi/store"
)

// The tellers' key ceremony: the organizer hands each teller a link (/t/<seat token>); the
// tellers' devices make the poll's key through the routes below, which keep public data
// only (ballot/ceremony says what each round posts).

func init() {
	auditLabels["ceremony.start"] = "生成密钥"
	auditLabels["ceremony.relink"] = "组织者重新打开本人的密钥页面"
}

// seatLink is a teller's link as shown once to the organizer.
type seatLink struct {
	Teller string       `json:"teller"`
	URL    string       `json:"url"`
	QR     template.URL `json:"-"`
}

// startCeremony begins (or begins again) a draft poll's ceremony and returns the seats'
// links, which exist only in this answer: the server keeps their keyed hashes. A poll the
// organizer's own device holds has one seat, the organizer's (k = n = 1).
func (s *Server) startCeremony(c *fiber.Ctx, p *store.PollInfo) ([]seatLink, error) {
	if p.ServerHeld() {
		return nil, ballot.Errorf(ballot.EINVALID, "本次由服务器保管密钥，无需生成密钥")
	}
	if p.Holder() == ballot.KeyOrganizer && p.State != ballot.Draft {
		link, err := s.relinkOwnSeat(c, p)
		return []seatLink{link}, err
	}
	var hashes, challenges [][]byte
	var links []seatLink
	for _, name := range p.KeySeats() {
		t := ceremony.NewSeatToken()
		ch := make([]byte, 32)
		rand.Read(ch)
		hashes, challenges = append(hashes, t.Hash(s.cfg.Keys.Token)), append(challenges, ch)
		link, err := s.seatLink(c, name, t)
		if err != nil {
			return nil, err
		}
		links = append(links, link)
	}
	if _, err := s.store.StartCeremony(c.UserContext(), p.ID, p.KeyQuorum(), hashes, challenges); err != nil {
		return nil, err
	}
	s.audit(c, p.ID, "ceremony.start", map[string]string{"tellers": strconv.Itoa(len(hashes)), "quorum": strconv.Itoa(p.KeyQuorum()), "key": p.KeyNote()})
	return links, nil
}

func (s *Server) seatLink(c *fiber.Ctx, name string, t ceremony.SeatToken) (seatLink, error) {
	base, _ := s.baseURL(c.BaseURL())
	u := base + "/t/" + string(t)
	png, err := report.QR(u)
	if err != nil {
		return seatLink{}, err
	}
	return seatLink{Teller: name, URL: u, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}, nil
}

// relinkOwnSeat gives the organizer a fresh link to their own seat of a poll already
// opened, for the count: no link is kept anywhere, so the poll's page (behind the
// organizer's login) makes a new one, and the old one stops working. The key itself is
// on the organizer's backup sheet, not behind the link.
func (s *Server) relinkOwnSeat(c *fiber.Ctx, p *store.PollInfo) (seatLink, error) {
	t := ceremony.NewSeatToken()
	if err := s.store.RelinkSeat(c.UserContext(), p.ID, 1, t.Hash(s.cfg.Keys.Token)); err != nil {
		return seatLink{}, err
	}
	s.audit(c, p.ID, "ceremony.relink", nil)
	return s.seatLink(c, ballot.OrganizerSeat, t)
}

func (s *Server) ceremonyStart(c *fiber.Ctx) error {
	p := pollOf(c)
	links, err := s.startCeremony(c, p)
	if err != nil {
		return err
	}
	if p.Holder() == ballot.KeyOrganizer {
		// The organizer's seat is this browser: it goes there at once, the link shown to no one.
		return c.Redirect(links[0].URL, fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "staff/teller_links", fiber.Map{"Title": tr(c, "监票人链接 · %s", p.Title), "Poll": p, "Links": links})
}

// apiCeremonyStart is the API twin of ceremonyStart: the links, once.
func (s *Server) apiCeremonyStart(c *fiber.Ctx) error {
	p := pollOf(c)
	links, err := s.startCeremony(c, p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"links": links})
}

// ceremonySeat is a seat's progress as the organizer sees it.
type ceremonySeat struct {
	Teller string `json:"teller"`
	Stage  string `json:"stage"` // waiting, key, dealt, ready, complaint
	Label  string `json:"label"`
}

// ceremonyStatus is the organizer's live view: who is ready, and what blocks the ceremony.
func (s *Server) ceremonyStatus(c *fiber.Ctx) error {
	p := pollOf(c)
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return c.JSON(fiber.Map{"started": false})
	}
	if err != nil {
		return err
	}
	out := fiber.Map{"started": true, "ready": cer.Ready()}
	var seats []ceremonySeat
	for _, st := range cer.Seats {
		name := ""
		if seats := p.KeySeats(); st.Seat <= len(seats) {
			name = seats[st.Seat-1]
		}
		cs := ceremonySeat{Teller: name, Stage: "waiting", Label: tr(c, "未打开链接")}
		switch {
		case st.Complaint != nil:
			cs.Stage, cs.Label = "complaint", tr(c, "发现第%s位监票人的密钥份额有误", strconv.Itoa(*st.Complaint))
		case st.ReadyAt != nil:
			cs.Stage, cs.Label = "ready", tr(c, "已就绪")
		case st.Commitments != nil:
			cs.Stage, cs.Label = "dealt", tr(c, "已分发份额，待备份核验")
		case st.CommKey != nil:
			cs.Stage, cs.Label = "key", tr(c, "已加入，等待其他监票人")
		}
		seats = append(seats, cs)
	}
	out["seats"] = seats
	if seat, dealer, blocked := cer.Blocked(); blocked {
		out["blocked"] = tr(c, "第%s位监票人发现第%s位监票人分发的密钥份额有误，请重新生成监票人链接，重新生成密钥。", strconv.Itoa(seat), strconv.Itoa(dealer))
	}
	if cer.Ready() {
		keys, err := s.store.CeremonyKey(c.UserContext(), p.ID)
		if err != nil {
			return err
		}
		out["fingerprint"] = keys.Joint.Fingerprint()
	}
	return c.JSON(out)
}

// seat finds the poll and seat of a teller's link; a wrong link counts as a guess.
func (s *Server) seat(c *fiber.Ctx) (*store.PollInfo, int, error) {
	if s.tokenGuesses.blocked(c.IP()) {
		return nil, 0, ballot.Errorf(ballot.ETOOMANY, "从这台设备打开的无效链接过多，请%d秒后再试", int(s.tokenGuesses.retryAfter().Seconds()))
	}
	t, err := ceremony.ParseSeatToken(c.Params("token"))
	var pollID string
	var seat int
	if err == nil {
		pollID, seat, err = s.store.SeatByToken(c.UserContext(), t.Hash(s.cfg.Keys.Token))
	}
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		s.tokenGuesses.fail(c.IP())
	}
	if err != nil {
		return nil, 0, err
	}
	p, err := s.store.Poll(c.UserContext(), pollID)
	if err != nil {
		return nil, 0, err
	}
	// A teller's pages speak the poll's language, as its voters' do, unless the teller
	// switched: tellers sit in the same meeting.
	lang := p.Lang
	if lang == "" {
		lang = ballot.LangZh
	}
	s.pollLang(c, lang)
	return p, seat, nil
}

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

func (s *Server) tellerState(c *fiber.Ctx) error {
	p, seat, err := s.seat(c)
	if err != nil {
		return err
	}
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	rec := ceremony.Record{Ceremony: cer.ID, Poll: p.ID, PollState: string(p.State), Seat: seat, K: cer.K, N: cer.N, Tellers: p.KeySeats()}
	for _, st := range cer.Seats {
		rec.CommKeys = append(rec.CommKeys, hex.EncodeToString(st.CommKey))
		rec.Commitments = append(rec.Commitments, hex.EncodeToString(st.Commitments))
		rec.Sealed = append(rec.Sealed, hex.EncodeToString(st.Sealed))
		rec.Ready = append(rec.Ready, st.ReadyAt != nil)
		if st.Seat == seat {
			rec.Challenge = hex.EncodeToString(st.Challenge)
		}
	}
	if by, dealer, blocked := cer.Blocked(); blocked {
		rec.Blocked = tr(c, "第%s位监票人发现第%s位监票人分发的密钥份额有误。密钥生成已中止，请组织者重新生成监票人链接。", strconv.Itoa(by), strconv.Itoa(dealer))
		rec.Dealer = dealer
	}
	return c.JSON(rec)
}

// tellerPost is what a device posts in any round; each round reads its own fields.
type tellerPost struct {
	CommKey     string `json:"comm_key"`
	Commitments string `json:"commitments"`
	Sealed      string `json:"sealed"`
	Dealer      int    `json:"dealer"`
	Transcript  string `json:"transcript"`
	Proof       string `json:"proof"`
}

func unhexField(s, what string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, ballot.Errorf(ballot.EINVALID, "%s格式不对", what)
	}
	return b, nil
}

// tellerRound runs one round's post of a seat under the ceremony's lock; ballot/ceremony
// holds the round's rules.
func (s *Server) tellerRound(round func(in tellerPost, seat int, cer *ceremony.State) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, seat, err := s.seat(c)
		if err != nil {
			return err
		}
		if p.State != ballot.Draft {
			return ballot.Errorf(ballot.ECONFLICT, "投票已经开始，密钥生成已结束")
		}
		var in tellerPost
		if err := json.Unmarshal(c.Body(), &in); err != nil {
			return ballot.Errorf(ballot.EINVALID, "提交的内容格式不对")
		}
		err = s.store.UpdateSeat(c.UserContext(), p.ID, seat, func(cer *ceremony.State) error { return round(in, seat, cer) })
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"ok": true})
	}
}

func roundKey(in tellerPost, seat int, cer *ceremony.State) error {
	key, err := unhexField(in.CommKey, i18n.N("通信公钥"))
	if err != nil {
		return err
	}
	return cer.PostKey(seat, key)
}

func roundDeal(in tellerPost, seat int, cer *ceremony.State) error {
	commitments, err := unhexField(in.Commitments, i18n.N("承诺值"))
	if err != nil {
		return err
	}
	var sealed []byte
	if cer.N > 1 {
		if sealed, err = unhexField(in.Sealed, i18n.N("加密份额")); err != nil {
			return err
		}
	}
	return cer.PostDealing(seat, commitments, sealed)
}

func roundComplain(in tellerPost, seat int, cer *ceremony.State) error {
	return cer.Complain(seat, in.Dealer)
}

func roundReady(in tellerPost, seat int, cer *ceremony.State) error {
	transcript, err := unhexField(in.Transcript, i18n.N("核对码"))
	if err != nil {
		return err
	}
	proof, err := unhexField(in.Proof, i18n.N("份额证明"))
	if err != nil {
		return err
	}
	return cer.Prove(seat, transcript, proof, time.Now())
}

// ownKeyNote says where the organizer's own key of a draft poll stands, for its page.
func (s *Server) ownKeyNote(c *fiber.Ctx, p *store.PollInfo) (note string, started bool, err error) {
	if p.Holder() != ballot.KeyOrganizer || p.State != ballot.Draft {
		return "", false, nil
	}
	cer, err := s.store.Ceremony(c.UserContext(), p.ID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return tr(c, "尚未生成密钥。开始投票前，请在您本人的手机或电脑上生成密钥并保存备份。"), false, nil
	}
	if err != nil {
		return "", false, err
	}
	if !cer.Ready() {
		return tr(c, "密钥尚未生成完毕（未核验备份）。请在本设备上重新生成密钥。"), true, nil
	}
	keys, err := s.store.CeremonyKey(c.UserContext(), p.ID)
	if err != nil {
		return "", true, err
	}
	return tr(c, "密钥已就绪，可以开始投票。密钥指纹：%s", keys.Joint.Fingerprint()), true, nil
}
