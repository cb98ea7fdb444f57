package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/i18n"
	"minyi/store"
)

// The count of a poll whose key the tellers (or the organizer's device, as the one seat) hold runs on their devices, in two steps. The
// organizer starts it: the server checks every ballot's proofs, adds the ciphertexts and
// keeps the sums and the points to decrypt. Each teller opens their seat link, and their
// device decrypts those points with the share typed or loaded there; the server checks the
// proof against the seat's public share and keeps the partial decryption. The quorum's
// partials finish the count. The server never sees a share.

// deviceCounted says whether a poll is counted by its tellers' devices: a homomorphic box
// whose key the tellers, or the organizer's device, made. Sealed boxes (box 2) keep their typed-code count.
func deviceCounted(p *store.PollInfo) bool {
	return p.Box == store.BoxHomomorphic && !p.ServerHeld()
}

// countSeat is a teller's progress at the count, as the organizer sees it.
type countSeat struct {
	Seat   int    `json:"seat"`
	Teller string `json:"teller"`
	Done   bool   `json:"done"`
	Label  string `json:"label"`
}

// countStatus is a device count as the organizer's page and the API show it.
type countStatus struct {
	State     string      `json:"state"` // none (not started), open, done
	Quorum    int         `json:"quorum"`
	Decrypted int         `json:"decrypted"`
	Seats     []countSeat `json:"seats"`
	Tally     string      `json:"tally,omitempty"` // the tally page, once done
}

func (s *Server) countStatusOf(ctx context.Context, p *store.PollInfo) (*countStatus, error) {
	st := &countStatus{State: "none", Quorum: p.KeyQuorum()}
	r, err := s.countRoundOf(ctx, p)
	if err != nil {
		return nil, err
	}
	in := map[int]bool{}
	if r != nil {
		st.State, st.Quorum, st.Decrypted = "open", r.Quorum, len(r.Seats)
		for _, j := range r.Seats {
			in[j] = true
		}
		if r.FinishedAt != nil {
			st.State, st.Tally = "done", "/polls/"+p.ID+"/tally"
		}
	}
	for i, name := range p.KeySeats() {
		cs := countSeat{Seat: i + 1, Teller: name, Done: in[i+1], Label: i18n.N("未开箱")}
		if cs.Done {
			cs.Label = i18n.N("已提交")
		}
		st.Seats = append(st.Seats, cs)
	}
	return st, nil
}

// refuseShareCodes turns away share codes sent to the count of a device-counted poll:
// the server must never hold a share, not even for one request.
func refuseShareCodes(codes []string) error {
	for _, c := range codes {
		if strings.TrimSpace(c) != "" {
			return ballot.Errorf(ballot.ESHARETYPED, "本次投票由监票人在各自设备上开箱：请不要在此输入监票人密钥，请各位监票人打开自己的监票人链接，在本人设备上输入密钥")
		}
	}
	return nil
}

// startCount starts (or finds already started) the device count of a closed poll: the box
// is checked and summed once, and the round keeps the sums, the points the tellers
// decrypt and the box's digest.
func (s *Server) startCount(c *fiber.Ctx, p *store.PollInfo, codes []string, confirmPending bool) (*countStatus, error) {
	ctx := c.UserContext()
	if err := refuseShareCodes(codes); err != nil {
		return nil, err
	}
	if err := closedPoll(p); err != nil {
		return nil, err
	}
	pending, err := s.paperPending(c, p, confirmPending)
	if err != nil {
		return nil, err
	}
	k, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	// The box is read and summed before the round already started is looked at: its
	// digest comes out of the same pass over the box as its sums.
	var sums *ballot.BoxSums
	var box *ballot.BoxFile
	err = s.store.CountBox(ctx, p.ID, k, func(in *store.CountInput, plan *ballot.BoxPlan, ballots iter.Seq2[ballot.SealedBallot, error]) error {
		sums, box, err = s.sumBox(in, plan.WithDigest(), ballots)
		return err
	})
	if err != nil {
		return nil, err
	}
	digest := box.Digest
	if r, err := s.countRoundOf(ctx, p); err == nil && r != nil && bytes.Equal(r.BoxDigest, digest) && s.sealed(p.ID, r) {
		// The same round. If it holds the quorum's partials but its finish failed (a
		// fault while decrypting or saving), starting again tries the finish again.
		if r.FinishedAt == nil && len(r.Seats) >= r.Quorum {
			if err := s.finishRound(c.UserContext(), p, r.Round, nil); err != nil {
				return nil, err
			}
		}
		return s.countStatusOf(ctx, p)
	}
	points, err := sums.Points()
	if err != nil {
		return nil, err
	}
	// A device posts every point's decryption in one request, which one proof covers and
	// PartialBodyLimit takes (it is sized for MaxCountPoints). A poll that could come to
	// more was refused when it was made and opened; one made before that check (or
	// over-issued since) is refused here.
	if err := ballot.CheckCountPoints(len(points)); err != nil {
		return nil, err
	}
	kept, err := sums.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var flat []byte
	for _, pt := range points {
		flat = append(flat, elgamal.PointBytes(pt)...)
	}
	me := meOf(c)
	id := me.ID
	var closedAt time.Time
	if p.ClosedAt != nil {
		closedAt = *p.ClosedAt
	}
	round := &store.CountRound{PollID: p.ID, Round: make([]byte, 16), Quorum: p.KeyQuorum(), BoxDigest: digest, Sums: kept,
		Points: flat, Context: k.CountContext(), PaperPending: pending, StartedBy: &id, StartedName: me.Name + "（" + me.Username + "）"}
	rand.Read(round.Round)
	round.Seal = s.roundSeal(p.ID, round)
	r, err := s.store.StartCount(ctx, closedAt, round, func(old *store.CountRound) bool { return s.sealed(p.ID, old) })
	if err != nil {
		return nil, err
	}
	detail := map[string]string{"ballots": strconv.Itoa(box.File.Count), "points": strconv.Itoa(len(points)), "holder": p.Holder()}
	if pending > 0 {
		detail["paper_pending"] = strconv.Itoa(pending)
	}
	boxChecks(detail, sums)
	if r.StartedBy != nil && *r.StartedBy == id {
		s.audit(c, p.ID, "count.start", detail)
	}
	return s.countStatusOf(ctx, p)
}

// roundSeal is the server's MAC over a count round: the poll, the round's id and quorum,
// the box's digest, the sums, the points the devices decrypt and their context. The round
// lives in the database between the start and the finish; a writer of the database who
// swapped the points (for one ballot's ciphertexts, so that the tellers' devices would
// decrypt that ballot) or the sums (to change the tally) breaks the seal, and the server
// then neither hands the points out, nor takes a partial over them, nor finishes.
func (s *Server) roundSeal(pollID string, r *store.CountRound) []byte {
	m := hmac.New(sha256.New, s.cfg.Keys.Round)
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		m.Write(n[:])
		m.Write(b)
	}
	field([]byte("minyi count round v1"))
	field([]byte(pollID))
	field(r.Round)
	field([]byte(strconv.Itoa(r.Quorum)))
	field(r.BoxDigest)
	field(r.Sums)
	field(r.Points)
	field(r.Context)
	return m.Sum(nil)
}

// sealed says whether a round read from the database is the one the server kept.
func (s *Server) sealed(pollID string, r *store.CountRound) bool {
	return hmac.Equal(r.Seal, s.roundSeal(pollID, r))
}

// errRoundBroken is the answer when a round's seal does not hold.
var errRoundBroken = ballot.Errorf(ballot.EINTERNAL, "开箱计票的数据与开始时不符（数据库中的记录被改动），已停止。请组织者重新开始开箱计票")

// countStatusHandler is the organizer's view of a device count (page JS and API).
func (s *Server) countStatusHandler(c *fiber.Ctx) error {
	p := pollOf(c)
	st, err := s.countStatusOf(c.UserContext(), p)
	if err != nil {
		return err
	}
	for i := range st.Seats { // the page's script shows the label as it comes
		st.Seats[i].Label = pr(c).T(st.Seats[i].Label)
	}
	sayOrganizerSeat(pr(c), p, st)
	return sayJSON(c, fiber.StatusOK, st)
}

// sayOrganizerSeat names the organizer's own seat in the reader's language: the rules
// name it in Chinese, where a teller's seat carries the name the organizer typed.
func sayOrganizerSeat(pr *i18n.Printer, p *store.PollInfo, st *countStatus) {
	if p.Holder() != ballot.KeyOrganizer {
		return
	}
	for i := range st.Seats {
		if st.Seats[i].Teller == ballot.OrganizerSeat {
			st.Seats[i].Teller = pr.T(ballot.OrganizerSeat)
		}
	}
}

// tellerCount is what a teller's device reads at the count.
type tellerCount struct {
	State       string   `json:"state"` // waiting (not closed or not started), open, done
	Poll        string   `json:"poll"`
	Seat        int      `json:"seat"`
	Quorum      int      `json:"quorum"`
	Decrypted   int      `json:"decrypted"`
	Posted      bool     `json:"posted"`       // this seat's partial is in
	PublicShare string   `json:"public_share"` // s_j·G: the device checks the share typed against it
	Points      []string `json:"points,omitempty"`
	Context     string   `json:"context,omitempty"`
}

func (s *Server) tellerCountOf(ctx context.Context, p *store.PollInfo, seat int, r *store.CountRound) tellerCount {
	out := tellerCount{State: "waiting", Poll: p.ID, Seat: seat, Quorum: p.KeyQuorum()}
	if shares := splitShares(p.PublicShares); seat <= len(shares) {
		out.PublicShare = hex.EncodeToString(shares[seat-1])
	}
	if r == nil || closedPoll(p) != nil {
		return out
	}
	out.State, out.Quorum, out.Decrypted = "open", r.Quorum, len(r.Seats)
	for _, j := range r.Seats {
		out.Posted = out.Posted || j == seat
	}
	if r.FinishedAt != nil {
		out.State = "done"
		return out
	}
	if !s.sealed(p.ID, r) {
		out.State = "broken"
		return out
	}
	for at := 0; at+elgamal.PointSize <= len(r.Points); at += elgamal.PointSize {
		out.Points = append(out.Points, hex.EncodeToString(r.Points[at:at+elgamal.PointSize]))
	}
	out.Context = hex.EncodeToString(r.Context)
	return out
}

// countRoundOf reads a poll's round, nil when the count has not started. A round started
// before the poll was last closed (it was opened again, and more may have voted) is no
// round: the organizer starts the count again.
func (s *Server) countRoundOf(ctx context.Context, p *store.PollInfo) (*store.CountRound, error) {
	r, err := s.store.CountRound(ctx, p.ID)
	if ballot.ErrorCode(err) == ballot.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r.FinishedAt == nil && (p.ClosedAt == nil || r.StartedAt.Before(*p.ClosedAt)) {
		return nil, nil
	}
	return r, nil
}

// tellerCountState is GET /t/:token/count.
func (s *Server) tellerCountState(c *fiber.Ctx) error {
	p, seat, err := s.seat(c)
	if err != nil {
		return err
	}
	r, err := s.countRoundOf(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(s.tellerCountOf(c.UserContext(), p, seat, r))
}

// partialPost is a device's partial decryption: D_x for every point, in order, and the proof.
type partialPost struct {
	D     []string `json:"d"`
	Proof string   `json:"proof"`
}

// tellerPartial is POST /t/:token/partial: the seat's partial decryption is checked
// against its public share and kept; the quorum's last one finishes the count.
func (s *Server) tellerPartial(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p, seat, err := s.seat(c)
	if err != nil {
		return err
	}
	// Not yet: a state of the poll, not a refusal of the seat.
	if closedPoll(p) != nil {
		return ballot.Errorf(ballot.ECONFLICT, "投票尚未结束，结束后才能开箱")
	}
	r, err := s.countRoundOf(ctx, p)
	if err != nil {
		return err
	}
	if r == nil {
		return ballot.Errorf(ballot.ECONFLICT, "组织者尚未开始开箱计票，请稍候")
	}
	// A seat posting again, or after the count, changes nothing.
	if r.FinishedAt != nil || slices.Contains(r.Seats, seat) {
		return c.JSON(s.tellerCountOf(ctx, p, seat, r))
	}
	var in partialPost
	if err := json.Unmarshal(c.Body(), &in); err != nil {
		return ballot.Errorf(ballot.EINVALID, "提交的内容格式不对")
	}
	if !s.sealed(p.ID, r) {
		return errRoundBroken
	}
	part, d, err := checkPartial(p, seat, r, in)
	if err != nil {
		return err
	}
	if err := s.finishRound(ctx, p, r.Round, &store.CountPartial{Seat: seat, D: d, Proof: part.Proof}); err != nil {
		return err
	}
	r, err = s.countRoundOf(ctx, p)
	if err != nil {
		return err
	}
	return c.JSON(s.tellerCountOf(ctx, p, seat, r))
}

// finishRound keeps a checked partial (if any) in the round named round and, with the
// quorum's partials in, finishes the count once, under the round's lock; the finish reads
// the round again under that lock and checks its seal.
func (s *Server) finishRound(ctx context.Context, p *store.PollInfo, round []byte, part *store.CountPartial) error {
	r, done, err := s.store.PostPartial(ctx, p.ID, round, part,
		func(r *store.CountRound, partials []store.CountPartial) (*store.CountFinish, error) {
			if !s.sealed(p.ID, r) {
				return nil, errRoundBroken
			}
			return s.finishCount(ctx, p, r, partials)
		})
	if err != nil {
		return err
	}
	if done != nil {
		detail := map[string]string{"ballots": strconv.Itoa(done.Tally.Ballots), "tellers": strings.Join(done.Tally.OpenedBy, "、")}
		if r.PaperPending > 0 {
			detail["paper_pending"] = strconv.Itoa(r.PaperPending)
		}
		by := ""
		if r.StartedBy != nil {
			by = *r.StartedBy
		}
		s.auditAs(ctx, by, r.StartedName, p.ID, "poll.count", detail)
	}
	return nil
}

// checkPartial reads a posted partial decryption and checks its proof against the seat's
// public share over the round's points; a bad one is refused and nothing of it kept.
func checkPartial(p *store.PollInfo, seat int, r *store.CountRound, in partialPost) (elgamal.Partial, []byte, error) {
	bad := ballot.Errorf(ballot.EPARTIAL, "开箱结果未通过校验：输入的密钥不是第%d位监票人本人的密钥份额，或计算有误。请核对备份后重新输入", seat)
	n := len(r.Points) / elgamal.PointSize
	points, err := elgamal.ParsePoints(r.Points, n)
	if err != nil {
		return elgamal.Partial{}, nil, err
	}
	shares := splitShares(p.PublicShares)
	if seat > len(shares) || len(in.D) != n {
		return elgamal.Partial{}, nil, bad
	}
	pj, err := elgamal.ParsePoint(shares[seat-1])
	if err != nil {
		return elgamal.Partial{}, nil, err
	}
	d := make([]byte, 0, n*elgamal.PointSize)
	for _, h := range in.D {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != elgamal.PointSize {
			return elgamal.Partial{}, nil, bad
		}
		d = append(d, b...)
	}
	part := elgamal.Partial{Teller: seat}
	if part.D, err = elgamal.ParsePoints(d, n); err != nil {
		return elgamal.Partial{}, nil, bad
	}
	if part.Proof, err = hex.DecodeString(in.Proof); err != nil {
		return elgamal.Partial{}, nil, bad
	}
	if err := elgamal.VerifyPartial(pj, points, part, r.Context); err != nil {
		return elgamal.Partial{}, nil, bad
	}
	return part, d, nil
}

// finishCount combines the quorum's partial decryptions of the round's sums and counts
// them: the tally, its signed bundle and the receipts. It runs under the round's lock
// (store.PostPartial), so once per count. A box that changed since the start is refused.
func (s *Server) finishCount(ctx context.Context, p *store.PollInfo, r *store.CountRound, kept []store.CountPartial) (*store.CountFinish, error) {
	k, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	sums, err := k.UnmarshalSums(r.Sums)
	if err != nil {
		return nil, err
	}
	// The box and the turnout read in one snapshot; the box's record for the bundle
	// worked out as it is read, nothing added again.
	var turnout []ballot.Turnout
	var plan *ballot.BoxPlan
	var box *ballot.BoxFile
	err = s.store.CountBox(ctx, p.ID, k, func(in *store.CountInput, pl *ballot.BoxPlan, ballots iter.Seq2[ballot.SealedBallot, error]) error {
		turnout, plan = in.Turnout, pl
		box, err = pl.WithDigest().Record(ballots)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(box.Digest, r.BoxDigest) {
		return nil, ballot.Errorf(ballot.ECONFLICT, "开箱计票开始后票箱有变动，结果未计出。请组织者重新开始开箱计票，各位监票人再次开箱")
	}
	n := len(r.Points) / elgamal.PointSize
	var partials []elgamal.Partial
	var tellers []string
	for _, kp := range kept {
		d, err := elgamal.ParsePoints(kp.D, n)
		if err != nil {
			return nil, err
		}
		partials = append(partials, elgamal.Partial{Teller: kp.Seat, D: d, Proof: kp.Proof})
		if seats := p.KeySeats(); kp.Seat <= len(seats) {
			tellers = append(tellers, seats[kp.Seat-1])
		}
	}
	return s.certify(k, turnout, plan, box, sums, partials, splitShares(p.PublicShares), r.Quorum, tellers)
}
