package server

import (
	"archive/zip"
	"bufio"
	"context"
	"io"
	"net"
	"strconv"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/report"
	"minyi/store"
)

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
	release          func()        // lets the instance take the next bulk issue
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
		// Rolled back, so the instance is free before anything says the download broke
		// (the log, the poll's audit entry, the connection's end): an organizer who tries
		// again at once is not told another issue is running.
		d.release()
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
	d.release()
	return cw.n, cw.raw([]byte("0\r\n\r\n"))
}
