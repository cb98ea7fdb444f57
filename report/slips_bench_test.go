package report

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"minyi/ballot"
)

// peakRSS is the process' high-water resident memory in MB (Linux), or 0.
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSlips10000 renders 10,000 QR slips into one PDF (budget: < 10 s, < 300 MB RSS).
// Run alone, so the high-water mark is this PDF's:
// go test -run '^$' -bench Slips10000 -benchtime 1x ./report/
func BenchmarkSlips10000(b *testing.B) {
	p := Printer{}
	batch := &SlipBatch{Title: "2026年度领导班子和领导干部民主测评", Group: "中层干部", Base: "http://192.168.1.10:8080"}
	for range 10000 {
		t, err := ballot.NewToken()
		if err != nil {
			b.Fatal(err)
		}
		batch.Tokens = append(batch.Tokens, t)
	}
	batch.Hint = ballot.BatchHint(batch.Tokens)
	var size int
	for b.Loop() {
		pdf, err := p.Slips(batch)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size)/(1<<20), "MB-pdf")
	b.ReportMetric(peakRSS(), "MB-peak-rss")
}

// BenchmarkSlipsAllGroups5000 renders the largest one-click issue, the server's
// MaxIssueAll of 5,000 slips of four groups, each from a new page, into one PDF. Run alone:
// go test -run '^$' -bench SlipsAllGroups5000 -benchtime 1x ./report/
func BenchmarkSlipsAllGroups5000(b *testing.B) {
	p := Printer{}
	var batches []*SlipBatch
	for _, g := range []string{"班子成员", "中层干部", "职工代表", "服务对象"} {
		batch := &SlipBatch{Title: "2026年度领导班子和领导干部民主测评", Group: g, Base: "http://192.168.1.10:8080"}
		for range 5000 / 4 {
			t, err := ballot.NewToken()
			if err != nil {
				b.Fatal(err)
			}
			batch.Tokens = append(batch.Tokens, t)
		}
		batch.Hint = ballot.BatchHint(batch.Tokens)
		batches = append(batches, batch)
	}
	var size int
	for b.Loop() {
		pdf, err := p.Slips(batches...)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size)/(1<<20), "MB-pdf")
	b.ReportMetric(peakRSS(), "MB-peak-rss")
}
