package server

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/report"
	"minyi/store"
)

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
	// Released once, by whichever end comes first: a second release after the next bulk
	// issue has taken the instance would let a third run beside it.
	release := sync.OnceFunc(func() { s.bulk.Store(false) })
	handed := false
	defer func() {
		if !handed {
			release()
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
		actor: me.ID, actorName: me.Name + "（" + me.Username + "）", key: key, say: pr(c), release: release}
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
	head := rawHead(c, "Transfer-Encoding: chunked\r\nConnection: close\r\n")
	c.Context().HijackSetNoResponse(true)
	handed = true
	c.Context().Hijack(func(conn net.Conn) {
		defer release()
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
