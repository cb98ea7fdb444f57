package store_test

import (
	"crypto/rand"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
	"minyi/store/dbtest"
)

// BenchmarkCloseQuietHall closes a poll of 2,000 six-subject ballots each cast in a
// batch of its own, as in a quiet hall: with every batch's row left for the close
// (rows), and with the rows folded while the poll is open, as a server does each
// poolCheck (folded). The timed part is the close (budget: under a second); fold-ms is
// the time all the folds took while voting went on, off the vote path.
//
//	go test -run '^$' -bench CloseQuietHall -benchtime 1x ./store/
func BenchmarkCloseQuietHall(b *testing.B) {
	for _, fold := range []bool{false, true} {
		name := "rows"
		if fold {
			name = "folded"
		}
		b.Run(name, func(b *testing.B) { benchCloseQuietHall(b, 2000, 6, fold) })
	}
}

func benchCloseQuietHall(b *testing.B, voters, subjects int, fold bool) {
	var folding, closing, counting time.Duration
	var rowsAtClose int
	b.StopTimer()
	for range b.N {
		s := dbtest.New(b)
		s.SetSumsKey(foldKey)
		u, err := s.CreateUnit(ctx, "某某区委组织部")
		if err != nil {
			b.Fatal(err)
		}
		ev := &ballot.Evaluation{}
		for i := range subjects {
			ev.Subjects = append(ev.Subjects, ballot.Subject{Name: fmt.Sprintf("干部%d", i+1), Post: "科长"})
		}
		p := &ballot.Poll{UnitID: u.ID, Title: "年度民主测评", Groups: []ballot.Group{{Name: "职工代表", Expected: voters}},
			Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: ev}}}
		p.Normalize()
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
		if err := s.CreatePoll(ctx, p, ""); err != nil {
			b.Fatal(err)
		}
		g := p.Groups[0].ID
		d := elgamal.Deal(1, 1, rand.Reader)
		public := elgamal.JointKey([][]group.Element{d.Commitments}).Bytes()
		k, err := ballot.NewBoxKey(p, public)
		if err != nil {
			b.Fatal(err)
		}
		hs := hashes(voters)
		if _, err := s.IssueTokens(ctx, p.ID, g, hs, ""); err != nil {
			b.Fatal(err)
		}
		if err := s.OpenPoll(ctx, p.ID, store.BoxHomomorphic, public, nil, nil); err != nil {
			b.Fatal(err)
		}
		if err := s.EnsureSlots(ctx, p.ID, k.Size()); err != nil {
			b.Fatal(err)
		}
		lines := map[string][]string{}
		for _, sub := range ev.Subjects {
			lines[sub.ID] = []string{"称职"}
		}
		bl := ballot.Ballot{Forms: []ballot.FilledForm{{Form: p.Forms[0].ID, Lines: lines}}}
		cells, texts, err := p.Marks(g, &bl)
		if err != nil {
			b.Fatal(err)
		}
		for i, h := range hs {
			sealed, o, err := k.EncryptOpening(k.Prepare(g, rand.Reader), cells, texts)
			if err != nil {
				b.Fatal(err)
			}
			it := item(h, p.ID, g, sealed)
			it.PollKey, it.Opening = public, o
			if err := s.Cast(ctx, it); err != nil {
				b.Fatal(err)
			}
			// A server folds each poolCheck; a vote a second or two in a quiet hall
			// leaves a few rows between folds.
			if fold && i%4 == 3 {
				start := time.Now()
				if _, err := s.FoldOpenSums(ctx, p.ID, 32, 512); err != nil {
					b.Fatal(err)
				}
				folding += time.Since(start)
			}
		}
		rs, err := s.SumsRows(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		rowsAtClose += len(rs)
		b.StartTimer()
		start := time.Now()
		if err := s.ClosePoll(ctx, p.ID); err != nil {
			b.Fatal(err)
		}
		closing += time.Since(start)
		b.StopTimer()
		err = s.CountBox(ctx, p.ID, k, func(in *store.CountInput, plan *ballot.BoxPlan, box iter.Seq2[ballot.SealedBallot, error]) error {
			start := time.Now()
			sums, _, err := plan.Sum(box, in.Turnout, foldKey, in.Sums, in.Closes)
			counting += time.Since(start)
			if err != nil {
				return err
			}
			if sums.Checked != 0 || len(sums.Notes) != 0 || plan.Len() != voters {
				b.Fatalf("%d of %d ballots checked one by one, notes %q", sums.Checked, plan.Len(), sums.Notes)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(closing.Milliseconds())/n, "close-ms")
	b.ReportMetric(float64(counting.Milliseconds())/n, "sumkept-ms")
	b.ReportMetric(float64(folding.Milliseconds())/n, "fold-ms")
	b.ReportMetric(float64(rowsAtClose)/n, "rows")
}
