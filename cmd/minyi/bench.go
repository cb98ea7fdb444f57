package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"minyi/ballot"
	"minyi/i18n"
	"minyi/server"
	"minyi/store"
	"minyi/survey"
)

// benchResult is what `minyi bench` reports.
type benchResult struct {
	Voters         int             `json:"voters"`
	Concurrency    int             `json:"concurrency"`
	Seconds        float64         `json:"seconds"`
	BallotsPerSec  float64         `json:"ballots_per_sec"`
	P50ms          float64         `json:"p50_ms"`
	P95ms          float64         `json:"p95_ms"`
	P99ms          float64         `json:"p99_ms"`
	OK             int             `json:"ok"`
	Kind           string          `json:"kind"`          // the poll voted on (-kind)
	Groups         int             `json:"groups"`        // its voter groups
	BallotBytes    int             `json:"ballot_bytes"`  // each sealed ballot of its box
	Load           string          `json:"load"`          // the machine's load average before the burst and after it
	CPUms          float64         `json:"cpu_ms"`        // this process's CPU (servers and clients) during the burst
	PGCPUms        float64         `json:"pg_cpu_ms"`     // PostgreSQL's CPU (every process of the cluster) during the burst; 0 when not seen
	WAL            *pgWAL          `json:"wal,omitempty"` // the burst's WAL (pg_stat_wal) and the client connections it opened
	Errors         map[string]int  `json:"errors"`
	BallotsInBox   int             `json:"ballots_in_box"`
	TokensUsed     int             `json:"tokens_used"`
	AuditOK        bool            `json:"audit_ok"`           // box == used == 200 OK
	CloseMs        float64         `json:"close_ms"`           // closing the poll: the box rewritten
	CountMs        float64         `json:"count_ms"`           // counting it on the server (the server-held key), end to end
	CountCPUms     float64         `json:"count_cpu_ms"`       // this process's CPU during the count
	CountChecked   string          `json:"count_checked"`      // ballots the count checked one by one (the rest from the kept sums)
	PrepareMs      float64         `json:"prepare_ms"`         // the instances' pools filled before the burst
	Prepared       int             `json:"prepared"`           // the ballots they held then
	CeilingPerSec  float64         `json:"db_ceiling_per_sec"` // the best of Ceilings
	CeilingWorkers int             `json:"db_ceiling_workers"`
	Ceilings       map[int]float64 `json:"db_ceilings"` // by workers
	Ratio          float64         `json:"ratio"`       // end to end / database ceiling
	// With -streams: the same burst again with that many dashboards open.
	Streams *streamResult `json:"streams,omitempty"`
	// With -runs above 1: every run, and above them the median of the runs' ratios
	// (the figures beside it are that run's).
	Runs []benchResult `json:"runs,omitempty"`
}

// streamResult is what dashboards cost and get: -streams turnout streams spread over the
// instances, watching the poll that is voted on.
type streamResult struct {
	Streams   int  `json:"streams"`
	Instances int  `json:"instances"`
	Away      bool `json:"away"` // the readers did not read during the burst (-streams-away)
	// Single votes a second apart, each timed from just before its submit until it shows on
	// a stream: one sample per stream and vote.
	Updates     int     `json:"updates"`
	UpdateP50ms float64 `json:"update_p50_ms"`
	UpdateP99ms float64 `json:"update_p99_ms"`
	UpdateMaxms float64 `json:"update_max_ms"`
	Missed      int     `json:"missed"` // samples not seen within 5 s
	// The burst of -n voters with the streams open, against the same burst without them
	// just before and just after (their mean), so the machine's drift is on both sides.
	BallotsPerSec float64 `json:"ballots_per_sec"`
	WithoutPerSec float64 `json:"without_per_sec"`
	Kept          float64 `json:"kept"` // ballots_per_sec ÷ without_per_sec
	// CPU time of this process (the instances and the bench's clients) per ballot, during
	// the burst with the streams and without: less noisy than the rates on a busy machine.
	CPUusWith    float64 `json:"cpu_us_a_ballot_with"`
	CPUusWithout float64 `json:"cpu_us_a_ballot_without"`
	P99ms        float64 `json:"p99_ms"`
	// From the burst's last answer until every stream shows the final count.
	SettleMaxms float64 `json:"settle_max_ms"`
	// Events a stream received during the burst, on average.
	BurstEvents float64 `json:"burst_events"`
	Dropped     int     `json:"dropped"` // streams that ended before the bench closed them
	AuditOK     bool    `json:"audit_ok"`
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
	streams := fs.Int("streams", 0, "also open this many turnout streams (big screens) on the poll voted on, and repeat the burst with them")
	away := fs.Bool("streams-away", false, "the streams' readers stop reading during the burst and catch up after, as screens on other machines would cost this one nothing (the servers still write every event)")
	instances := fs.Int("instances", 1, "server instances to start on the database (without -url); votes and streams are spread over them")
	coalesce := fs.Duration("coalesce", 0, "least time between two turnout computations of a poll on an instance (default: the server's)")
	prepare := fs.Int("prepare", envInt("MINYI_PREPARE", 0), "ballots each voter group keeps encrypted ahead on each instance the bench starts, as serve's -prepare (0: the group's expected voters; -1: none)")
	fs.IntVar(&benchSubjects, "subjects", 6, "people the poll's 民主测评 grades (four grades each)")
	fs.StringVar(&benchKind, "kind", "evaluation", "the poll voted on: evaluation (a 民主测评 of -subjects people, one group) or survey (a one-question 满意度 survey of -groups groups in regions of 25, a province's survey at its peak)")
	survey := fs.Bool("survey", false, "instead: make a survey poll of -groups groups whose 应到 add up to -n, and issue its codes in one bulk download (CSV) through the API")
	surveyGroups := fs.Int("groups", 300, "groups of the -survey poll")
	surveyPDF := fs.Bool("survey-pdf", false, "with -survey: also issue a second such poll's codes as the ZIP of the CSV and the PDF slips")
	surveyBox := fs.Bool("survey-box", false, "instead: a ten-question survey of -groups groups and -n ballots, loaded by the vote path's code (not HTTP), then closed, counted, its bundle downloaded and verified, each step timed")
	fs.BoolVar(&surveyBoxKeep, "keep", false, "with -survey-box: leave the counted poll and its box in the database (in -data) and print its id, to be counted again with -recount")
	fs.StringVar(&surveyBoxRecount, "recount", "", "with -survey-box: count again the poll of this id left by -keep in the same -data, instead of making and loading a new one (then bundle and verify as usual)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole bench (servers and clients) to this file")
	fs.StringVar(&burstProfile, "cpuprofile-burst", "", "write a CPU profile of the first run's burst only (servers and clients) to this file")
	pgStats := fs.Bool("pgstats", false, "start the bench's own cluster with pg_stat_statements and print, after each burst, its statements a ballot (to stderr); a cluster already running in -data keeps its settings")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" && burstProfile != "" {
		return errors.New("-cpuprofile and -cpuprofile-burst cannot be used together")
	}
	stop, err := profileCPU(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	if *n < 1 || *c < 1 || *runs < 1 || *instances < 1 || *streams < 0 {
		return errors.New("-n, -c, -runs and -instances must be positive, -streams not negative")
	}
	switch benchKind {
	case "evaluation":
	case "survey":
		if *surveyGroups < 1 || *surveyGroups > min(*n, ballot.MaxSurveyGroups) {
			return fmt.Errorf("-groups must be between 1 and -n, at most %d", ballot.MaxSurveyGroups)
		}
		benchGroups = *surveyGroups
	default:
		return errors.New("-kind is evaluation or survey")
	}
	o.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if *pgStats {
		o.pgSettings, benchPGStats = pgStatsSettings, stderr
	}
	benchServers = nil // this bench's instances only
	// A developer's tool: it reports in English.
	secret, err := o.secret(i18n.For(i18n.En))
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
	if o.pg != nil {
		benchPGDir = o.pg.Dir
	}
	bases := []string{*target}
	if *target == "" {
		url := os.Getenv("DATABASE_URL")
		if url == "" {
			url = o.pg.URL("minyi")
		}
		bases = nil
		if db, err := sql.Open("postgres", url); err == nil {
			db.SetMaxOpenConns(1)
			benchDB = db
			defer db.Close()
		}
		for i := range *instances {
			ist := st
			if i > 0 { // an instance of its own: its own pool and LISTEN connection
				if ist, err = store.Open(ctx, url); err != nil {
					return err
				}
				defer ist.Close()
			}
			cfg := server.Config{Keys: keys, Log: o.log, Version: version, Live: server.LiveTiming{Coalesce: *coalesce}, WarmConns: true, PrepareAhead: *prepare}
			if *surveyBox { // the loader encrypts every ballot itself: no pool fills beside it
				cfg.PrepareAhead = -1
			}
			base, stop, err := benchServer(ctx, ist, cfg)
			if err != nil {
				return err
			}
			defer stop()
			bases = append(bases, base)
		}
	}
	if *surveyBox {
		if *surveyGroups < 1 || *surveyGroups > *n {
			return errors.New("-groups must be between 1 and -n")
		}
		pgDir := ""
		if o.pg != nil {
			pgDir = o.pg.Dir
		}
		r, err := benchSurveyBox(ctx, st, &keys, bases[0], pgDir, *n, *surveyGroups, stderr)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(r)
		}
		printSurveyBox(stdout, r)
		return nil
	}
	if *survey {
		if *surveyGroups < 1 || *surveyGroups > *n {
			return errors.New("-groups must be between 1 and -n")
		}
		pgDir := ""
		if o.pg != nil {
			pgDir = o.pg.Dir
		}
		r, err := benchSurvey(ctx, st, bases[0], pgDir, *n, *surveyGroups, *surveyPDF)
		r.Workers = runtime.GOMAXPROCS(0)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(r)
		}
		printSurvey(stdout, r)
		return nil
	}
	var all []benchResult
	for range *runs {
		r, err := benchRun(ctx, st, keys, bases, *n, *c)
		if err != nil {
			return err
		}
		if *streams > 0 {
			if r.Streams, err = benchStreams(ctx, st, keys, bases, *n, *c, *streams, *away); err != nil {
				return err
			}
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
		fmt.Fprintf(stdout, "run %d: %.0f ballots/s, ceiling %.0f/s, ratio %.2f, p99 %.1f ms, %d OK, audit %v; CPU a ballot %s\n", i+1, r.BallotsPerSec, r.CeilingPerSec, r.Ratio, r.P99ms, r.OK, r.AuditOK, r.cpuPerBallot())
		if s := r.Streams; s != nil {
			fmt.Fprintf(stdout, "       with %d streams: update p99 %.0f ms (max %.0f, %d missed), burst %.0f ballots/s against %.0f without (%.0f %%), %d dropped\n", s.Streams, s.UpdateP99ms, s.UpdateMaxms, s.Missed, s.BallotsPerSec, s.WithoutPerSec, s.Kept*100, s.Dropped)
		}
	}
	if len(res.Runs) > 0 {
		fmt.Fprintln(stdout, "the run with the median ratio:")
	}
	fmt.Fprintf(stdout, "voters %d, concurrency %d, %.2f s\n", res.Voters, res.Concurrency, res.Seconds)
	fmt.Fprintf(stdout, "  end to end       %8.0f ballots/s   p50 %.1f ms  p95 %.1f ms  p99 %.1f ms\n", res.BallotsPerSec, res.P50ms, res.P95ms, res.P99ms)
	fmt.Fprintf(stdout, "  the poll         %s, %d group(s), %d-byte ballots, %d instance(s); load average %s\n",
		res.Kind, res.Groups, res.BallotBytes, len(bases), res.Load)
	fmt.Fprintf(stdout, "  database ceiling %8.0f ballots/s   (one transaction per ballot, same statements; the best of %v workers: %d)\n", res.CeilingPerSec, ceilingWorkers(res.Concurrency), res.CeilingWorkers)
	fmt.Fprintf(stdout, "  ratio            %8.2f", res.Ratio)
	if at := res.Ceilings[res.Concurrency]; at > 0 {
		fmt.Fprintf(stdout, "   (%.2f to the ceiling at %d workers, %.0f ballots/s)", res.BallotsPerSec/at, res.Concurrency, at)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "  CPU a ballot     %s   (during the burst)\n", res.cpuPerBallot())
	fmt.Fprintf(stdout, "  prepared         %8.0f ms   (every instance's pool of encrypted ballots filled before the burst: %d ballots)\n", res.PrepareMs, res.Prepared)
	fmt.Fprintf(stdout, "  close            %8.0f ms   (%d ballots rewritten in a random order, new ids, no nullifiers)\n", res.CloseMs, res.BallotsInBox)
	fmt.Fprintf(stdout, "  count            %8.0f ms   (the server-held key's count through the API, bundle and tally stored; %.0f ms of this process's CPU; %s ballots checked one by one, the rest from the sums kept at sealing)\n", res.CountMs, res.CountCPUms, res.CountChecked)
	fmt.Fprintf(stdout, "  answers: %d OK, errors %v\n", res.OK, res.Errors)
	fmt.Fprintf(stdout, "  audit: ballots in box %d, tokens used %d, OK answers %d: %s\n", res.BallotsInBox, res.TokensUsed, res.OK, map[bool]string{true: "consistent", false: "INCONSISTENT"}[res.AuditOK])
	if s := res.Streams; s != nil {
		fmt.Fprintf(stdout, "  with %d turnout streams over %d instance(s), on the poll voted on%s:\n", s.Streams, s.Instances, map[bool]string{true: " (readers away during the burst)"}[s.Away])
		fmt.Fprintf(stdout, "    an update reaches a stream  p50 %.0f ms  p99 %.0f ms  max %.0f ms  (%d samples, %d not seen within 5 s)\n", s.UpdateP50ms, s.UpdateP99ms, s.UpdateMaxms, s.Updates, s.Missed)
		fmt.Fprintf(stdout, "    the burst                   %8.0f ballots/s   p99 %.1f ms   %.0f %% of the rate without streams (%.0f ballots/s, just before and after)\n", s.BallotsPerSec, s.P99ms, s.Kept*100, s.WithoutPerSec)
		fmt.Fprintf(stdout, "    CPU of this process (instances and clients) %.0f µs a ballot with the streams, %.0f without\n", s.CPUusWith, s.CPUusWithout)
		fmt.Fprintf(stdout, "    %.1f events a stream during the burst\n", s.BurstEvents)
		fmt.Fprintf(stdout, "    every stream at the final count %.0f ms after the last answer; %d streams dropped; audit %s\n", s.SettleMaxms, s.Dropped, map[bool]string{true: "consistent", false: "INCONSISTENT"}[s.AuditOK])
	}
	for _, r := range all {
		if !r.AuditOK || (r.Streams != nil && !r.Streams.AuditOK) {
			return errors.New("the audit failed")
		}
	}
	return nil
}

// benchRun votes n tokens of a fresh poll, c at a time, audits the box, and measures the
// database's own ceiling right after.
func benchRun(ctx context.Context, st *store.Store, keys server.Keys, bases []string, n, c int) (benchResult, error) {
	res := benchResult{Voters: n, Concurrency: c, Errors: map[string]int{}}
	p, toks, err := benchPoll(ctx, st, keys, n)
	if err != nil {
		return res, err
	}
	res.Kind, res.Groups = benchKind, len(p.Groups)
	if res.BallotBytes, err = ballotSize(p); err != nil {
		return res, err
	}
	load := loadAverage()
	benchBurst(ctx, &res, p, toks, bases, c)
	res.Load = load + " → " + loadAverage()
	if err := benchAudit(ctx, st, p.ID, &res); err != nil {
		return res, err
	}
	if err := benchCount(ctx, st, bases[0], p.ID, &res); err != nil {
		return res, err
	}
	// The ceiling is PostgreSQL's best: with too many workers on few cores it thrashes,
	// so it is measured at several and the best is kept.
	res.Ceilings = map[int]float64{}
	for _, w := range ceilingWorkers(c) {
		r, err := benchCeiling(ctx, st, keys, n, w)
		if err != nil {
			return res, err
		}
		res.Ceilings[w] = r
		if r > res.CeilingPerSec {
			res.CeilingPerSec, res.CeilingWorkers = r, w
		}
	}
	if res.CeilingPerSec > 0 {
		res.Ratio = res.BallotsPerSec / res.CeilingPerSec
	}
	return res, nil
}

// benchForm is a filled-in ballot of a bench poll, as the ballot page posts it.
func benchForm(p *store.PollInfo) string {
	form := url.Values{}
	if p.Forms[0].Survey != nil {
		form.Set("f1.q1", "满意")
		return form.Encode()
	}
	for _, s := range p.Forms[0].Evaluation.Subjects {
		form.Set("f1."+s.ID, "称职")
	}
	return form.Encode()
}

// benchBurst votes the tokens, c at a time, each worker on one of the instances in turn,
// and fills in the rate, latencies and answers.
func benchBurst(ctx context.Context, res *benchResult, p *store.PollInfo, toks []ballot.Token, bases []string, c int) {
	body := benchForm(p)
	// The hall fills in while the instances prepare the ballots' encryption: a burst
	// starts once the poll's pools are full.
	prep := time.Now()
	for _, srv := range benchServers {
		n, err := srv.WarmPool(ctx, p.ID)
		if err != nil {
			res.Errors["prepare"]++
		}
		res.Prepared += n
	}
	res.PrepareMs = float64(time.Since(prep).Microseconds()) / 1000
	if burstProfile != "" {
		if stop, err := profileCPU(burstProfile); err == nil {
			burstProfile = "" // the first run's burst only
			defer stop()
		}
	}
	// Only for an address the light voters do not speak (https, with -url).
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}, Timeout: 60 * time.Second}
	defer client.CloseIdleConnections()
	jobs := make(chan ballot.Token)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	stats := resetStatements(ctx, benchDB)
	var procs0 map[int]pgProc
	if benchPGStats != nil {
		procs0 = pgProcs(benchPGDir)
	}
	wal0, walOK := readWAL(ctx, benchDB)
	cpu0, pg0 := cpuTime(), pgCPU(benchPGDir)
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := bases[w%len(bases)]
			voter, err := newBenchVoter(base)
			if err == nil {
				defer voter.close()
			}
			for t := range jobs {
				var kind string
				var d time.Duration
				if voter != nil {
					kind, d = voter.vote(ctx, "/v/"+string(t), body)
				} else {
					kind, d = benchVote(ctx, client, base+"/v/"+string(t), body)
				}
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
	res.CPUms = float64((cpuTime() - cpu0).Microseconds()) / 1000
	if pg0 > 0 {
		res.PGCPUms = float64((pgCPU(benchPGDir) - pg0).Microseconds()) / 1000
	}
	if wal1, ok := readWAL(ctx, benchDB); ok && walOK {
		res.WAL = &pgWAL{Records: wal1.Records - wal0.Records, FPI: wal1.FPI - wal0.FPI, Bytes: wal1.Bytes - wal0.Bytes, Clients: wal1.Clients - wal0.Clients}
	}
	if benchPGStats != nil {
		printProcs(procs0, pgProcs(benchPGDir), res.OK)
	}
	if stats {
		printStatements(ctx, benchDB, res.OK)
	}
	res.BallotsPerSec = float64(res.OK) / res.Seconds
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	res.P50ms, res.P95ms, res.P99ms = pct(.50), pct(.95), pct(.99)
}

// cpuPerBallot is the burst's CPU per ballot accepted, this process's and PostgreSQL's.
func (r benchResult) cpuPerBallot() string {
	n := float64(max(1, r.OK))
	s := fmt.Sprintf("%.2f ms servers and clients", r.CPUms/n)
	if r.PGCPUms > 0 {
		s += fmt.Sprintf(", %.2f ms PostgreSQL", r.PGCPUms/n)
	}
	if w := r.WAL; w != nil {
		s += fmt.Sprintf("; WAL a ballot %.1f records, %.2f full pages, %.1f kB; %+d connections", float64(w.Records)/n, float64(w.FPI)/n, float64(w.Bytes)/n/1000, w.Clients)
	}
	return s
}

// benchAudit closes the poll, timing the close (the box rewritten with new ids, in a
// random order), and checks box == tokens used == OK answers.
func benchAudit(ctx context.Context, st *store.Store, pollID string, res *benchResult) error {
	start := time.Now()
	if err := st.ClosePoll(ctx, pollID); err != nil {
		return err
	}
	res.CloseMs = float64(time.Since(start).Microseconds()) / 1000
	box, err := st.Box(ctx, pollID)
	if err != nil {
		return err
	}
	tu, err := st.Turnout(ctx, pollID)
	if err != nil {
		return err
	}
	res.BallotsInBox = len(box)
	for _, t := range tu {
		res.TokensUsed += t.Used
	}
	res.AuditOK = res.BallotsInBox == res.TokensUsed && res.TokensUsed == res.OK
	return nil
}

// burstProfile is where the first burst's CPU profile goes (-cpuprofile-burst).
var burstProfile string

// benchSubjects is the number of people the bench poll's 民主测评 grades (-subjects).
var benchSubjects = 6

// benchKind is the poll the bench votes on (-kind), benchGroups the groups of a survey.
var (
	benchKind   = "evaluation"
	benchGroups = 1
)

// benchPoll sets up an open poll with n tokens in a unit of its own: a 民主测评 of
// benchSubjects people in one group, or (-kind survey) a one-question 满意度 survey of
// benchGroups groups in regions of 25, the tokens dealt to the groups in turn so that
// consecutive voters are of different groups, as in a province at its peak.
func benchPoll(ctx context.Context, st *store.Store, keys server.Keys, n int) (*store.PollInfo, []ballot.Token, error) {
	return benchPollOf(ctx, st, keys, n, benchShape{kind: benchKind, subjects: benchSubjects, groups: benchGroups})
}

// benchShape is the poll a bench votes on: what the flags chose, or what a test names
// itself (the flags are the command's, and a test may run the command beside others).
type benchShape struct {
	kind             string
	subjects, groups int
}

// benchPollOf is benchPoll for a poll of the shape given.
func benchPollOf(ctx context.Context, st *store.Store, keys server.Keys, n int, shape benchShape) (*store.PollInfo, []ballot.Token, error) {
	unitName := fmt.Sprintf("压测单位 %s", time.Now().Format("20060102-150405.000"))
	u, err := st.CreateUnit(ctx, unitName)
	if err != nil {
		return nil, nil, err
	}
	// The key the server holds (ServerKey below), named as such, so that the bench can
	// count the poll at once through the API; a real 民主测评 may not choose it.
	p := &ballot.Poll{UnitID: u.ID, Title: "压测民主测评", KeyHolder: ballot.KeyServer, Groups: []ballot.Group{{Name: "全体", Expected: n}},
		Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Title: "测评表", Evaluation: &ballot.Evaluation{
			Subjects: benchPeople(shape.subjects)}}}}
	if shape.kind == "survey" {
		p.Title, p.Groups = "压测全省满意度测评", nil
		for i := range shape.groups {
			p.Groups = append(p.Groups, ballot.Group{Name: fmt.Sprintf("第%03d服务窗口", i+1), Region: fmt.Sprintf("第%02d地区", i/25+1), Expected: (n + shape.groups - 1) / shape.groups})
		}
		p.Forms = []ballot.Form{{Kind: ballot.KindSurvey, Title: "满意度问卷", Survey: &ballot.Survey{Questionnaire: survey.Questionnaire{Questions: []survey.Question{
			{Kind: survey.Single, Title: "总体评价", Options: []string{"满意", "基本满意", "不满意", "不了解"}}}}}}}
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, nil, err
	}
	if err := st.CreatePoll(ctx, p, ""); err != nil {
		return nil, nil, err
	}
	toks := make([]ballot.Token, n)
	ng := len(p.Groups)
	for g := range ng {
		// group g holds tokens g, g+ng, g+2ng, …
		var at []int
		for j := g; j < n; j += ng {
			at = append(at, j)
		}
		for i := 0; i < len(at); i += server.MaxBatch {
			var hashes [][]byte
			for _, j := range at[i:min(len(at), i+server.MaxBatch)] {
				t, err := ballot.NewToken()
				if err != nil {
					return nil, nil, err
				}
				toks[j] = t
				hashes = append(hashes, keys.Token.Hash(t))
			}
			if _, err := st.IssueTokens(ctx, p.ID, p.Groups[g].ID, hashes, ""); err != nil {
				return nil, nil, err
			}
		}
	}
	public, shares, wrapped, err := server.ServerKey(keys, p.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := st.OpenPoll(ctx, p.ID, store.BoxHomomorphic, public, shares, wrapped); err != nil {
		return nil, nil, err
	}
	pi, err := st.Poll(ctx, p.ID)
	if err != nil {
		return nil, nil, err
	}
	// the slots the server draws when a poll opens
	size, err := ballotSize(pi)
	if err != nil {
		return nil, nil, err
	}
	return pi, toks, st.EnsureSlots(ctx, p.ID, size)
}

// ballotSize is the length of every ballot of the poll's box.
func ballotSize(p *store.PollInfo) (int, error) {
	k, err := ballot.NewBoxKey(&p.Poll, p.PublicKey)
	if err != nil {
		return 0, err
	}
	return k.Size(), nil
}

func benchPeople(n int) []ballot.Subject {
	out := make([]ballot.Subject, n)
	for i := range out {
		out[i] = ballot.Subject{Name: fmt.Sprintf("测评对象%d", i+1)}
	}
	return out
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

// ceilingWorkers are the worker counts the ceiling is measured at: a few, and the burst's.
func ceilingWorkers(c int) []int {
	out := []int{4, 8, 16, 32}
	if c > 32 {
		out = append(out, c)
	}
	return out
}

// benchCeiling measures the database alone: the same burn-and-insert, one transaction per
// ballot, from c workers, over n tokens of a second poll.
func benchCeiling(ctx context.Context, st *store.Store, keys server.Keys, n, c int) (float64, error) {
	p, toks, err := benchPoll(ctx, st, keys, n)
	if err != nil {
		return 0, err
	}
	size, err := ballotSize(p)
	if err != nil {
		return 0, err
	}
	if err := st.EnsureSlots(ctx, p.ID, size); err != nil {
		return 0, err
	}
	sealed := make([]byte, size)
	jobs := make(chan int) // token i is of group i%len(p.Groups), as benchPoll dealt them
	var wg sync.WaitGroup
	var failed error
	var mu sync.Mutex
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t := toks[i]
				it := store.CastItem{TokenHash: keys.Token.Hash(t), Nullifier: keys.Nullifier.Nullifier(t), PollID: p.ID, GroupID: p.Groups[i%len(p.Groups)].ID, Sealed: sealed}
				if err := st.Cast(ctx, it); err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
				}
			}
		}()
	}
	for i := range toks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if failed != nil {
		return 0, failed
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCount counts the closed bench poll as an administrator does, through the API of
// the first instance, and times it: the box summed (from the kept sums where they match),
// the server-held share's partial decryption, the certified bundle and the tally stored.
// The administrator it counts as has a random password nobody is told, and is disabled
// when the count is done, failed or not: a bench run on a real installation leaves no
// account anyone could log in with.
func benchCount(ctx context.Context, st *store.Store, base, pollID string, res *benchResult) (err error) {
	name := "bench-" + strings.ReplaceAll(pollID, "-", "")[:12]
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	pw := hex.EncodeToString(secret)
	hash, err := server.HashPassword(pw)
	if err != nil {
		return err
	}
	admin := store.Staff{Username: name, Name: name, Role: store.RoleAdmin, PasswordHash: hash}
	if err := st.CreateStaff(ctx, &admin); err != nil {
		return err
	}
	defer func() {
		// Also when ctx was cancelled: the account must not outlive the bench.
		if derr := st.DisableStaff(context.WithoutCancel(ctx), admin.ID); derr != nil && err == nil {
			err = fmt.Errorf("disabling the bench's administrator %s: %w", name, derr)
		}
	}()
	call := func(method, path, token string, body any, out any) error {
		b, _ := json.Marshal(body)
		req, err := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(string(b)))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		raw, _ := io.ReadAll(r.Body)
		if r.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: %d %s", method, path, r.StatusCode, raw)
		}
		return json.Unmarshal(raw, out)
	}
	var session struct{ Token string }
	if err := call("POST", "/api/v1/sessions", "", map[string]string{"username": name, "password": pw}, &session); err != nil {
		return err
	}
	var out struct {
		Ballots int `json:"ballots"`
	}
	cpu0 := cpuTime()
	start := time.Now()
	if err := call("POST", "/api/v1/polls/"+pollID+"/count", session.Token, map[string]any{}, &out); err != nil {
		return err
	}
	res.CountMs = float64(time.Since(start).Microseconds()) / 1000
	res.CountCPUms = float64((cpuTime() - cpu0).Microseconds()) / 1000
	log, err := st.PollAudit(ctx, pollID)
	if err != nil {
		return err
	}
	for _, a := range log {
		if a.Action == "poll.count" {
			res.CountChecked = a.Detail["checked"]
		}
	}
	return nil
}
