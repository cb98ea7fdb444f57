package server

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/store"
)

// The voter's side: a token in the URL (from the QR code) or typed in, one ballot page,
// one submission. No cookie is set and nothing about the voter is recorded; the one cookie
// a voter may get is the language they chose with the switch (lang=en or zh), which says
// nothing of their token or their ballot.

// credential is what a token is known by: its keyed hash finds its row, its nullifier
// marks its ballot in the box.
type credential struct {
	hash, nullifier []byte
}

// voterToken resolves a token to its poll, refusing a used or voided token and a poll
// that is not open, each with a page of its own.
func (s *Server) voterToken(c *fiber.Ctx, raw string) (credential, store.TokenInfo, *store.PollInfo, error) {
	ctx := c.UserContext()
	tok, err := ballot.ParseToken(raw)
	if err != nil {
		return credential{}, store.TokenInfo{}, nil, err
	}
	cred := credential{hash: s.cfg.Keys.Token.Hash(tok), nullifier: s.cfg.Keys.Nullifier.Nullifier(tok)}
	info, err := s.store.TokenOf(ctx, cred.hash, cred.nullifier)
	if ballot.ErrorCode(err) == ballot.ETOKENUNKNOWN {
		// Only unknown tokens are refused once an address has guessed too often: a hall
		// behind one NAT shares the address, and its valid tokens must still vote.
		if s.tokenGuesses.blocked(c.IP()) {
			return credential{}, store.TokenInfo{}, nil, ballot.Errorf(ballot.ETOOMANY, "从这台设备输入的无效凭证过多，请核对凭证后%d秒再试", int(s.tokenGuesses.retryAfter().Seconds()))
		}
		s.tokenGuesses.fail(c.IP())
	}
	if err == nil {
		err = store.TokenRefusal(info.State)
	}
	if err != nil {
		if info.PollID != "" { // used or voided: the refusal names whom to ask
			if p, perr := s.polls.Get(ctx, info.PollID); perr == nil {
				err = withPoll(err, p)
			}
		}
		return credential{}, info, nil, err
	}
	p, err := s.votablePoll(ctx, info)
	if err != nil {
		return credential{}, info, p, err
	}
	return cred, info, p, nil
}

// submitToken is voterToken for a submit: a token whose ballot page this instance has
// just shown is not looked up again (seenTokens); the batch that writes the ballot reads
// the token anyway and refuses it there if it was used or voided meanwhile.
func (s *Server) submitToken(c *fiber.Ctx, raw string) (credential, store.TokenInfo, *store.PollInfo, error) {
	tok, err := ballot.ParseToken(raw)
	if err != nil {
		return credential{}, store.TokenInfo{}, nil, err
	}
	hash := s.cfg.Keys.Token.Hash(tok)
	info, ok := s.seen.take(hash)
	if !ok {
		return s.voterToken(c, raw)
	}
	p, err := s.votablePoll(c.UserContext(), info)
	if err != nil {
		return credential{}, info, p, err
	}
	return credential{hash: hash, nullifier: s.cfg.Keys.Nullifier.Nullifier(tok)}, info, p, nil
}

// votablePoll is the poll of a token that may vote, refused when the poll is not open or
// is of the other run (a test token in a real poll, or the reverse).
func (s *Server) votablePoll(ctx context.Context, info store.TokenInfo) (*store.PollInfo, error) {
	p, err := s.polls.Get(ctx, info.PollID)
	if err != nil {
		return nil, err
	}
	refusal := func(p *store.PollInfo) error {
		if info.Rehearsal != p.Rehearsal {
			return store.RehearsalRefusal(info.Rehearsal)
		}
		return p.State.Votable()
	}
	if refusal(p) != nil { // never refuse on a cached poll: read it afresh
		s.polls.Invalidate(p.ID)
		if p, err = s.polls.Get(ctx, info.PollID); err != nil {
			return nil, err
		}
	}
	return p, withPoll(refusal(p), p)
}

// contactError is a token's refusal with the contact line and the language of its poll,
// for the page that shows it; the code and message are the refusal's own.
type contactError struct {
	error
	contact, lang string
}

func (e contactError) Unwrap() error { return e.error }

func withPoll(err error, p *store.PollInfo) error {
	if err == nil {
		return nil
	}
	return contactError{err, p.Contact, p.Lang}
}

// pollLangOf is the language of the poll a refusal comes from; "" when it comes from none.
func pollLangOf(err error) string {
	var ce contactError
	if errors.As(err, &ce) {
		return ce.lang
	}
	return ""
}

// tokenRefusal are the refusals of a token a voter holds, where a voter asks someone next.
var tokenRefusal = map[string]bool{ballot.ETOKENUNKNOWN: true, ballot.ETOKENUSED: true, ballot.ETOKENVOID: true}

// contactOf is the contact line a refusal carries; "" when it has none or comes from no poll.
func contactOf(err error) string {
	var ce contactError
	if errors.As(err, &ce) {
		return ce.contact
	}
	return ""
}

// cast checks the ballot with the rule that will count it, seals it and puts it in the
// box. A line over its limit (more names than seats, two opinions) is refused; a blank
// line that would count as invalid is refused with ESPOILT unless the voter confirmed it.
func (s *Server) cast(ctx context.Context, cred credential, info store.TokenInfo, p *store.PollInfo, b *ballot.Ballot, accept bool) ([]ballot.Spoilt, string, error) {
	j, err := s.pools.Judge(p, info.GroupID, b)
	if err != nil {
		return nil, "", err
	}
	spoilt := j.Spoilt
	var hard []ballot.Spoilt
	for _, sp := range spoilt {
		if !sp.Blank {
			hard = append(hard, sp)
		}
	}
	if len(hard) > 0 {
		return hard, "", ballot.Errorf(ballot.EINVALID, "请修改后再提交：%s", spoiltReasons(hard))
	}
	if len(spoilt) > 0 && !accept {
		return spoilt, "", ballot.Errorf(ballot.ESPOILT, "有%d项未按要求填写，提交后将按无效处理，请确认后再提交", len(spoilt))
	}
	var sealed, receipt []byte
	var opening *ballot.Opening
	if j.Keyed() {
		sealed, receipt, opening, err = j.Seal(info.GroupID) // the cells read at the door
	} else {
		sealed, receipt, opening, err = s.seal(p, info.GroupID, b)
	}
	if err != nil {
		return nil, "", err
	}
	item := store.CastItem{TokenHash: cred.hash, Nullifier: cred.nullifier, PollID: p.ID, PollKey: p.PublicKey, GroupID: info.GroupID, Sealed: sealed, Opening: opening}
	if s.batch != nil {
		err = s.batch.Cast(item)
	} else {
		err = s.store.Cast(ctx, item)
		opening.Wipe()
	}
	if tokenRefusal[ballot.ErrorCode(err)] {
		// used or voided since its page was shown: the refusal names whom to ask
		return nil, "", withPoll(err, p)
	}
	if err != nil {
		return nil, "", err
	}
	return spoilt, ballot.ReceiptCode(receipt), nil
}

// seal encrypts a checked ballot of a voter group for the poll's box and gives its
// receipt. The receipt is a hash of the encrypted marks: it shows the ballot is in the
// box and proves nothing of what it says. A homomorphic ballot comes with its opening,
// for the kept sums of its batch; a sealed one (box 2) with none.
func (s *Server) seal(p *store.PollInfo, groupID string, b *ballot.Ballot) ([]byte, []byte, *ballot.Opening, error) {
	if p.Box == store.BoxHomomorphic {
		return s.pools.Encrypt(p, groupID, b)
	}
	plain, err := b.Encode()
	if err != nil {
		return nil, nil, nil, err
	}
	sealed, err := ballot.Seal(p.ID, p.PublicKey, groupID, plain, s.plainSize(p))
	if err != nil {
		return nil, nil, nil, err
	}
	return sealed, ballot.Receipt(sealed), nil, nil
}

// plainSize is the poll's PlainSize, worked out once per poll key: the forms cannot change
// once a poll has opened with a key (a wiped rehearsal opens with a new one).
func (s *Server) plainSize(p *store.PollInfo) int {
	key := p.ID + "\x00" + string(p.PublicKey)
	if n, ok := s.sizes.Load(key); ok {
		return n.(int)
	}
	n := p.PlainSize()
	s.sizes.Store(key, n)
	return n
}

var ratingScale = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}

type ballotView struct {
	Poll       *store.PollInfo
	GroupName  string
	OwnUnit    string // 工作互评: subjects of this unit are not shown
	Action     string
	Preview    bool
	Marks      map[string][]string // "form.line" → the options marked, write-ins as "+name"
	Spoilt     map[string]bool     // "form.line" → would count as invalid
	SpoiltList []ballot.Spoilt
	Error      string
	Confirm    bool // blank lines only: the voter may confirm them as invalid
	Big        bool // 大字: the voter chose large text, kept in the form's address without JavaScript
}

func (s *Server) renderBallot(c *fiber.Ctx, status int, v ballotView) error {
	return s.page(c, status, "voter/ballot", ballotMap(c, v))
}

// ballotMap is the ballot template's data but for what page adds to every page.
func ballotMap(c *fiber.Ctx, v ballotView) fiber.Map {
	if v.Marks == nil {
		v.Marks = map[string][]string{}
	}
	if v.Spoilt == nil {
		v.Spoilt = map[string]bool{}
	}
	if v.Big {
		v.Action += "?big=1"
	}
	return fiber.Map{
		"Title": v.Poll.Title, "Poll": v.Poll, "GroupName": v.GroupName, "OwnUnit": v.OwnUnit, "Action": v.Action, "Preview": v.Preview,
		"Marks": v.Marks, "Spoilt": v.Spoilt, "SpoiltList": v.SpoiltList, "SpoiltText": spoiltLines(pr(c), v.SpoiltList), "Error": v.Error, "Confirm": v.Confirm, "Big": v.Big,
		"AgreeOptions": ballot.AgreeOptions, "OverallOptions": ballot.OverallOptions, "CadreOptions": ballot.CadreOptions,
		"RatingScale": ratingScale,
	}
}

// voterNotice is the voter's page for a refusal. A refused token shows whom to ask: its
// poll's contact line, or a general line when the token matches no poll.
func (s *Server) voterNotice(c *fiber.Ctx, status int, heading, msg, code, contact string) error {
	kind := "err"
	switch code {
	case ballot.ETOKENUSED:
		kind = "info"
	case ballot.ENOTOPEN:
		kind = "wait"
	}
	return s.page(c, status, "voter/notice", fiber.Map{"Title": heading, "Heading": heading, "Message": msg, "Kind": kind,
		"Retry": code == ballot.ENOTOPEN, "CodeLink": code == ballot.ETOKENUNKNOWN,
		"Contact": contact, "AskStaff": contact == "" && tokenRefusal[code]})
}

func (s *Server) ballotPage(c *fiber.Ctx) error {
	cred, info, p, err := s.voterToken(c, c.Params("token"))
	if err != nil {
		return err
	}
	s.seen.put(cred.hash, info)
	s.pollLang(c, p.Lang)
	g, _ := p.Group(info.GroupID)
	return s.ballotFirstView(c, ballotView{Poll: p, GroupName: g.Name, OwnUnit: g.Unit, Action: c.Path(), Big: c.Query("big") == "1"})
}

// ballotFromForm reads the plain form post (field names as ballot.FromFields says).
func ballotFromForm(c *fiber.Ctx, p *store.PollInfo) ballot.Ballot {
	return p.FromFields(func(visit func(k, v string)) {
		c.Request().PostArgs().VisitAll(func(k, v []byte) { visit(string(k), string(v)) })
	})
}

func (s *Server) ballotSubmit(c *fiber.Ctx) error {
	cred, info, p, err := s.submitToken(c, c.Params("token"))
	if err != nil {
		s.met.submitted(err)
		return err
	}
	s.pollLang(c, p.Lang)
	b := ballotFromForm(c, p)
	accept := false
	for _, v := range c.Request().PostArgs().PeekMulti("accept_invalid") {
		accept = accept || string(v) == "1"
	}
	spoilt, receipt, err := s.cast(c.UserContext(), cred, info, p, &b, accept)
	err = s.retryable(c, err)
	s.met.submitted(err)
	switch ballot.ErrorCode(err) {
	case "":
		return s.votedPage(c, p, receipt)
	case ballot.ESPOILT, ballot.EINVALID, ballot.ERETRY: // the ballot again, as marked, with the reason
		s.seen.put(cred.hash, info) // nothing was written: its next submit is this one's again
		g, _ := p.Group(info.GroupID)
		v := ballotView{Poll: p, GroupName: g.Name, OwnUnit: g.Unit, Action: c.Path(), Marks: map[string][]string{}, Spoilt: map[string]bool{},
			SpoiltList: spoilt, Error: ballot.SayError(pr(c), err), Confirm: ballot.ErrorCode(err) == ballot.ESPOILT, Big: c.Query("big") == "1"}
		for _, ff := range b.Forms {
			for line, marks := range ff.Lines {
				v.Marks[ballot.FieldName(ff.Form, line)] = marks
			}
		}
		for _, sp := range spoilt {
			v.Spoilt[ballot.FieldName(sp.Form, sp.Line)] = true
		}
		status := statusOf[ballot.ErrorCode(err)]
		return s.renderBallot(c, status, v)
	}
	return err
}

func (s *Server) codePage(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "voter/code", fiber.Map{"Title": tr(c, "输入投票凭证码")})
}

func (s *Server) codeSubmit(c *fiber.Ctx) error {
	code := c.FormValue("code")
	tok, err := ballot.ParseToken(code)
	if err != nil {
		return s.page(c, fiber.StatusBadRequest, "voter/code", fiber.Map{"Title": tr(c, "输入投票凭证码"), "Code": code, "Error": ballot.SayError(pr(c), err)})
	}
	return c.Redirect("/v/"+string(tok), fiber.StatusSeeOther)
}

// receiptPage lets anyone check that a receipt is in a counted poll's certified box.
func (s *Server) receiptPage(c *fiber.Ctx) error {
	data := fiber.Map{"Title": tr(c, "查验投票回执")}
	if code := strings.TrimSpace(c.Query("code")); code != "" {
		data["Code"] = code
		canon := strings.ToUpper(strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(code))
		if len(canon) != 16 || strings.Trim(canon, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			data["Error"] = tr(c, "回执码应为16位字母和数字")
		} else {
			polls, err := s.store.ReceiptPolls(c.UserContext(), ballot.Token(canon).Grouped())
			if err != nil {
				return err
			}
			data["Checked"], data["Polls"] = true, polls
		}
	}
	return s.page(c, fiber.StatusOK, "voter/receipt", data)
}

// spoiltReasons are the lines a ballot is refused for; as an argument of an error they are
// said in the reader's language (ballot.SayError), and in Chinese wherever the error is printed.
type spoiltReasons []ballot.Spoilt

func (r spoiltReasons) String() string { return r.Say(i18n.For(i18n.Zh)) }

// Say names each line and why it is refused: “副局长”推荐3人，超过应推荐人数2人；…
func (r spoiltReasons) Say(p *i18n.Printer) string {
	parts := make([]string, len(r))
	for i, sp := range r {
		parts[i] = p.T("“%s”%s", p.Known(sp.Label), sayReason(p, sp))
	}
	return strings.Join(parts, p.T("；"))
}

// saySpoilt is a ballot's spoilt lines with their labels and reasons in the printer's
// language, for the API; the form and line ids stay.
func saySpoilt(p *i18n.Printer, list []ballot.Spoilt) []ballot.Spoilt {
	if p.Lang() == i18n.Zh {
		return list
	}
	out := make([]ballot.Spoilt, len(list))
	for i, sp := range list {
		out[i] = sp
		out[i].Label, out[i].Reason = p.Known(sp.Label), sayReason(p, sp)
	}
	return out
}

// spoiltLines names the lines a confirmation is about: 甲（未选择等次）、乙（未选择等次）.
func spoiltLines(p *i18n.Printer, list []ballot.Spoilt) string {
	parts := make([]string, len(list))
	for i, sp := range list {
		parts[i] = p.T("%s（%s）", p.Known(sp.Label), sayReason(p, sp))
	}
	return strings.Join(parts, p.T("、"))
}

// sayReason is why a line counts as invalid, in the printer's language.
func sayReason(p *i18n.Printer, sp ballot.Spoilt) string {
	if sp.Format != "" {
		return p.T(sp.Format, sp.Args...)
	}
	return p.Known(sp.Reason)
}
