package server

import (
	"archive/zip"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"minyi/ballot"
	"minyi/report"
)

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
