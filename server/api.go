package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/store"
)

func (s *Server) apiMe(c *fiber.Ctx) error { return c.JSON(meOf(c).Staff) }

// decode reads a JSON body strictly: an unknown field is an error, not a silent no-op.
func decode(c *fiber.Ctx, v any) error {
	d := json.NewDecoder(bytes.NewReader(c.Body()))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return ballot.Errorf(ballot.EINVALID, "请求体不是有效的JSON：%v", err)
	}
	return nil
}

// reply answers with an action's result as JSON and the status, or hands its error on to
// the error handler: an API handler parses, calls the action, and answers.
func reply(c *fiber.Ctx, status int) func(any, error) error {
	return func(v any, err error) error {
		if err != nil {
			return err
		}
		return c.Status(status).JSON(v)
	}
}

func (s *Server) apiLogin(c *fiber.Ctx) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	me, err := s.authenticate(c, in.Username, in.Password)
	if err != nil {
		return err
	}
	secret, err := s.store.CreateSession(c.UserContext(), me.ID, true, apiTokenTTL)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": secret, "expires_at": time.Now().Add(apiTokenTTL), "staff": me})
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	if b, _ := c.Locals("bearer").(bool); !b {
		return ballot.Errorf(ballot.EINVALID, "浏览器请使用退出按钮")
	}
	h := c.Get("Authorization")
	if err := s.store.DeleteSession(c.UserContext(), h[len("Bearer "):]); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiUnits(c *fiber.Ctx) error {
	units, err := s.store.Units(c.UserContext())
	if err != nil {
		return err
	}
	me := meOf(c)
	if me.Role != store.RoleAdmin {
		mine := units[:0]
		for _, u := range units {
			if u.ID == me.UnitID {
				mine = append(mine, u)
			}
		}
		units = mine
	}
	return c.JSON(fiber.Map{"units": units})
}

func (s *Server) apiUnitCreate(c *fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	return reply(c, fiber.StatusCreated)(s.createUnit(c.UserContext(), meOf(c), in.Name))
}

func (s *Server) apiStaff(c *fiber.Ctx) error {
	staff, err := s.store.ListStaff(c.UserContext(), "")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"staff": staff})
}

func (s *Server) apiStaffCreate(c *fiber.Ctx) error {
	var in staffIn
	if err := decode(c, &in); err != nil {
		return err
	}
	return reply(c, fiber.StatusCreated)(s.createStaff(c.UserContext(), meOf(c), in))
}

func (s *Server) apiPolls(c *fiber.Ctx) error {
	polls, err := s.store.ListPolls(c.UserContext(), unitScope(meOf(c)))
	if err != nil {
		return err
	}
	if polls == nil {
		polls = []store.PollSummary{}
	}
	return c.JSON(fiber.Map{"polls": polls})
}

func (s *Server) apiPollCreate(c *fiber.Ctx) error {
	var p ballot.Poll
	if err := decode(c, &p); err != nil {
		return err
	}
	if err := s.createPoll(c, &p); err != nil {
		return err
	}
	pi, err := s.store.Poll(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.pollJSON(apiPr(c), pi, nil))
}

type pollOut struct {
	ballot.Poll
	UnitName  string       `json:"unit_name"`
	StateName string       `json:"state_label"`
	CreatedAt time.Time    `json:"created_at"`
	OpenedAt  *time.Time   `json:"opened_at"`
	ClosedAt  *time.Time   `json:"closed_at"`
	CountedAt *time.Time   `json:"counted_at"`
	Warnings  []string     `json:"warnings"`
	Turnout   *turnoutView `json:"turnout,omitempty"`
	// KeyNote says who holds the poll's key, in the voter page's words.
	KeyNote string `json:"key_note"`
}

// pollJSON is a poll as the API shows it; its state, warnings and key note are said in
// the language of the request's Accept-Language (say), as the API's errors are.
func (s *Server) pollJSON(say *i18n.Printer, p *store.PollInfo, tv *turnoutView) pollOut {
	w := pollWarnings(say, &p.Poll)
	if w == nil {
		w = []string{}
	}
	q := p.Poll
	q.KeyHolder = q.Holder()
	if tv != nil {
		tv.Total.Name = say.T(tv.Total.Name)
	}
	format, args := p.KeyNoteFormat()
	return pollOut{Poll: q, KeyNote: say.T(format, args...), UnitName: p.UnitName, StateName: say.T(p.State.Label()), CreatedAt: p.CreatedAt,
		OpenedAt: p.OpenedAt, ClosedAt: p.ClosedAt, CountedAt: p.CountedAt, Warnings: w, Turnout: tv}
}

func (s *Server) apiPoll(c *fiber.Ctx) error {
	p := pollOf(c)
	return reply(c, fiber.StatusOK)(s.pollView(c.UserContext(), apiPr(c), p))
}

// pollView is a poll as the API shows it, with its turnout.
func (s *Server) pollView(ctx context.Context, say *i18n.Printer, p *store.PollInfo) (pollOut, error) {
	tv, err := s.turnout(ctx, p)
	if err != nil {
		return pollOut{}, err
	}
	return s.pollJSON(say, p, &tv), nil
}

func (s *Server) apiPollDelete(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.deleteDraft(c, p); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiPollState answers a state change with the poll as it now is.
func (s *Server) apiPollState(c *fiber.Ctx, id string) error {
	p, err := s.store.Poll(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(s.pollJSON(apiPr(c), p, nil))
}

func (s *Server) apiPollCount(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Shares []string `json:"shares"`
		// ConfirmPaperPending counts although paper entries wait for their second entry.
		ConfirmPaperPending bool `json:"confirm_paper_pending"`
	}
	if len(c.Body()) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	if deviceCounted(p) {
		st, err := s.startCount(c, p, in.Shares, in.ConfirmPaperPending)
		if err != nil {
			return s.countRefused(c, p, err)
		}
		return c.Status(fiber.StatusAccepted).JSON(st)
	}
	t, err := s.countPoll(c, p, in.Shares, in.ConfirmPaperPending)
	if err != nil {
		return s.countRefused(c, p, err)
	}
	return sayJSON(c, fiber.StatusOK, t)
}

// countRefused answers a refused count; paper entries waiting for their second entry are
// listed with the refusal.
func (s *Server) countRefused(c *fiber.Ctx, p *store.PollInfo, err error) error {
	if ballot.ErrorCode(err) == ballot.EPAPERPENDING {
		waiting, werr := s.store.PaperPending(c.UserContext(), p.ID)
		if werr != nil {
			return werr
		}
		return c.Status(fiber.StatusConflict).JSON(fiber.Map{"error": fiber.Map{"code": ballot.EPAPERPENDING, "message": ballot.SayError(apiPr(c), err)}, "paper_pending": waiting})
	}
	return err
}

func (s *Server) apiTurnout(c *fiber.Ctx) error {
	// Read again: a change (应到, a paper token) answers with the turnout as it now is, not
	// as it was when its route loaded the poll.
	p, err := s.store.Poll(c.UserContext(), pollOf(c).ID)
	if err != nil {
		return err
	}
	tv, err := s.turnout(c.UserContext(), p)
	if err != nil {
		return err
	}
	tv.Total.Name = apiPr(c).T(tv.Total.Name)
	return c.JSON(tv)
}

// apiTokensIssue issues a batch: JSON with the codes and their URLs by default, or the
// printable slips with "format": "pdf" or "zip". A count left out is what the group still
// needs; "all": true issues every group's remaining. An Idempotency-Key (header, or the
// idempotency_key field) makes a repeat of the call issue nothing and answer "repeated".
func (s *Server) apiTokensIssue(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		GroupID string `json:"group_id"`
		Count   int    `json:"count"`
		Format  string `json:"format"`
		All     bool   `json:"all"`
		Key     string `json:"idempotency_key"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Format == "json" {
		in.Format = ""
	}
	if k := c.Get("Idempotency-Key"); k != "" {
		in.Key = k
	}
	in.Key = strings.TrimSpace(in.Key)
	// The key first, so a repeat that left out the count hears it was issued, not that
	// the group is served.
	if err := s.repeated(c, p, in.Key, nil); err != nil {
		return err
	}
	var want []groupCount
	var err error
	if in.All {
		want, err = s.allGroups(c, p)
	} else if in.Count < 0 {
		err = ballot.Errorf(ballot.EINVALID, "每批凭证数量应在1到%d之间", MaxBatch)
	} else {
		want, err = s.oneGroup(c, p, in.GroupID, in.Count)
	}
	if err != nil {
		return err
	}
	issued, file, err := s.issueBatches(c, p, want, in.Key, in.Format)
	if err != nil {
		return err
	}
	if file != nil {
		return file.send(c)
	}
	base, _ := s.baseURL(c.BaseURL())
	type tokenOut struct {
		Code string `json:"code"`
		URL  string `json:"url"`
	}
	type batchOut struct {
		BatchID string     `json:"batch_id"`
		GroupID string     `json:"group_id"`
		Hint    string     `json:"hint"`
		Tokens  []tokenOut `json:"tokens"`
	}
	out := make([]batchOut, len(issued))
	for i, b := range issued {
		out[i] = batchOut{BatchID: b.ID, GroupID: b.Group.ID, Hint: b.Hint, Tokens: make([]tokenOut, len(b.Tokens))}
		for j, t := range b.Tokens {
			out[i].Tokens[j] = tokenOut{Code: t.Grouped(), URL: report.VoteURL(base, t)}
		}
	}
	if in.All {
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"batches": out})
	}
	return c.Status(fiber.StatusCreated).JSON(out[0])
}

func (s *Server) apiTokenVoid(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.voidCode(c, p, in.Code); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"voided": 1})
}

func (s *Server) apiBatches(c *fiber.Ctx) error {
	p := pollOf(c)
	return reply(c, fiber.StatusOK)(s.batchesOf(c.UserContext(), p))
}

func (s *Server) apiBatchVoid(c *fiber.Ctx) error {
	p := pollOf(c)
	return reply(c, fiber.StatusOK)(s.voidBatch(c, p, c.Params("batch")))
}

func (s *Server) apiTally(c *fiber.Ctx) error {
	p := pollOf(c)
	return saidReply(c, fiber.StatusOK)(s.tallyOf(c.UserContext(), p))
}

// The voter's API: the same checks as the ballot page.

func (s *Server) apiBallot(c *fiber.Ctx) error {
	cred, info, p, err := s.voterToken(c, c.Params("token"))
	if err != nil {
		return err
	}
	s.seen.put(cred.hash, info)
	g, _ := p.Group(info.GroupID)
	return c.JSON(fiber.Map{"poll_id": p.ID, "title": p.Title, "group": g.Name, "forms": p.Forms})
}

func (s *Server) apiCast(c *fiber.Ctx) error {
	cred, info, p, err := s.submitToken(c, c.Params("token"))
	if err != nil {
		s.met.submitted(err)
		return err
	}
	var in struct {
		Ballot             ballot.Ballot `json:"ballot"`
		AcceptInvalidLines bool          `json:"accept_invalid_lines"`
	}
	if err := decode(c, &in); err != nil {
		s.met.submitted(err)
		return err
	}
	spoilt, receipt, err := s.cast(c.UserContext(), cred, info, p, &in.Ballot, in.AcceptInvalidLines)
	err = s.retryable(c, err)
	s.met.submitted(err)
	if code := ballot.ErrorCode(err); len(spoilt) > 0 && (code == ballot.ESPOILT || code == ballot.EINVALID) {
		say := apiPr(c)
		return c.Status(statusOf[code]).JSON(apiError{Error: apiErrorBody{Code: code, Message: ballot.SayError(say, err), Spoilt: saySpoilt(say, spoilt)}})
	}
	if err != nil {
		return err
	}
	if spoilt == nil {
		spoilt = []ballot.Spoilt{}
	}
	say := apiPr(c)
	return c.JSON(fiber.Map{"status": "counted", "message": say.T("投票成功，选票已密封投入票箱"), "invalid_lines": saySpoilt(say, spoilt), "receipt": receipt})
}

func (s *Server) apiExpected(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Expected int `json:"expected"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.setExpected(c, p, c.Params("group"), in.Expected); err != nil {
		return err
	}
	return s.apiTurnout(c)
}

func (s *Server) apiSchedule(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		CloseAt *time.Time `json:"close_at"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.scheduleClose(c, p, in.CloseAt); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"close_at": in.CloseAt})
}

func (s *Server) apiYear(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Year int `json:"year"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.setYear(c, p, in.Year); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"year": in.Year})
}

func (s *Server) apiReplace(c *fiber.Ctx) error {
	p := pollOf(c)
	var in struct {
		Code   string `json:"code"`
		Format string `json:"format"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Format == "json" {
		in.Format = ""
	}
	toks, file, err := s.replaceSlip(c, p, in.Code, in.Format)
	if err != nil {
		return err
	}
	if file != nil {
		return file.send(c)
	}
	base, _ := s.baseURL(c.BaseURL())
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"code": toks[0].Grouped(), "url": report.VoteURL(base, toks[0])})
}

// apiPollOpen opens voting; with tellers, once their key ceremony is done.
func (s *Server) apiPollOpen(c *fiber.Ctx) error {
	p := pollOf(c)
	if err := s.openPoll(c, p); err != nil {
		return err
	}
	pi, err := s.store.Poll(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	return c.JSON(s.pollJSON(apiPr(c), pi, nil))
}
