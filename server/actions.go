package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"slices"
	"strconv"
	"time"

	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/i18n"
	"minyi/store"
)

// Actions shared by the organizer's pages and the JSON API: each does one thing a person
// asks for, with the checks that go with it.

// createPoll normalizes, validates and saves a new poll for the caller's unit (an admin
// names the unit).
func (s *Server) createPoll(c *fiber.Ctx, p *ballot.Poll) error {
	ctx, me := c.UserContext(), meOf(c)
	if me.Role != store.RoleAdmin {
		p.UnitID = me.UnitID
	}
	if p.UnitID == "" {
		return ballot.Errorf(ballot.EINVALID, "请选择所属单位")
	}
	p.ID, p.State, p.Rehearsal = "", ballot.Draft, false
	if p.PreviousRound != "" {
		prev, err := s.store.Poll(ctx, p.PreviousRound)
		if err != nil || !canSee(me, prev.UnitID) {
			return ballot.Errorf(ballot.EINVALID, "上一轮投票活动不存在")
		}
		if prev.State != ballot.Counted || prev.UnitID != p.UnitID {
			return ballot.Errorf(ballot.EINVALID, "只能从本单位已计票的投票活动发起下一轮")
		}
	}
	for i := range p.Groups {
		p.Groups[i].ID = ""
	}
	p.Normalize()
	if err := p.ValidateNew(); err != nil {
		return err
	}
	if err := s.store.CreatePoll(ctx, p, me.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "poll.create", map[string]string{"title": p.Title})
	return nil
}

// openPoll fixes the poll's key and opens voting. The key is the one its holders' devices
// made in the key ceremony (the tellers, or the organizer's one seat): the server has only
// its public part, and voting cannot open before every seat is ready. Only where the
// organizer chose it for a survey does the server draw the key and keep it, wrapped under
// the server secret (「本次由服务器保管密钥」).
func (s *Server) openPoll(c *fiber.Ctx, p *store.PollInfo) error {
	if p.State != ballot.Draft {
		return ballot.Errorf(ballot.ECONFLICT, "只有尚未开始的投票活动可以开始投票")
	}
	if err := s.checkCountSize(c, p, 0, 0); err != nil {
		return err
	}
	// The server-held key is for surveys only, checked again here: a poll marked so before
	// the rule (or carried through a rehearsal) must not open a vote on people with it.
	if p.ServerHeld() {
		if err := p.Poll.ValidateNew(); err != nil {
			return err
		}
	}
	var public, shares, wrapped []byte
	if !p.ServerHeld() {
		ck, err := s.store.CeremonyKey(c.UserContext(), p.ID)
		if ballot.ErrorCode(err) == ballot.EKEYNOTREADY && p.Holder() == ballot.KeyOrganizer {
			return ballot.Errorf(ballot.EKEYNOTREADY, "密钥由您本人的设备保管：请先在投票活动页点击“在本设备上生成密钥”，保存并核验备份后，再开始投票")
		}
		if err != nil {
			return err
		}
		if ck.Quorum != p.KeyQuorum() || len(ck.PublicShares) != len(p.KeySeats()) {
			return ballot.Errorf(ballot.EKEYNOTREADY, "监票人密钥与本次投票的监票人设置不符，请重新生成监票人链接")
		}
		public = ck.Joint.Bytes()
		for _, pj := range ck.PublicShares {
			shares = append(shares, elgamal.PointBytes(pj)...)
		}
	} else {
		var err error
		if public, shares, wrapped, err = ServerKey(s.cfg.Keys, p.ID); err != nil {
			return err
		}
	}
	if err := s.store.OpenPoll(c.UserContext(), p.ID, store.BoxHomomorphic, public, shares, wrapped); err != nil {
		return err
	}
	p.Box, p.PublicKey, p.PublicShares, p.State = store.BoxHomomorphic, public, shares, ballot.Open
	s.pools.Fill(p)
	s.warmConns()
	s.drawSlots(c.UserContext(), p)
	s.audit(c, p.ID, "poll.open", map[string]string{"tellers": strconv.Itoa(len(p.Tellers)), "quorum": strconv.Itoa(p.TellerQuorum), "key": p.KeyNote()})
	return nil
}

// checkCountSize refuses a poll whose box could come to hold more than one count
// decrypts, with its 应到 raised by moreExpected or moreTokens more tokens issued: a poll
// that grew past the limit would only be found out at the count, after the meeting.
// Opening (nothing added) always checks; an issue or a new 应到 that does not raise the
// most ballots the box can hold is let through, as it changes nothing the count needs.
func (s *Server) checkCountSize(c *fiber.Ctx, p *store.PollInfo, moreExpected, moreTokens int) error {
	tu, err := s.store.Turnout(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	before := ballot.BallotsBound(p.Expected(), tu)
	after := ballot.BallotsBound(p.Expected()+moreExpected, append(tu, ballot.Turnout{Issued: moreTokens}))
	if after > before || moreExpected == 0 && moreTokens == 0 {
		return p.CheckCountSize(after)
	}
	return nil
}

// ServerKey draws the key a server holds for a poll that chose it: its public key, the
// one public share, and the share (the key itself) wrapped under the server secret.
func ServerKey(keys Keys, pollID string) (public, shares, wrapped []byte, err error) {
	d := elgamal.Deal(1, 1, rand.Reader)
	commitments := [][]group.Element{d.Commitments}
	shares = elgamal.PointBytes(elgamal.PublicShare(1, commitments))
	wrapped, err = keys.Share.Wrap(pollID, elgamal.ScalarBytes(d.Shares[0]))
	return elgamal.JointKey(commitments).Bytes(), shares, wrapped, err
}

// closedPoll refuses the count of a poll still open: nothing is decrypted before close.
func closedPoll(p *store.PollInfo) error {
	if p.State != ballot.Closed && p.State != ballot.Counted {
		return ballot.Errorf(ballot.ESEALED, "投票结束前不能开箱计票，也不能查看任何结果")
	}
	return nil
}

// heldShare unwraps the share the server keeps for a poll whose key it holds.
func (s *Server) heldShare(c *fiber.Ctx, p *store.PollInfo) ([]byte, error) {
	wrapped, err := s.store.Share(c.UserContext(), p.ID)
	if err != nil {
		return nil, err
	}
	raw, err := s.cfg.Keys.Share.Unwrap(p.ID, wrapped)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "密钥份额无法解开：服务器密钥与开始投票时不同")
	}
	return raw, nil
}

// pollKey puts together the private key of a closed poll: the server-held share, or the
// tellers' shares (at least the quorum, each checked, the result checked against the
// poll's public key). It also returns the tellers who opened the box.
func (s *Server) pollKey(c *fiber.Ctx, p *store.PollInfo, codes []string) ([]byte, []string, error) {
	if err := closedPoll(p); err != nil {
		return nil, nil, err
	}
	if p.ServerHeld() {
		private, err := s.heldShare(c, p)
		return private, nil, err
	}
	var shares []ballot.Share
	var names []string
	seen := map[byte]bool{}
	for _, code := range codes {
		if strings.TrimSpace(code) == "" {
			continue
		}
		sh, err := ballot.DecodeShare(p.ID, code, len(p.PublicKey))
		if err != nil {
			return nil, nil, err
		}
		if int(sh.X) > len(p.Tellers) || sh.X == 0 {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "监票人密钥有误，请核对后重新输入")
		}
		if seen[sh.X] {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "重复输入了监票人“%s”的密钥", p.Tellers[sh.X-1])
		}
		seen[sh.X] = true
		shares = append(shares, sh)
		names = append(names, p.Tellers[sh.X-1])
	}
	if len(shares) < p.TellerQuorum {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "开箱需要至少 %d 位监票人的密钥，现在只有 %d 位", p.TellerQuorum, len(shares))
	}
	private, err := ballot.CombineShares(shares)
	if err != nil {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "监票人密钥无法合成，请核对后重新输入")
	}
	if pub, err := ballot.PublicKeyOf(private); err != nil || !bytes.Equal(pub, p.PublicKey) {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "这些监票人密钥打不开本次投票的票箱，请核对")
	}
	return private, names, nil
}

// countPoll opens the box of a closed poll and counts it. The store releases neither the
// box nor the key before close.
//
// Paper ballots entered once and not yet matched by a second entry are not in the box:
// counting would leave them out. It goes ahead only when confirmPending says the counter
// has seen them (the log keeps how many); otherwise it refuses with EPAPERPENDING.
func (s *Server) countPoll(c *fiber.Ctx, p *store.PollInfo, shareCodes []string, confirmPending bool) (*ballot.Tally, error) {
	ctx := c.UserContext()
	pending, err := s.paperPending(c, p, confirmPending)
	if err != nil {
		return nil, err
	}
	if p.Box == store.BoxHomomorphic {
		return s.countBox(c, p, pending)
	}
	private, tellers, err := s.pollKey(c, p, shareCodes)
	if err != nil {
		return nil, err
	}
	opener, err := ballot.NewOpener(p.ID, private)
	if err != nil {
		return nil, err
	}
	box, err := s.store.Box(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	turnout, err := s.store.Turnout(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	plain := opener.OpenBox(box)
	t := ballot.Count(&p.Poll, turnout, plain)
	t.OpenedBy = tellers
	sealed := make([][]byte, len(box))
	receipts := make([]string, len(box))
	for i, b := range box {
		sealed[i] = b.Sealed
		receipts[i] = ballot.ReceiptCode(ballot.Receipt(b.Sealed))
	}
	bundle, err := ballot.NewBundle(&p.Poll, turnout, sealed, plain, t, "minyi "+s.cfg.Version, time.Now())
	if err != nil {
		return nil, err
	}
	signed, err := ballot.Sign(bundle, s.cfg.Keys.Sign)
	if err != nil {
		return nil, err
	}
	if err := s.store.SaveTally(ctx, t, meOf(c).ID, signed, slices.Values(receipts)); err != nil {
		return nil, err
	}
	detail := map[string]string{"ballots": strconv.Itoa(t.Ballots), "tellers": strings.Join(tellers, "、")}
	if pending > 0 {
		detail["paper_pending"] = strconv.Itoa(pending)
	}
	s.audit(c, p.ID, "poll.count", detail)
	return t, nil
}

// paperPending is how many paper entries wait for their second entry. They are not in the
// box: counting would leave them out, so it goes ahead only when confirmPending says the
// counter has seen them; otherwise it refuses with EPAPERPENDING.
func (s *Server) paperPending(c *fiber.Ctx, p *store.PollInfo, confirmPending bool) (int, error) {
	paper, err := s.store.Paper(c.UserContext(), p.ID)
	if err != nil {
		return 0, err
	}
	if paper.Pending > 0 && !confirmPending {
		return 0, ballot.Errorf(ballot.EPAPERPENDING, "有 %d 份纸质选票只录入了一遍，尚未经第二人核对录入，开箱后将不计入结果。请先完成核对录入；确认不计入的，勾选确认后再开箱", paper.Pending)
	}
	return paper.Pending, nil
}

// drawSlots gives an open poll's box an empty slot for every ballot its tokens may still
// cast. A failure is logged only: a vote that finds no slot draws them itself.
func (s *Server) drawSlots(ctx context.Context, p *store.PollInfo) {
	size := ballot.SealedSize(p.PlainSize())
	if p.Box == store.BoxHomomorphic {
		k, err := s.pools.Key(p)
		if err != nil {
			s.log.Error("drawing ballot slots", "poll", p.ID, "err", err)
			return
		}
		size = k.Size()
	}
	if err := s.store.EnsureSlots(ctx, p.ID, size); err != nil {
		s.log.Error("drawing ballot slots", "poll", p.ID, "err", err)
	}
}

// MaxBatch is the most tokens issued in one batch (one download).
const MaxBatch = 2000

// drawTokens draws count fresh tokens for a group of the poll, with their keyed hashes.
// Nothing is stored yet (see issueBatch).
func (s *Server) drawTokens(p *store.PollInfo, groupID string, count int) ([]ballot.Token, [][]byte, error) {
	if _, ok := p.Group(groupID); !ok {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if count < 1 || count > MaxBatch {
		return nil, nil, ballot.Errorf(ballot.EINVALID, "每批凭证数量应在1到%d之间", MaxBatch)
	}
	toks := make([]ballot.Token, count)
	hashes := make([][]byte, count)
	for i := range toks {
		t, err := ballot.NewToken()
		if err != nil {
			return nil, nil, err
		}
		toks[i], hashes[i] = t, s.cfg.Keys.Token.Hash(t)
	}
	return toks, hashes, nil
}

// voidCode voids the token a person typed in.
func (s *Server) voidCode(c *fiber.Ctx, p *store.PollInfo, code string) error {
	t, err := ballot.ParseToken(code)
	if err != nil {
		return err
	}
	if err := s.store.VoidToken(c.UserContext(), p.ID, s.cfg.Keys.Token.Hash(t), s.cfg.Keys.Nullifier.Nullifier(t)); err != nil {
		return err
	}
	s.audit(c, p.ID, "token.void", nil) // the code itself is never recorded
	return nil
}

// audit records an organizer action: who, what, when; never a token or a vote. A failure
// to record is logged and the action, already done, stands.
func (s *Server) audit(c *fiber.Ctx, pollID, action string, detail map[string]string) {
	s.auditBy(c.UserContext(), meOf(c), pollID, action, detail)
}

// auditBy is audit for an action that was handed its acting user rather than the request.
func (s *Server) auditBy(ctx context.Context, me *store.Session, pollID, action string, detail map[string]string) {
	s.auditAs(ctx, me.ID, me.Name+"（"+me.Username+"）", pollID, action, detail)
}

func (s *Server) auditAs(ctx context.Context, actor, name, pollID, action string, detail map[string]string) {
	e := ballot.AuditEntry{Actor: actor, ActorName: name, PollID: pollID, Action: action, Detail: detail}
	if err := s.store.Audit(ctx, e); err != nil {
		s.log.Error("audit log", "action", action, "err", err)
	}
}

func (s *Server) reopenPoll(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.ReopenPoll(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.drawSlots(c.UserContext(), p)
	s.audit(c, p.ID, "poll.reopen", nil)
	return nil
}

// setExpected changes a group's 应到 during the meeting; the log keeps both numbers.
func (s *Server) setExpected(c *fiber.Ctx, p *store.PollInfo, groupID string, expected int) error {
	g, ok := p.Group(groupID)
	if !ok {
		return ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if expected > g.Expected {
		if err := s.checkCountSize(c, p, expected-g.Expected, 0); err != nil {
			return err
		}
	}
	old, err := s.store.SetExpected(c.UserContext(), p.ID, groupID, expected)
	if err != nil {
		return err
	}
	s.audit(c, p.ID, "group.expected", map[string]string{"group": g.Name, "from": strconv.Itoa(old), "to": strconv.Itoa(expected)})
	return nil
}

// scheduleClose sets or cancels the automatic close.
func (s *Server) scheduleClose(c *fiber.Ctx, p *store.PollInfo, at *time.Time) error {
	if at != nil && at.Before(time.Now()) {
		return ballot.Errorf(ballot.EINVALID, "结束时间已过，请设定以后的时间")
	}
	if err := s.store.SetCloseAt(c.UserContext(), p.ID, at); err != nil {
		return err
	}
	when := "取消"
	if at != nil {
		when = at.In(cst).Format("2006-01-02 15:04")
	}
	s.audit(c, p.ID, "poll.schedule", map[string]string{"close_at": when})
	return nil
}

// closeDuePolls closes the polls whose scheduled time has come. Several instances may try
// at once: the one that closes a poll records it, the others find it closed.
func (s *Server) closeDuePolls(ctx context.Context) {
	ids, err := s.store.DueToClose(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("scheduled close", "err", err)
		}
		return
	}
	for _, id := range ids {
		if err := s.store.ClosePoll(ctx, id); err == nil {
			s.auditAs(ctx, "system", i18n.N("系统（定时结束）"), id, "poll.close", map[string]string{"scheduled": "1"})
		} else if ballot.ErrorCode(err) != ballot.ECONFLICT {
			s.log.Warn("scheduled close", "poll", id, "err", err)
		}
	}
}

// replaceSlip voids a lost slip and issues one new token to the same group: the slip
// itself cannot be printed again, since no token is kept.
func (s *Server) replaceSlip(c *fiber.Ctx, p *store.PollInfo, code, format string) ([]ballot.Token, *slipFile, error) {
	t, err := ballot.ParseToken(code)
	if err != nil {
		return nil, nil, err
	}
	info, err := s.store.TokenByHash(c.UserContext(), s.cfg.Keys.Token.Hash(t))
	if err != nil {
		return nil, nil, err
	}
	if info.PollID != p.ID {
		return nil, nil, ballot.Errorf(ballot.ETOKENUNKNOWN, "该凭证不属于本投票活动")
	}
	if err := s.voidCode(c, p, code); err != nil {
		return nil, nil, err
	}
	_, toks, file, err := s.issueBatch(c, p, info.GroupID, 1, format)
	return toks, file, err
}

func (s *Server) closePoll(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.ClosePoll(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.pools.Stop(p.ID)
	s.audit(c, p.ID, "poll.close", nil)
	return nil
}

func (s *Server) deleteDraft(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.DeleteDraft(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "poll.delete", map[string]string{"title": p.Title})
	return nil
}

func (s *Server) startRehearsal(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.StartRehearsal(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "rehearsal.start", nil)
	return nil
}

func (s *Server) wipeRehearsal(c *fiber.Ctx, p *store.PollInfo) error {
	if err := s.store.WipeRehearsal(c.UserContext(), p.ID); err != nil {
		return err
	}
	s.audit(c, p.ID, "rehearsal.wipe", nil)
	return nil
}

// batchVoided is a voided batch and how many of its tokens were voided.
type batchVoided struct {
	Batch  store.Batch `json:"-"`
	Voided int         `json:"voided"`
}

// voidBatch voids a batch's tokens (those that voted too, which it cannot tell apart); the
// log names the batch as its slips do.
func (s *Server) voidBatch(c *fiber.Ctx, p *store.PollInfo, batch string) (batchVoided, error) {
	b, err := s.store.BatchOf(c.UserContext(), p.ID, batch)
	if err != nil {
		return batchVoided{Batch: b}, err
	}
	n, err := s.store.VoidBatch(c.UserContext(), p.ID, batch)
	if err != nil {
		return batchVoided{Batch: b}, err
	}
	s.audit(c, p.ID, "batch.void", map[string]string{"batch": batch, "group": b.GroupName, "count": strconv.Itoa(b.Count), "hint": b.Hint, "voided": strconv.Itoa(n)})
	return batchVoided{Batch: b, Voided: n}, nil
}

// batchList is a poll's batches of tokens.
type batchList struct {
	Batches []store.Batch `json:"batches"`
}

// batchesOf lists a visible poll's batches.
func (s *Server) batchesOf(ctx context.Context, p *store.PollInfo) (batchList, error) {
	b, err := s.store.Batches(ctx, p.ID)
	return batchList{Batches: nonNil(b)}, err
}

// auditLabels are the actions as organizers read them.
var auditLabels = map[string]string{
	"poll.create": "新建投票活动", "poll.open": "开始投票", "poll.close": "结束投票", "poll.count": "开箱计票", "count.start": "开始开箱计票", "poll.delete": "删除投票活动",
	"rehearsal.start": "开始模拟测评", "rehearsal.wipe": "清除模拟数据", "tokens.issue": "发放凭证", "codes.issue": "批量生成凭证码", "codes.broken": "批量生成凭证码（下载中断，未发放）", "token.void": "作废单张凭证",
	"batch.void": "作废凭证批次", "screen.create": "生成大屏链接", "unit.create": "新建单位", "staff.create": "新建账号",
	"poll.reopen": "重新开放投票", "group.expected": "修改应到人数", "poll.schedule": "设定结束时间",
	"poll.file": "归档到干部档案", "receiver.add": "添加档案接收方", "entry.link": "关联档案记录", "selection.create": "新建纪实", "selection.step": "记录纪实环节", "cadres.add": "加入干部名册", "token.paper": "凭证改为纸质投票", "paper.enter": "录入纸质选票", "paper.discard": "清除未核对的纸质录入",
}

// turnoutRow is a voter group's turnout as the organizer sees it.
type turnoutRow struct {
	ID       string        `json:"group_id"`
	Name     string        `json:"name"`
	Expected int           `json:"expected"`
	Issued   int           `json:"issued"`
	Voided   int           `json:"voided"`
	Used     int           `json:"used"`
	Rate     ballot.Ratio  `json:"participation"`
	Weight   *ballot.Ratio `json:"weight,omitempty"`
	Region   string        `json:"region,omitempty"`
	Index    int           `json:"-"` // the group's position in the poll, as a stream of many groups names it
}

// regionRow is the subtotal of a region's groups. Region "" gathers the groups given no
// region in a poll where others have one.
type regionRow struct {
	Region   string       `json:"region"`
	Groups   int          `json:"groups"`
	Expected int          `json:"expected"`
	Issued   int          `json:"issued"`
	Voided   int          `json:"voided"`
	Used     int          `json:"used"`
	Rate     ballot.Ratio `json:"participation"`
	// Rows are the region's groups, for the page only (streams carry them once, in Groups).
	Rows []turnoutRow `json:"-"`
}

// turnoutView is a poll's turnout by group with the total and the quorum (RULES: quorum).
// A poll whose groups have regions also has the subtotals by region, in the order the
// regions first appear; the big screen shows those rather than hundreds of groups.
type turnoutView struct {
	Groups  []turnoutRow `json:"groups"`
	Regions []regionRow  `json:"regions,omitempty"`
	Total   turnoutRow   `json:"total"`
	Needed  int          `json:"quorum_needed"`
	Met     bool         `json:"quorum_met"`
}

func (s *Server) turnout(ctx context.Context, p *store.PollInfo) (turnoutView, error) {
	tu, err := s.store.Turnout(ctx, p.ID)
	if err != nil {
		return turnoutView{}, err
	}
	byGroup := map[string]ballot.Turnout{}
	for _, t := range tu {
		byGroup[t.Group] = t
	}
	v := turnoutView{Needed: p.QuorumNeeded(), Total: turnoutRow{Name: i18n.N("合计")}}
	for i, g := range p.Groups {
		t := byGroup[g.ID]
		r := turnoutRow{ID: g.ID, Name: g.Name, Expected: g.Expected, Issued: t.Issued, Voided: t.Voided, Used: t.Used, Rate: ballot.R(int64(t.Used), int64(g.Expected)), Weight: g.Weight, Region: g.Region, Index: i}
		v.Groups = append(v.Groups, r)
		v.Total.Expected += r.Expected
		v.Total.Issued += r.Issued
		v.Total.Voided += r.Voided
		v.Total.Used += r.Used
	}
	v.Total.Rate = ballot.R(int64(v.Total.Used), int64(v.Total.Expected))
	v.Met = v.Total.Used >= v.Needed
	v.Regions = foldRegions(v.Groups)
	return v, nil
}

// foldRegions sums the groups by region; nil when no group has a region.
func foldRegions(groups []turnoutRow) []regionRow {
	at := map[string]int{}
	var out []regionRow
	for _, g := range groups {
		i, ok := at[g.Region]
		if !ok {
			i = len(out)
			at[g.Region] = i
			out = append(out, regionRow{Region: g.Region})
		}
		r := &out[i]
		r.Groups++
		r.Expected += g.Expected
		r.Issued += g.Issued
		r.Voided += g.Voided
		r.Used += g.Used
		r.Rows = append(r.Rows, g)
	}
	if len(out) == 1 && out[0].Region == "" {
		return nil
	}
	for i := range out {
		out[i].Rate = ballot.R(int64(out[i].Used), int64(out[i].Expected))
	}
	return out
}

// baseURL is where voters' phones reach this server: the configured address, or the one
// the organizer used. local reports an address no phone can reach.
func (s *Server) baseURL(requestBase string) (base string, local bool) {
	base = strings.TrimRight(s.cfg.BaseURL, "/")
	if base == "" {
		base = strings.TrimRight(requestBase, "/")
	}
	if u, err := url.Parse(base); err == nil {
		h := u.Hostname()
		local = h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
	}
	return base, local
}

// countedTally is a counted poll's result and when it was counted.
type countedTally struct {
	CountedAt time.Time     `json:"counted_at"`
	Tally     *ballot.Tally `json:"tally"`
}

// tallyOf reads the result of a visible poll; the store has none before the count.
func (s *Server) tallyOf(ctx context.Context, p *store.PollInfo) (countedTally, error) {
	t, at, err := s.store.Tally(ctx, p.ID)
	return countedTally{CountedAt: at, Tally: t}, err
}

// pollAction is a change an organizer makes to a poll they manage.
type pollAction func(c *fiber.Ctx, p *store.PollInfo) error

// onPage runs an action from a form post and returns to the poll's page with a message
// (an i18n.N-marked message, said in the page's language).
func (s *Server) onPage(act pollAction, msg string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := pollOf(c)
		if err := act(c, p); err != nil {
			return err
		}
		return s.redirectWith(c, "/polls/"+p.ID, pr(c).T(msg)) // msg: an i18n.N-marked message
	}
}

// onAPI runs an action from the API and answers with the poll as it now is.
func (s *Server) onAPI(act pollAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := pollOf(c)
		if err := act(c, p); err != nil {
			return err
		}
		return s.apiPollState(c, p.ID)
	}
}
