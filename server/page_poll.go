package server

import (
	"crypto/rand"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/records"
)

// shownBatches is how many token batches a poll's page lists when it has many.
const shownBatches = 30

func (s *Server) pollPage(c *fiber.Ctx) error {
	p := pollOf(c)
	tv, err := s.turnout(c.UserContext(), p)
	if err != nil {
		return err
	}
	batches, err := s.store.Batches(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	// A survey's bulk issue makes a batch a group, hundreds at once: the page lists the
	// latest unless asked for all, and says how many it left out.
	earlier := 0
	if c.Query("batches") != "all" && len(batches) > shownBatches+10 {
		earlier = len(batches) - shownBatches
		batches = batches[earlier:]
	}
	base, local := s.baseURL(c.BaseURL())
	issue := issueChoices(tv)
	due := 0
	for _, ic := range issue {
		due += ic.Due
	}
	next, err := s.store.NextRounds(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	hasRec := false
	for _, f := range p.Forms {
		hasRec = hasRec || f.Recommendation != nil
	}
	screenKey, err := s.store.ExistingScreenKey(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	closeAt, err := s.store.CloseAt(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	filed, err := s.store.PollEntries(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var register []records.Cadre
	cadreName := map[string]string{}
	if len(filed) > 0 {
		if register, err = s.store.Cadres(c.UserContext(), p.UnitID); err != nil {
			return err
		}
		for _, cd := range register {
			cadreName[cd.ID] = tr(c, "%s（%s）", cd.Name, cd.Post)
		}
	}
	log, err := s.store.PollAudit(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	ownKey, ownStarted, err := s.ownKeyNote(c, p)
	if err != nil {
		return err
	}
	ceremony := ""
	if len(p.Tellers) > 0 && p.State == ballot.Draft {
		v, err := s.ceremonyView(c, p)
		if err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		ceremony = string(b)
	}
	for i := range batches {
		batches[i].Hint = latinPunct(pr(c), batches[i].Hint)
	}
	for i := range log {
		// the system's own name for itself is said in the page's language; people's names are data
		log[i].ActorName = latinPunct(pr(c), pr(c).Known(log[i].ActorName))
	}
	me := meOf(c)
	return s.page(c, fiber.StatusOK, "staff/poll", fiber.Map{
		"OwnKey": ownKey, "OwnKeyStarted": ownStarted, "Ceremony": ceremony,
		"ScreenKey": screenKey, "Audit": auditLinesIn(pr(c), log), "CloseAt": closeAt, "Filed": len(filed), "Entries": filed, "Register": register, "CadreName": cadreName,
		"NextRounds": next, "CanNextRound": hasRec && p.State == "counted" && canManage(me),
		"Title": p.Title, "Poll": p, "Turnout": tv.Groups, "Regions": tv.Regions, "Total": tv.Total, "Needed": tv.Needed,
		"Batches": batches, "EarlierBatches": earlier, "Warnings": pollWarnings(pr(c), &p.Poll), "StateLabels": stateLabels(pr(c)), "CanManage": canManage(me), "ContactMax": ballot.MaxContact, "CanCount": canCount(me),
		"BaseURL": base, "LocalBase": local, "MaxBatch": MaxBatch, "Issue": issue, "IssueKey": rand.Text(),
		"DueAll": due, "MaxIssueAll": MaxIssueAll,
		"Codes": codesFormOf(issue),
	})
}

// pollPreview shows the ballot exactly as voters will see it, without a way to submit.
func (s *Server) pollPreview(c *fiber.Ctx) error {
	p := pollOf(c)
	return s.renderBallot(c, fiber.StatusOK, ballotView{Poll: p, GroupName: tr(c, "（预览）"), Preview: true})
}

// pollWarnings are the poll's warnings in the reader's language.
func pollWarnings(p *i18n.Printer, poll *ballot.Poll) []string {
	var out []string
	for _, e := range poll.Notices() {
		out = append(out, ballot.SayError(p, e))
	}
	return out
}

// stateLabels are the states' names in the reader's language, for a page's script that
// learns of a new state from the shared live stream (which speaks Chinese).
func stateLabels(p *i18n.Printer) string {
	m := map[string]string{}
	for _, st := range []ballot.State{ballot.Draft, ballot.Open, ballot.Closed, ballot.Counted} {
		m[string(st)] = p.T(st.Label())
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// latinPunct writes the Chinese brackets and ellipsis the system put into kept data (an
// actor's name "张三（zhangsan）", a batch's "ABCD…WXYZ") the Latin way on a page that is
// not Chinese; the data itself, logged and chained, stays as it was written.
func latinPunct(p *i18n.Printer, s string) string {
	if p.Lang() == i18n.Zh {
		return s
	}
	return latinPunctuation.Replace(s)
}

var latinPunctuation = strings.NewReplacer("（", " (", "）", ")", "…", "...")
