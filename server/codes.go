package server

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/store"
)

// A bulk issue (批量生成凭证码) makes up to a million codes for a survey's many groups in
// one download, written as the codes are drawn: the CSV for mail merge and SMS, or a ZIP
// of that CSV and the slips as PDFs of at most 2,000 each. The download is the one copy
// of the codes. Its tokens are stored in one transaction that commits just before the
// download's last bytes: a download the server could not write to its end issues
// nothing (no code in its part can vote, nothing is left to void), and a download cut
// short by a failed commit ends without its end, so no client takes it for whole.

// codesOrder is a bulk issue as the poll page's form or the API asks for it: counts per
// group, or the same count for every group, or (neither) each group's remaining by 应到.
type codesOrder struct {
	Groups   []codesGroup
	PerGroup *int
	Format   string // csv (default) or zip
	Key      string
}

type codesGroup struct {
	GroupID string `json:"group_id"`
	Count   int    `json:"count"`
}

// codesTimeout bounds one bulk download, the PDFs of a million slips included.
const codesTimeout = 2 * time.Hour

// planCodes turns an order into each group's share, refusing what cannot be issued
// before anything is drawn, while the answer can still be an error page.
func (s *Server) planCodes(c *fiber.Ctx, p *store.PollInfo, o codesOrder) ([]ballot.CodeShare, error) {
	if p.State != ballot.Draft && p.State != ballot.Open {
		return nil, ballot.Errorf(ballot.ECONFLICT, "投票已结束，不能再发放凭证")
	}
	switch o.Format {
	case "", "csv", "zip":
	default:
		return nil, ballot.Errorf(ballot.EINVALID, "不支持的格式“%s”，可选 csv（凭证清单）或 zip（凭证清单和 PDF 切割单）", o.Format)
	}
	var shares []ballot.CodeShare
	switch {
	case len(o.Groups) > 0:
		if o.PerGroup != nil {
			return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的数量和统一数量只能填写一种")
		}
		for _, g := range o.Groups {
			if _, ok := p.Group(g.GroupID); !ok {
				return nil, ballot.Errorf(ballot.EINVALID, "参评类别“%s”不存在，请核对参评类别编号", g.GroupID)
			}
			shares = append(shares, ballot.CodeShare{Group: g.GroupID, Count: g.Count})
		}
	case o.PerGroup != nil:
		if *o.PerGroup < 1 {
			return nil, ballot.Errorf(ballot.EINVALID, "每个参评类别的凭证数量应在1到%d之间", ballot.MaxCodes)
		}
		for _, g := range p.Groups {
			shares = append(shares, ballot.CodeShare{Group: g.ID, Count: *o.PerGroup})
		}
	default:
		due, err := s.slipsDue(c, p)
		if err != nil {
			return nil, err
		}
		for _, g := range p.Groups {
			if due[g.ID] > 0 {
				shares = append(shares, ballot.CodeShare{Group: g.ID, Count: due[g.ID]})
			}
		}
		if len(shares) == 0 {
			return nil, ballot.Errorf(ballot.EINVALID, "各参评类别的凭证都已按应到人数发齐。如需多发，请填写每个参评类别的数量")
		}
	}
	if err := ballot.CheckCodeShares(shares); err != nil {
		return nil, err
	}
	total := 0
	for _, sh := range shares {
		total += sh.Count
	}
	return shares, s.checkCountSize(c, p, 0, total)
}

// issueCodes is the one action behind the page's form and the API: it plans the issue,
// makes its batches, and hands the connection to the download.
func (s *Server) issueCodes(c *fiber.Ctx, p *store.PollInfo, o codesOrder) error {
	key := strings.TrimSpace(o.Key)
	if err := s.repeated(c, p, key, nil); err != nil {
		return err
	}
	shares, err := s.planCodes(c, p, o)
	if err != nil {
		return err
	}
	// One bulk issue at a time on an instance: each holds a transaction, both cores and
	// up to a few hundred MB while its slips print.
	if !s.bulk.CompareAndSwap(false, true) {
		return ballot.Errorf(ballot.ECONFLICT, "本服务器正在生成另一批凭证码，请等其下载结束后再试")
	}
	handed := false
	defer func() {
		if !handed {
			s.bulk.Store(false)
		}
	}()
	seed, err := ballot.NewCodeSeed()
	if err != nil {
		return err
	}
	// The download outlives the handler: its context is the instance's, not the request's.
	ctx, cancel := context.WithTimeout(context.Background(), codesTimeout)
	me := meOf(c)
	run, err := s.store.BeginCodeRun(ctx, p.ID, key, me.ID, shares)
	if err != nil {
		cancel()
		return s.repeated(c, p, key, err)
	}
	base, _ := s.baseURL(c.BaseURL())
	d := &codesDownload{s: s, poll: *p, base: base, shares: shares, seed: seed, zip: o.Format == "zip", run: run,
		actor: me.ID, actorName: me.Name + "（" + me.Username + "）", key: key, say: pr(c)}
	total := 0
	for _, sh := range shares {
		total += sh.Count
	}
	name := tr(c, "%s_凭证码_%s个", report.Clip(p.Title, 20), strconv.Itoa(total))
	c.Set("Content-Type", "text/csv; charset=utf-8")
	if d.zip {
		name += ".zip"
		c.Set("Content-Type", "application/zip")
	} else {
		name += ".csv"
	}
	c.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	c.Set("Cache-Control", "no-store")
	c.Set("X-Accel-Buffering", "no")
	c.Set("X-Codes-Count", strconv.Itoa(total))
	head := []byte("HTTP/1.1 200 OK\r\n")
	c.Response().Header.VisitAll(func(k, v []byte) {
		switch strings.ToLower(string(k)) {
		case "content-length", "transfer-encoding", "connection":
			return
		}
		head = append(append(append(append(head, k...), ": "...), v...), "\r\n"...)
	})
	head = append(head, "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"...)
	c.Context().HijackSetNoResponse(true)
	handed = true
	c.Context().Hijack(func(conn net.Conn) {
		defer s.bulk.Store(false)
		defer cancel()
		go func() {
			select {
			case <-s.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		d.serve(ctx, conn, head)
	})
	return nil
}

// codesDownload is one bulk issue being written to its connection.
type codesDownload struct {
	s                *Server
	poll             store.PollInfo
	base             string
	shares           []ballot.CodeShare
	seed             ballot.CodeSeed
	zip              bool
	run              *store.CodeRun
	actor, actorName string
	key              string
	say              *i18n.Printer // the organizer's language: the list's header, the files' names, the slips
}

// serve writes the download and commits its tokens just before the end; on any failure
// the tokens are rolled back and the connection closed without the chunked body's end.
func (d *codesDownload) serve(ctx context.Context, conn net.Conn, head []byte) {
	cw := &chunkedConn{conn: conn}
	written, err := d.write(ctx, cw, head)
	total := 0
	for _, sh := range d.shares {
		total += sh.Count
	}
	detail := map[string]string{"count": strconv.Itoa(total), "groups": strconv.Itoa(len(d.shares)), "format": map[bool]string{true: "zip", false: "csv"}[d.zip]}
	if err != nil {
		d.run.Abort()
		conn.Close()
		d.s.log.Warn("bulk issue not delivered: nothing issued", "poll", d.poll.ID, "codes", total, "bytes", written, "err", err)
		detail["bytes"] = strconv.FormatInt(written, 10)
		d.s.auditAs(context.Background(), d.actor, d.actorName, d.poll.ID, "codes.broken", detail)
		return
	}
	conn.Close()
	d.s.auditAs(context.Background(), d.actor, d.actorName, d.poll.ID, "codes.issue", detail)
	if d.poll.State == ballot.Open {
		d.s.drawSlots(context.Background(), &d.poll)
	}
}

// write writes the whole body, committing the tokens before its last chunk.
func (d *codesDownload) write(ctx context.Context, cw *chunkedConn, head []byte) (int64, error) {
	if err := cw.raw(head); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(cw, 64<<10)
	var z *zip.Writer
	var csvOut io.Writer = bw
	if d.zip {
		z = zip.NewWriter(bw)
		f, err := z.Create(d.say.T("凭证清单.csv"))
		if err != nil {
			return cw.n, err
		}
		csvOut = f
	}
	list, err := report.NewCodeList(csvOut, d.base, d.say)
	if err != nil {
		return cw.n, err
	}
	hints, err := d.issue(ctx, list)
	if err != nil {
		return cw.n, err
	}
	// The copy ends here, so a hash drawn twice or a lost database is found before the
	// slips are printed, not after.
	if err := d.run.Copied(ctx, hints); err != nil {
		return cw.n, err
	}
	if d.zip {
		if err := d.slips(ctx, z, hints); err != nil {
			return cw.n, err
		}
	}
	if err := d.run.Commit(ctx); err != nil {
		return cw.n, err
	}
	if z != nil {
		if err := z.Close(); err != nil {
			return cw.n, err
		}
	}
	if err := bw.Flush(); err != nil {
		return cw.n, err
	}
	// Issued: the instance may take the next bulk issue before this one's last chunk
	// reaches its client, who may ask for the next as soon as it does.
	d.s.bulk.Store(false)
	return cw.n, cw.raw([]byte("0\r\n\r\n"))
}

// inOrder draws the codes of every part from the seed, in order, has work done on each
// part on every core, and hands the parts to use in the order they were drawn; at most
// ahead parts wait for use. Both the list and the slips go this way, so the slips print
// the very codes the list holds.
func inOrder[R any](ctx context.Context, seed ballot.CodeSeed, parts []ballot.CodePart, ahead int,
	work func(ballot.CodePart, []ballot.Token) R, use func(ballot.CodePart, []ballot.Token, R) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		part ballot.CodePart
		toks []ballot.Token
		out  R
		done chan struct{}
	}
	jobs, order := make(chan *job, ahead), make(chan *job, ahead)
	go func() { // drawing is sequential: the stream's order is the download's order
		defer close(jobs)
		defer close(order)
		stream := seed.Stream()
		for _, pt := range parts {
			j := &job{part: pt, toks: make([]ballot.Token, pt.Count), done: make(chan struct{})}
			for i := range j.toks {
				j.toks[i] = stream.Next()
			}
			select {
			case order <- j:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for j := range jobs {
				j.out = work(j.part, j.toks)
				close(j.done)
			}
		}()
	}
	for j := range order {
		select {
		case <-j.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := use(j.part, j.toks, j.out); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// issue draws every code in order, hashes them on every core, copies the hashes in and
// writes the codes to the list, one part at a time. It returns each group's hint.
func (d *codesDownload) issue(ctx context.Context, list *report.CodeList) (map[string]string, error) {
	key := d.s.cfg.Keys.Token
	names := d.groupNames()
	first, last := map[string]ballot.Token{}, map[string]ballot.Token{}
	hash := func(_ ballot.CodePart, toks []ballot.Token) [][]byte {
		hashes := make([][]byte, len(toks))
		for i, t := range toks {
			hashes[i] = key.Hash(t)
		}
		return hashes
	}
	err := inOrder(ctx, d.seed, ballot.CodeParts(d.shares), 2*runtime.GOMAXPROCS(0), hash, func(pt ballot.CodePart, toks []ballot.Token, hashes [][]byte) error {
		if err := d.run.Add(pt.Group, hashes); err != nil {
			return err
		}
		if err := list.Write(names[pt.Group], toks); err != nil {
			return err
		}
		if pt.From == 0 {
			first[pt.Group] = toks[0]
		}
		last[pt.Group] = toks[len(toks)-1]
		return nil
	})
	if err != nil {
		return nil, err
	}
	hints := map[string]string{}
	for g, t := range first {
		hints[g] = ballot.BatchHint([]ballot.Token{t, last[g]})
	}
	return hints, nil
}

// printed is one part's PDF, or why it could not be printed.
type printed struct {
	pdf []byte
	err error
}

// slips draws the same codes again from the seed and prints them, one PDF a part, the
// parts printed on every core and written in order.
func (d *codesDownload) slips(ctx context.Context, z *zip.Writer, hints map[string]string) error {
	names := d.groupNames()
	counts := map[string]int{}
	for _, sh := range d.shares {
		counts[sh.Group] = sh.Count
	}
	printer := report.Printer{FontPath: d.s.cfg.FontPath, P: d.say}
	print := func(pt ballot.CodePart, toks []ballot.Token) printed {
		pdf, err := printer.Slips(&report.SlipBatch{Title: d.poll.Title, Group: names[pt.Group], Base: d.base, Tokens: toks,
			Hint: hints[pt.Group], First: pt.From, Total: counts[pt.Group]})
		return printed{pdf, err}
	}
	i := 0
	return inOrder(ctx, d.seed, ballot.CodeParts(d.shares), runtime.GOMAXPROCS(0), print, func(pt ballot.CodePart, _ []ballot.Token, p printed) error {
		if p.err != nil {
			return p.err
		}
		i++
		// numbers as text: a file's name is not grouped in thousands in English
		name := d.say.T("切割单/%s_%s_第%s-%s张.pdf", fmt.Sprintf("%04d", i), fileSafe(names[pt.Group]), strconv.Itoa(pt.From+1), strconv.Itoa(pt.From+pt.Count))
		// A PDF's QR images are compressed already: stored, not deflated again.
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now()})
		if err != nil {
			return err
		}
		_, err = f.Write(p.pdf)
		return err
	})
}

func (d *codesDownload) groupNames() map[string]string {
	names := map[string]string{}
	for _, g := range d.poll.Groups {
		names[g.ID] = g.Name
	}
	return names
}

// fileSafe keeps a group's name from making a folder or an odd file name in the ZIP.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, report.Clip(s, 30))
}

// chunkedConn writes HTTP/1.1 chunks straight to a taken-over connection, each write
// with its own deadline: a reader who stopped reading is dropped after streamWriteTimeout,
// yet the download may run for many minutes.
type chunkedConn struct {
	conn net.Conn
	n    int64 // bytes of body written
}

func (w *chunkedConn) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	bufs := net.Buffers{[]byte(strconv.FormatInt(int64(len(b)), 16) + "\r\n"), b, []byte("\r\n")}
	w.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := bufs.WriteTo(w.conn); err != nil {
		return 0, err
	}
	w.n += int64(len(b))
	return len(b), nil
}

func (w *chunkedConn) raw(b []byte) error {
	w.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	_, err := w.conn.Write(b)
	return err
}

// codesForm is what the poll page's bulk issue form shows: the codes a blank form would
// issue, the cap, and the form's own key.
type codesForm struct {
	Groups, Due, Max int
	Key              string
}

func codesFormOf(issue []issueChoice) codesForm {
	f := codesForm{Groups: len(issue), Max: ballot.MaxCodes, Key: rand.Text()}
	for _, c := range issue {
		f.Due += c.Due
	}
	return f
}

// codesIssue is the poll page's bulk issue form: one count for every group, or left
// blank for each group's remaining by 应到. Posted again, it shows what the first post
// issued, as the slips' form does.
func (s *Server) codesIssue(c *fiber.Ctx) error {
	o := codesOrder{Format: c.FormValue("format"), Key: c.FormValue("issue_key")}
	if v := strings.TrimSpace(c.FormValue("per_group")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return ballot.Errorf(ballot.EINVALID, "每个参评类别的凭证数量“%s”不是正整数；留空则按应到人数补足", v)
		}
		o.PerGroup = &n
	}
	p := pollOf(c)
	if err := s.issueCodes(c, p, o); err != nil {
		return s.issuedAgain(c, p, err)
	}
	return nil
}

// apiCodesIssue is the bulk issue for scripts: {groups: [{group_id, count}]} or
// {per_group: n} or neither, format csv or zip, and an Idempotency-Key.
func (s *Server) apiCodesIssue(c *fiber.Ctx) error {
	var in struct {
		Groups   []codesGroup `json:"groups"`
		PerGroup *int         `json:"per_group"`
		Format   string       `json:"format"`
		Key      string       `json:"idempotency_key"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if k := c.Get("Idempotency-Key"); k != "" {
		in.Key = k
	}
	return s.issueCodes(c, pollOf(c), codesOrder{Groups: in.Groups, PerGroup: in.PerGroup, Format: in.Format, Key: in.Key})
}
