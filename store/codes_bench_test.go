package store_test

import (
	"testing"
	"time"

	"minyi/ballot"
	"minyi/store"
	"minyi/store/dbtest"
)

// BenchmarkIssueRows stores 100,000 tokens' hashes of one group in one transaction, as a
// bulk issue does: streamed in with COPY (CodeRun), and as the 2,000-row batches of the
// poll page's issue, each one INSERT … SELECT FROM unnest (IssueBatches). rows/s is the
// figure; the hashes are drawn before the clock starts.
//
//	go test -run '^$' -bench IssueRows -benchtime 1x ./store/
func BenchmarkIssueRows(b *testing.B) {
	const n = 100000
	for _, how := range []string{"copy", "unnest"} {
		b.Run(how, func(b *testing.B) {
			var took time.Duration
			for range b.N {
				b.StopTimer()
				s := dbtest.New(b)
				u, err := s.CreateUnit(ctx, "省委组织部")
				if err != nil {
					b.Fatal(err)
				}
				p := &ballot.Poll{UnitID: u.ID, Title: "满意度测评", Groups: []ballot.Group{{Name: "服务窗口", Expected: n}},
					Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}}}}
				p.Normalize()
				if err := s.CreatePoll(ctx, p, ""); err != nil {
					b.Fatal(err)
				}
				g := p.Groups[0].ID
				hs := hashes(n)
				b.StartTimer()
				start := time.Now()
				if how == "copy" {
					run, err := s.BeginCodeRun(ctx, p.ID, "", "", []ballot.CodeShare{{Group: g, Count: n}})
					if err != nil {
						b.Fatal(err)
					}
					for i := 0; i < n; i += ballot.SlipsPerPart {
						if err := run.Add(g, hs[i:min(n, i+ballot.SlipsPerPart)]); err != nil {
							b.Fatal(err)
						}
					}
					if err := run.Copied(ctx, map[string]string{g: "ABCD…WXYZ"}); err != nil {
						b.Fatal(err)
					}
					if err := run.Commit(ctx); err != nil {
						b.Fatal(err)
					}
				} else {
					var batches []store.NewBatch
					for i := 0; i < n; i += 2000 {
						batches = append(batches, store.NewBatch{GroupID: g, Hashes: hs[i:min(n, i+2000)]})
					}
					if _, err := s.IssueBatches(ctx, p.ID, "", "", batches); err != nil {
						b.Fatal(err)
					}
				}
				took += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/took.Seconds(), "rows/s")
		})
	}
}
