package server

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/store"
)

// MaxIssueAll is the most slips the one-click issue for every group makes in one PDF:
// 10,000 slips took 225 MB at peak and 5,000 of four groups 145 MB (docs/PERFORMANCE.md).
const MaxIssueAll = 5000

// groupCount is one group's share of an issue.
type groupCount struct {
	Group ballot.Group
	Count int
}

// issuedBatch is a batch just stored, with the tokens that exist nowhere else.
type issuedBatch struct {
	ID     string
	Group  ballot.Group
	Tokens []ballot.Token
	Hint   string
}

// repeatedError is a second post of an issuing form: nothing was issued, and batches are
// what the first post issued (its download holds their tokens).
type repeatedError struct{ batches []store.Batch }

func (e *repeatedError) Error() string { return e.Unwrap().Error() }

func (e *repeatedError) Unwrap() error {
	return ballot.Errorf(ballot.EREPEATED, "这批凭证已生成，请勿重复提交。第一次提交的下载文件中就是这批凭证（%s）；如果该文件已丢失，请作废这批凭证后重新生成。", batchNames(e.batches))
}

// batchNames are the batches of a repeated post as an argument of its error: said in the
// reader's language (errText), in Chinese wherever the error is printed.
type batchNames []store.Batch

func (bs batchNames) String() string { return bs.Say(i18n.For(i18n.Zh)) }

// Say names each batch: 职工代表，40 张，ABCD…WXYZ；…
func (bs batchNames) Say(p *i18n.Printer) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = batchNameIn(p, b.GroupName, b.Count, b.Hint)
	}
	return strings.Join(parts, p.T("；"))
}

// batchNameIn names a batch as organizers do (职工代表，40 张，ABCD…WXYZ), in p's language.
func batchNameIn(p *i18n.Printer, group string, count int, hint string) string {
	if hint != "" {
		return p.T("%s，%d 张，%s", group, count, hint)
	}
	return p.T("%s，%d 张", group, count)
}

// slipsDue is how many slips each group of the poll still needs, by group id.
func (s *Server) slipsDue(c *fiber.Ctx, p *store.PollInfo) (map[string]int, error) {
	tu, err := s.store.Turnout(c.UserContext(), p.ID)
	if err != nil {
		return nil, err
	}
	by := map[string]ballot.Turnout{}
	for _, t := range tu {
		by[t.Group] = t
	}
	due := map[string]int{}
	for _, g := range p.Groups {
		due[g.ID] = ballot.SlipsDue(g.Expected, by[g.ID])
	}
	return due, nil
}

// oneGroup reads the group and count of an issue; a count left blank (or 0 from the API)
// is what the group still needs, so the number can never be another group's.
func (s *Server) oneGroup(c *fiber.Ctx, p *store.PollInfo, groupID string, count int) ([]groupCount, error) {
	g, ok := p.Group(groupID)
	if !ok {
		return nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	if count == 0 {
		due, err := s.slipsDue(c, p)
		if err != nil {
			return nil, err
		}
		if count = due[g.ID]; count == 0 {
			return nil, ballot.Errorf(ballot.EINVALID, "“%s”的凭证已按应到人数（%d 人）发齐。如需多发，请填写数量", g.Name, g.Expected)
		}
	}
	return []groupCount{{g, count}}, nil
}

// allGroups is every group's remaining slips, for the one-click issue.
func (s *Server) allGroups(c *fiber.Ctx, p *store.PollInfo) ([]groupCount, error) {
	due, err := s.slipsDue(c, p)
	if err != nil {
		return nil, err
	}
	var out []groupCount
	total := 0
	for _, g := range p.Groups {
		if n := due[g.ID]; n > 0 {
			out = append(out, groupCount{g, n})
			total += n
		}
	}
	if len(out) == 0 {
		return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的凭证都已按应到人数发齐，无需再生成")
	}
	if total > MaxIssueAll {
		return nil, ballot.Errorf(ballot.EINVALID, "共需 %d 张凭证，一次最多生成 %d 张，请按参评类别分别生成", total, MaxIssueAll)
	}
	return out, nil
}

// issueBatches draws the tokens of each group, renders them as slips in the format asked
// ("" for none; several groups make one PDF), and only then stores the hashes, all
// groups or none, so a failure in between leaves no orphan tokens behind. key is the
// issuing form's idempotency key ("" for none): a key that issued before issues nothing.
func (s *Server) issueBatches(c *fiber.Ctx, p *store.PollInfo, want []groupCount, key, format string) ([]issuedBatch, *slipFile, error) {
	key = strings.TrimSpace(key)
	if err := s.repeated(c, p, key, nil); err != nil {
		return nil, nil, err
	}
	more := 0
	for _, w := range want {
		more += w.Count
	}
	if err := s.checkCountSize(c, p, 0, more); err != nil {
		return nil, nil, err
	}
	out := make([]issuedBatch, len(want))
	news := make([]store.NewBatch, len(want))
	for i, w := range want {
		if w.Count < 1 || w.Count > MaxBatch {
			return nil, nil, ballot.Errorf(ballot.EINVALID, "每批凭证数量应在1到%d之间", MaxBatch)
		}
		toks, hashes, err := s.drawTokens(p, w.Group.ID, w.Count)
		if err != nil {
			return nil, nil, err
		}
		hint := ballot.BatchHint(toks)
		out[i] = issuedBatch{Group: w.Group, Tokens: toks, Hint: hint}
		news[i] = store.NewBatch{GroupID: w.Group.ID, Hashes: hashes, Hint: hint}
	}
	var file *slipFile
	if format != "" {
		var err error
		if file, err = s.slips(c, p, out, format); err != nil {
			return nil, nil, err
		}
	}
	ids, err := s.store.IssueBatches(c.UserContext(), p.ID, key, meOf(c).ID, news)
	if err != nil {
		return nil, nil, s.repeated(c, p, key, err)
	}
	if p.State == ballot.Open {
		s.drawSlots(c.UserContext(), p)
	}
	for i := range out {
		out[i].ID = ids[i]
		s.audit(c, p.ID, "tokens.issue", map[string]string{"group": out[i].Group.Name, "count": strconv.Itoa(len(out[i].Tokens)), "hint": out[i].Hint, "batch": ids[i]})
	}
	return out, file, nil
}

// repeated answers a post whose key issued before with what it issued; err is the
// store's answer (nil before trying), returned as it is when it is no repeat.
func (s *Server) repeated(c *fiber.Ctx, p *store.PollInfo, key string, err error) error {
	if err != nil && ballot.ErrorCode(err) != ballot.EREPEATED || key == "" {
		return err // no key, no batches to look up: a keyless issue can never repeat
	}
	prior, qerr := s.store.BatchesByKey(c.UserContext(), p.ID, key)
	if qerr != nil {
		return qerr
	}
	if len(prior) > 0 {
		return &repeatedError{prior}
	}
	return err
}

// issueBatch issues one batch for a group, without a key (a replacement slip).
func (s *Server) issueBatch(c *fiber.Ctx, p *store.PollInfo, groupID string, count int, format string) (string, []ballot.Token, *slipFile, error) {
	g, ok := p.Group(groupID)
	if !ok {
		return "", nil, nil, ballot.Errorf(ballot.EINVALID, "请选择参评类别")
	}
	out, file, err := s.issueBatches(c, p, []groupCount{{g, count}}, "", format)
	if err != nil {
		return "", nil, nil, err
	}
	return out[0].ID, out[0].Tokens, file, nil
}

// slips renders batches as a PDF of cut-out slips or, for one batch, a ZIP of QR images.
func (s *Server) slips(c *fiber.Ctx, p *store.PollInfo, batches []issuedBatch, format string) (*slipFile, error) {
	base, _ := s.baseURL(c.BaseURL())
	bs := make([]*report.SlipBatch, len(batches))
	total := 0
	for i, b := range batches {
		bs[i] = &report.SlipBatch{Title: p.Title, Group: b.Group.Name, Base: base, Tokens: b.Tokens, Hint: b.Hint}
		total += len(b.Tokens)
	}
	// numbers as text: a file's name is not grouped in thousands in English
	name := tr(c, "%s_%s_%s张", report.Clip(p.Title, 20), batches[0].Group.Name, strconv.Itoa(total))
	if len(batches) > 1 {
		name = tr(c, "%s_全部参评类别_%s张", report.Clip(p.Title, 20), strconv.Itoa(total))
		if format != "pdf" {
			return nil, ballot.Errorf(ballot.EINVALID, "一次生成全部参评类别的凭证只提供 PDF 格式")
		}
	}
	var pdf []byte
	if format == "pdf" || format == "both" {
		var err error
		if pdf, err = s.printerIn(c).Slips(bs...); err != nil {
			return nil, err
		}
	}
	switch format {
	case "pdf":
		return &slipFile{name: name + ".pdf", contentType: "application/pdf", body: pdf}, nil
	case "zip", "both":
		body, err := s.printerIn(c).SlipsZIP(bs[0], pdf)
		return &slipFile{name: name + ".zip", contentType: "application/zip", body: body}, err
	}
	return nil, ballot.Errorf(ballot.EINVALID, "不支持的格式“%s”，可选 pdf、zip 或 both", format)
}

// tokensIssue issues slips from the poll page's form, for one group or (the 一键 button)
// for every group's remaining, and answers with the slips to print: the only time the
// tokens exist outside the voters' hands. A second post of the same form gets a page
// saying what the first issued and how to void it if its download was lost.
func (s *Server) tokensIssue(c *fiber.Ctx) error {
	p := pollOf(c)
	file, err := s.issueFromForm(c, p)
	if err != nil {
		return s.issuedAgain(c, p, err)
	}
	return file.send(c)
}

// issuedAgain answers a second post of an issuing form (slips or codes) with the page of
// what the first issued, where a lost download's batch can be voided; other errors pass.
func (s *Server) issuedAgain(c *fiber.Ctx, p *store.PollInfo, err error) error {
	var rep *repeatedError
	if errors.As(err, &rep) && !isAPI(c) {
		return s.page(c, fiber.StatusConflict, "staff/issued", fiber.Map{"Title": tr(c, "凭证已生成 · %s", p.Title), "Poll": p, "Batches": rep.batches,
			"CanVoid": p.State == ballot.Draft || p.State == ballot.Open})
	}
	return err
}

// issueFromForm reads the issuing form and issues what it asks.
func (s *Server) issueFromForm(c *fiber.Ctx, p *store.PollInfo) (*slipFile, error) {
	// The key first: a second post of a form whose number was left blank would otherwise
	// be told its group is served, not where its slips are.
	key := strings.TrimSpace(c.FormValue("issue_key"))
	if err := s.repeated(c, p, key, nil); err != nil {
		return nil, err
	}
	var want []groupCount
	var err error
	format := c.FormValue("format", "pdf")
	if c.FormValue("all") != "" {
		want, err = s.allGroups(c, p)
		format = "pdf"
	} else {
		count := 0
		if v := strings.TrimSpace(c.FormValue("count")); v != "" {
			if count, err = strconv.Atoi(v); err != nil || count < 1 {
				return nil, ballot.Errorf(ballot.EINVALID, "凭证数量“%s”不是正整数；留空则按应到人数补足", v)
			}
		}
		want, err = s.oneGroup(c, p, c.FormValue("group_id"), count)
	}
	if err != nil {
		return nil, err
	}
	_, file, err := s.issueBatches(c, p, want, key, format)
	return file, err
}

// issueChoice is a group as the issuing form offers it, with the slips it still needs.
type issueChoice struct {
	ID, Name         string
	Expected, Issued int
	Due              int
	Selected         bool
}

// issueChoices lists the groups for the issuing form; the first with slips due comes
// selected, so the form's number is never another group's.
func issueChoices(tv turnoutView) []issueChoice {
	out := make([]issueChoice, len(tv.Groups))
	chosen := false
	for i, g := range tv.Groups {
		out[i] = issueChoice{ID: g.ID, Name: g.Name, Expected: g.Expected, Issued: g.Issued,
			Due: ballot.SlipsDue(g.Expected, ballot.Turnout{Issued: g.Issued})}
		if !chosen && out[i].Due > 0 {
			out[i].Selected, chosen = true, true
		}
	}
	return out
}
