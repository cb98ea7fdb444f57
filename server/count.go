package server

import (
	"crypto/rand"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
)

// countBox counts the homomorphic box of a poll without tellers in one step, with the
// share the server holds: the ciphertexts are checked and added per result row and cell,
// the share decrypts those sums (and the texts, out of their ballots) partially, with a
// proof checked against its public share. No ballot is decrypted. A poll whose tellers
// hold the key is counted on their devices instead (devcount.go).
func (s *Server) countBox(c *fiber.Ctx, p *store.PollInfo, pending int) (*ballot.Tally, error) {
	ctx := c.UserContext()
	if deviceCounted(p) {
		return nil, ballot.Errorf(ballot.ECONFLICT, "本次投票由监票人在各自设备上开箱计票")
	}
	if err := closedPoll(p); err != nil {
		return nil, err
	}
	raw, err := s.heldShare(c, p)
	if err != nil {
		return nil, err
	}
	held, err := elgamal.ParseScalar(raw)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "密钥份额无效")
	}
	// The poll's own key, not a pool's: nothing is prepared for a closed poll.
	k, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return nil, err
	}
	var turnout []ballot.Turnout
	var plan *ballot.BoxPlan
	var sums *ballot.BoxSums
	var box *ballot.BoxFile
	err = s.store.CountBox(ctx, p.ID, k, func(in *store.CountInput, pl *ballot.BoxPlan, ballots iter.Seq2[ballot.SealedBallot, error]) error {
		turnout, plan = in.Turnout, pl
		sums, box, err = s.sumBox(in, pl, ballots)
		return err
	})
	if err != nil {
		return nil, err
	}
	points, err := sums.Points()
	if err != nil {
		return nil, err
	}
	// One proof covers at most MaxCountPoints; a poll that could come to more is refused
	// when made and opened, this one was made before that check.
	if err := ballot.CheckCountPoints(len(points)); err != nil {
		return nil, err
	}
	shares := splitShares(p.PublicShares)
	cctx := k.CountContext()
	if len(shares) != 1 {
		return nil, ballot.Errorf(ballot.EINTERNAL, "服务器保管的密钥份额与本次投票的公钥不符")
	}
	part := elgamal.PartialDecrypt(1, held, points, cctx, rand.Reader)
	pj, err := elgamal.ParsePoint(shares[0])
	if err == nil {
		err = elgamal.VerifyPartial(pj, points, part, cctx)
	}
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "服务器保管的密钥份额与本次投票的公钥不符")
	}
	f, err := s.certify(k, turnout, plan, box, sums, []elgamal.Partial{part}, shares, 1, nil)
	if err != nil {
		return nil, err
	}
	t := f.Tally
	if err := s.store.SaveTally(ctx, t, meOf(c).ID, f.Signed, f.Receipts); err != nil {
		return nil, err
	}
	detail := map[string]string{"ballots": strconv.Itoa(t.Ballots)}
	if pending > 0 {
		detail["paper_pending"] = strconv.Itoa(pending)
	}
	boxChecks(detail, sums)
	s.audit(c, p.ID, "poll.count", detail)
	return t, nil
}

// sumBox adds a box as the count does, streamed (BoxPlan.Sum): a voter group from the
// sums kept as its ballots were sealed where they match its ballots, every other ballot
// checked (as BoxKey.SumKept). A poll opened before the server kept sums has rows for
// part of its box only: it is checked in full, which is no sign of anything, so without a
// note.
func (s *Server) sumBox(in *store.CountInput, plan *ballot.BoxPlan, box iter.Seq2[ballot.SealedBallot, error]) (*ballot.BoxSums, *ballot.BoxFile, error) {
	if s.cfg.Keys.BoxSums == nil || !in.KeepsSums {
		return plan.Sum(box, in.Turnout, nil, nil, 0)
	}
	return plan.Sum(box, in.Turnout, s.cfg.Keys.BoxSums, in.Sums, in.Closes)
}

// boxChecks puts in an audit entry's detail how many ballots the count checked one by
// one, and why a group was checked although the box kept its sums.
func boxChecks(detail map[string]string, sums *ballot.BoxSums) {
	detail["checked"] = strconv.Itoa(sums.Checked)
	if len(sums.Notes) > 0 {
		detail["box_checks"] = strings.Join(sums.Notes, "；")
	}
}

// certify combines the quorum's partial decryptions of a box's sums and counts them: the
// tally (naming the tellers who opened the box), its signed bundle, and the receipts
// (the plan's, in the bundle's order, read as they are stored).
func (s *Server) certify(k *ballot.BoxKey, turnout []ballot.Turnout, plan *ballot.BoxPlan, box *ballot.BoxFile, sums *ballot.BoxSums, partials []elgamal.Partial, shares [][]byte, quorum int, openedBy []string) (*store.CountFinish, error) {
	combined, err := elgamal.CombinePartials(partials, quorum)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINVALID, "开箱需要至少 %d 位监票人", quorum)
	}
	rows, opened, err := k.Decrypt(sums, combined)
	if err != nil {
		return nil, ballot.Errorf(ballot.EINTERNAL, "票箱的和无法解密：票箱或部分解密被改动（%v）", err)
	}
	t := k.CountBox(turnout, sums, rows, k.Texts(sums, opened))
	t.OpenedBy = openedBy
	bundle, err := k.NewBundle5Of(turnout, box, sums, partials, opened, shares, quorum, t, "minyi "+s.cfg.Version, time.Now())
	if err != nil {
		return nil, err
	}
	signed, err := ballot.Sign(bundle, s.cfg.Keys.Sign)
	if err != nil {
		return nil, err
	}
	return &store.CountFinish{Tally: t, Signed: signed, Receipts: plan.Receipts()}, nil
}

// splitShares cuts the tellers' public shares into one per teller.
func splitShares(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= elgamal.PointSize {
		out, b = append(out, b[:elgamal.PointSize]), b[elgamal.PointSize:]
	}
	return out
}
