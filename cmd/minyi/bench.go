package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"

	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"minyi/ballot"
	"minyi/server"
	"minyi/store"
)

// benchResult is what `minyi bench` reports (issue: performance).
type benchResult struct {
	Voters        int            `json:"voters"`
	Concurrency   int            `json:"concurrency"`
	Seconds       float64        `json:"seconds"`
	BallotsPerSec float64        `json:"ballots_per_sec"`
	P50ms         float64        `json:"p50_ms"`
	P95ms         float64        `json:"p95_ms"`
	P99ms         float64        `json:"p99_ms"`
	OK            int            `json:"ok"`
	Errors        map[string]int `json:"errors"`
	BallotsInBox  int            `json:"ballots_in_box"`
	TokensUsed    int            `json:"tokens_used"`
	AuditOK       bool           `json:"audit_ok"` // box == used == 200 OK
	CeilingPerSec float64        `json:"db_ceiling_per_sec"`
	Ratio         float64        `json:"ratio"` // end to end / database ceiling
	// With -runs above 1: every run, and above them the median of the runs' ratios
	// (the figures beside it are that run's).
	Runs []benchResult `json:"runs,omitempty"`
}

// bench runs a load of voters over HTTP against a server it starts on this machine (or
// -url, which must use the same database and server secret), then audits the box.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o common
	o.flags(fs)
	n := fs.Int("n", 2000, "voters (tokens)")
	c := fs.Int("c", 200, "concurrent voters")
	target := fs.String("url", "", "a running server on the same database and secret (default: start one)")
	asJSON := fs.Bool("json", false, "print JSON")
	runs := fs.Int("runs", 1, "repeat load and ceiling this many times; report the run with the median ratio")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *c < 1 || *runs < 1 {
		return errors.New("-n, -c and -runs must be positive")
	}
	o.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	secret, err := o.secret()
	if err != nil {
		return err
	}
	keys, err := server.DeriveKeys(secret)
	if err != nil {
		return err
	}
	st, err := o.openStore(ctx, io.Discard)
	if err != nil {
		return err
	}
	defer o.close(st)
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	base := *target
	if base == "" {
		srv, err := server.New(server.Config{Keys: keys, Log: o.log, Version: version}, st)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		app := srv.App()
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err := srv.Start(sctx); err != nil {
			return err
		}
		go app.Listener(ln)
		defer func() { srv.Close(); app.ShutdownWithTimeout(5 * time.Second) }()
		base = "http://" + ln.Addr().String()
	}

	var all []benchResult
	for range *runs {
		r, err := benchRun(ctx, st, keys, base, *n, *c)
		if err != nil {
			return err
		}
		all = append(all, r)
	}
	res := all[0]
	if len(all) > 1 {
		sorted := slices.Clone(all)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].Ratio < sorted[j].Ratio })
		res = sorted[len(sorted)/2]
		res.Runs = all
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	for i, r := range res.Runs {
		fmt.Fprintf(stdout, "run %d: %.0f ballots/s, ceiling %.0f/s, ratio %.2f, p99 %.1f ms, %d OK, audit %v\n", i+1, r.BallotsPerSec, r.CeilingPerSec, r.Ratio, r.P99ms, r.OK, r.AuditOK)
	}
	if len(res.Runs) > 0 {
		fmt.Fprintln(stdout, "the run with the median ratio:")
	}
	fmt.Fprintf(stdout, "voters %d, concurrency %d, %.2f s\n", res.Voters, res.Concurrency, res.Seconds)
	fmt.Fprintf(stdout, "  end to end       %8.0f ballots/s   p50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n", res.BallotsPerSec, res.P50ms, res.P95ms, res.P99ms)
	fmt.Fprintf(stdout, "  database ceiling %8.0f ballots/s   (one transaction per ballot, same statements)\n", res.CeilingPerSec)
	fmt.Fprintf(stdout, "  ratio            %8.2f\n", res.Ratio)
	fmt.Fprintf(stdout, "  answers: %d OK, errors %v\n", res.OK, res.Errors)
	fmt.Fprintf(stdout, "  audit: ballots in box %d, tokens used %d, OK answers %d: %s\n", res.BallotsInBox, res.TokensUsed, res.OK, map[bool]string{true: "consistent", false: "INCONSISTENT"}[res.AuditOK])
	for _, r := range all {
		if !r.AuditOK {
			return errors.New("the audit failed")
		}
	}
	return nil
}

// benchRun votes n tokens of a fresh poll, c at a time, audits the box, and measures the
// database's own ceiling right after.
func benchRun(ctx context.Context, st *store.Store, keys server.Keys, base string, n, c int) (benchResult, error) {
	res := benchResult{Voters: n, Concurrency: c, Errors: map[string]int{}}
	p, toks, err := benchPoll(ctx, st, keys, n)
	if err != nil {
		return res, err
	}
	form := url.Values{}
	for _, s := range p.Forms[0].Evaluation.Subjects {
		form.Set("f1."+s.ID, "称职")
	}
	body := form.Encode()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}, Timeout: 60 * time.Second}
	defer client.CloseIdleConnections()
	jobs := make(chan ballot.Token)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				kind, d := benchVote(ctx, client, base+"/v/"+string(t), body)
				mu.Lock()
				if kind == "" {
					res.OK++
					lat = append(lat, d)
				} else {
					res.Errors[kind]++
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range toks {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.BallotsPerSec = float64(res.OK) / res.Seconds
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	res.P50ms, res.P95ms, res.P99ms = pct(.50), pct(.95), pct(.99)

	if err := st.ClosePoll(ctx, p.ID); err != nil {
		return res, err
	}
	box, err := st.Box(ctx, p.ID)
	if err != nil {
		return res, err
	}
	tu, err := st.Turnout(ctx, p.ID)
	if err != nil {
		return res, err
	}
	res.BallotsInBox, res.TokensUsed = len(box), tu[0].Used
	res.AuditOK = res.BallotsInBox == res.TokensUsed && res.TokensUsed == res.OK

	if res.CeilingPerSec, err = benchCeiling(ctx, st, keys, n, c); err != nil {
		return res, err
	}
	if res.CeilingPerSec > 0 {
		res.Ratio = res.BallotsPerSec / res.CeilingPerSec
	}
	return res, nil
}

// benchPoll sets up an open five-person 民主测评 with n tokens in a unit of its own.
func benchPoll(ctx context.Context, st *store.Store, keys server.Keys, n int) (*store.PollInfo, []ballot.Token, error) {
	unitName := fmt.Sprintf("压测单位 %s", time.Now().Format("20060102-150405.000"))
	u, err := st.CreateUnit(ctx, unitName)
	if err != nil {
		return nil, nil, err
	}
	p := &ballot.Poll{UnitID: u.ID, Title: "压测民主测评", Groups: []ballot.Group{{Name: "全体", Expected: n}},
		Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Title: "测评表", Evaluation: &ballot.Evaluation{
			Subjects: []ballot.Subject{{Name: "甲"}, {Name: "乙"}, {Name: "丙"}, {Name: "丁"}, {Name: "戊"}}}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	if err := st.CreatePoll(ctx, p, ""); err != nil {
		return nil, nil, err
	}
	toks := make([]ballot.Token, n)
	for i := 0; i < n; i += server.MaxBatch {
		var hashes [][]byte
		for j := i; j < min(n, i+server.MaxBatch); j++ {
			t, err := ballot.NewToken()
			if err != nil {
				return nil, nil, err
			}
			toks[j] = t
			hashes = append(hashes, keys.Token.Hash(t))
		}
		if _, err := st.IssueTokens(ctx, p.ID, p.Groups[0].ID, hashes, ""); err != nil {
			return nil, nil, err
		}
	}
	k, err := ballot.NewPollKey()
	if err != nil {
		return nil, nil, err
	}
	wrapped, err := keys.Share.Wrap(p.ID, k.Private)
	if err != nil {
		return nil, nil, err
	}
	if err := st.OpenPoll(ctx, p.ID, k.Public, wrapped); err != nil {
		return nil, nil, err
	}
	pi, err := st.Poll(ctx, p.ID)
	return pi, toks, err
}

// benchVote fetches the ballot page and submits it; it returns "" and the submit's latency
// on success, or the kind of failure.
func benchVote(ctx context.Context, client *http.Client, u, body string) (string, time.Duration) {
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "request", 0
	}
	res, err := client.Do(get)
	if err != nil {
		return "network", 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Sprintf("page %d", res.StatusCode), 0
	}
	post, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	t0 := time.Now()
	res, err = client.Do(post)
	if err != nil {
		return "network", 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	d := time.Since(t0)
	if res.StatusCode != http.StatusOK {
		return fmt.Sprintf("submit %d", res.StatusCode), 0
	}
	return "", d
}

// benchCeiling measures the database alone: the same burn-and-insert, one transaction per
// ballot, from c workers, over n tokens of a second poll.
func benchCeiling(ctx context.Context, st *store.Store, keys server.Keys, n, c int) (float64, error) {
	p, toks, err := benchPoll(ctx, st, keys, n)
	if err != nil {
		return 0, err
	}
	seal, err := st.InsertSealKey(ctx, p.ID, p.PublicKey)
	if err != nil {
		return 0, err
	}
	sealed := make([]byte, 200)
	jobs := make(chan ballot.Token)
	var wg sync.WaitGroup
	var failed error
	var mu sync.Mutex
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				if err := st.Cast(ctx, keys.Token.Hash(t), p.ID, p.Groups[0].ID, seal, sealed); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, t := range toks {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	if failed != nil {
		return 0, failed
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
