package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"minyi/ballot"
	"minyi/server"
	"minyi/store"
)

// surveyBoxResult is what `minyi bench -survey-box` measured on a survey's box: the
// ballots loaded, then the close, the count, the bundle's download and `minyi verify` of
// it, each with the CPU and memory it took.
type surveyBoxResult struct {
	Ballots   int    `json:"ballots"`
	Groups    int    `json:"groups"`
	Questions int    `json:"questions"`
	Sealed    int    `json:"sealed_bytes"` // one ballot's sealed length
	Load      string `json:"load"`
	LoadEnd   string `json:"load_end"`
	Cores     int    `json:"cores"`
	// Loaded: tokens issued and ballots sealed by the vote path's code and written by its
	// batch, in parallel, not through HTTP (see benchSurveyBox).
	Loaded  boxPhase `json:"loaded"`
	Close   boxPhase `json:"close"`
	Count   boxPhase `json:"count"`
	Checked string   `json:"checked"` // ballots the count checked one by one
	Bundle  boxPhase `json:"bundle"`
	Verify  boxPhase `json:"verify"`
}

// boxPhase is one step's wall time, CPU (this process, or the verify process; and the
// private PostgreSQL's), peak RSS and bytes.
type boxPhase struct {
	Seconds      float64 `json:"seconds"`
	CPUSeconds   float64 `json:"cpu_seconds"`
	PgCPUSeconds float64 `json:"pg_cpu_seconds"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	Bytes        int64   `json:"bytes,omitempty"`
}

// surveyQuestions is how many questions the -survey-box poll asks (a 满意度 survey's ten).
const surveyQuestions = 10

var surveyOptions = []string{"满意", "基本满意", "不满意", "不了解"}

// measureBox runs f and measures it. The heap left by the step before is returned to the
// system first, so the peak is the step's own (with the idle server beside it).
func measureBox(pgDir string, f func(*boxPhase) error) (boxPhase, error) {
	var ph boxPhase
	runtime.GC()
	debug.FreeOSMemory()
	peak := watchRSS()
	cpu0, pg0 := cpuTime(), pgCPU(pgDir)
	start := time.Now()
	err := f(&ph)
	ph.Seconds = time.Since(start).Seconds()
	if rss := peak(); ph.PeakRSSMB == 0 {
		ph.PeakRSSMB = rss
	}
	if ph.CPUSeconds == 0 {
		ph.CPUSeconds = (cpuTime() - cpu0).Seconds()
	}
	ph.PgCPUSeconds = (pgCPU(pgDir) - pg0).Seconds()
	return ph, err
}

// benchSurveyBox makes a survey poll of ten questions and groups voter groups whose 应到
// add up to n, opens it with the server-held key, and fills its box with n ballots, then
// closes, counts, downloads the bundle and verifies it through the server's API and the
// verify command, as an organizer and an observer would.
//
// Casting n ballots through HTTP would take hours here, so the box is filled by a loader:
// each ballot is judged, encrypted with its proofs (BoxKey.Prepare, Judge, EncryptOpening:
// what a submit does) and written by the vote path's batch (store.CastBatch: slots,
// nullifiers, the sums kept per group), a hundred ballots of one group a batch, on every
// core. What HTTP adds per ballot is measured by the burst (`minyi bench -n … -c …`).
func benchSurveyBox(ctx context.Context, st *store.Store, keys *server.Keys, base, pgDir string, n, groups int, stderr io.Writer) (surveyBoxResult, error) {
	res := surveyBoxResult{Ballots: n, Groups: groups, Questions: surveyQuestions, Load: loadAverage(), Cores: runtime.GOMAXPROCS(0)}
	token, done, err := benchAdmin(ctx, st, base)
	if err != nil {
		return res, err
	}
	defer done()
	if surveyBoxRecount != "" {
		return recountSurveyBox(ctx, st, keys, base, pgDir, token, surveyBoxRecount, res, stderr)
	}
	u, err := st.CreateUnit(ctx, fmt.Sprintf("压测全省单位 %s", time.Now().Format("20060102-150405.000")))
	if err != nil {
		return res, err
	}
	var gs []map[string]any
	for i := range groups {
		expected := n / groups
		if i < n%groups {
			expected++
		}
		gs = append(gs, map[string]any{"name": fmt.Sprintf("第%03d服务窗口", i+1), "expected": expected})
	}
	var qs []map[string]any
	for i := range surveyQuestions {
		qs = append(qs, map[string]any{"kind": "single", "title": fmt.Sprintf("第%d项服务评价", i+1), "options": surveyOptions})
	}
	var p struct {
		ID     string
		Groups []struct {
			ID       string `json:"id"`
			Expected int    `json:"expected"`
		} `json:"groups"`
	}
	if err := benchCall(ctx, base, "POST", "/api/v1/polls", token, map[string]any{
		"title": "全省政务服务满意度测评（压测）", "unit_id": u.ID, "key_holder": "server", "groups": gs,
		"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": qs}}},
	}, &p); err != nil {
		return res, err
	}
	if len(p.Groups) != groups {
		return res, fmt.Errorf("the poll has %d groups, want %d", len(p.Groups), groups)
	}

	type voter struct{ hash, nullifier []byte }
	type chunk struct {
		group  string
		voters []voter
	}
	var chunks []chunk
	res.Loaded, err = measureBox(pgDir, func(ph *boxPhase) error {
		for i, g := range p.Groups {
			want := gs[i]["expected"].(int)
			var hashes [][]byte
			var vs []voter
			for range want {
				tok, err := ballot.NewToken()
				if err != nil {
					return err
				}
				v := voter{keys.Token.Hash(tok), keys.Nullifier.Nullifier(tok)}
				vs, hashes = append(vs, v), append(hashes, v.hash)
			}
			if _, err := st.IssueTokens(ctx, p.ID, g.ID, hashes, ""); err != nil {
				return err
			}
			for len(vs) > 0 {
				k := min(len(vs), 100)
				chunks, vs = append(chunks, chunk{g.ID, vs[:k]}), vs[k:]
			}
		}
		if err := benchCall(ctx, base, "POST", "/api/v1/polls/"+p.ID+"/open", token, nil, nil); err != nil {
			return err
		}
		info, err := st.Poll(ctx, p.ID)
		if err != nil {
			return err
		}
		k, err := ballot.NewBoxKey(&info.Poll, info.PublicKey)
		if err != nil {
			return err
		}
		work := make(chan chunk)
		errs := make(chan error, res.Cores)
		var wg sync.WaitGroup
		var sealedLen int
		var once sync.Once
		for range res.Cores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := range work {
					items := make([]store.CastItem, 0, len(c.voters))
					for _, v := range c.voters {
						lines := map[string][]string{}
						for q := range surveyQuestions {
							lines[fmt.Sprintf("q%d", q+1)] = []string{surveyOptions[mrand.IntN(len(surveyOptions))]}
						}
						b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: lines}}}
						_, cells, texts, err := k.Judge(c.group, &b)
						if err != nil {
							errs <- err
							return
						}
						sealed, op, err := k.EncryptOpening(k.Prepare(c.group, rand.Reader), cells, texts)
						if err != nil {
							errs <- err
							return
						}
						once.Do(func() { sealedLen = len(sealed) })
						items = append(items, store.CastItem{TokenHash: v.hash, Nullifier: v.nullifier, PollID: p.ID,
							PollKey: info.PublicKey, GroupID: c.group, Sealed: sealed, Opening: op})
					}
					refused, err := st.CastBatch(ctx, items)
					if err == nil {
						err = errors.Join(refused...)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		said, sent := time.Now(), 0
		for _, c := range chunks {
			select {
			case work <- c:
			case err := <-errs:
				close(work)
				wg.Wait()
				return err
			}
			if time.Since(said) > 30*time.Second {
				fmt.Fprintf(stderr, "loading: %d of %d ballots\n", sent, n)
				said = time.Now()
			}
			sent += len(c.voters)
		}
		close(work)
		wg.Wait()
		close(errs)
		res.Sealed = sealedLen
		return <-errs
	})
	if err != nil {
		return res, fmt.Errorf("loading the box: %w", err)
	}
	chunks = nil

	if res.Close, err = measureBox(pgDir, func(*boxPhase) error {
		return benchCall(ctx, base, "POST", "/api/v1/polls/"+p.ID+"/close", token, nil, nil)
	}); err != nil {
		return res, err
	}
	return countSurveyBox(ctx, st, keys, base, pgDir, token, p.ID, res, stderr)
}

// Set by `minyi bench -survey-box -keep / -recount ID`: a box of 100,000 ballots takes
// hours to load here, so one loaded box is kept and counted again by each build measured.
var (
	surveyBoxKeep    bool
	surveyBoxRecount string
)

// recountSurveyBox counts again a poll kept by an earlier -keep run: its box as it was
// loaded and closed, its ballots and groups read from the poll.
func recountSurveyBox(ctx context.Context, st *store.Store, keys *server.Keys, base, pgDir, token, id string, res surveyBoxResult, stderr io.Writer) (surveyBoxResult, error) {
	info, err := st.Poll(ctx, id)
	if err != nil {
		return res, fmt.Errorf("-recount %s: %w", id, err)
	}
	if info.State != ballot.Closed && info.State != ballot.Counted {
		return res, fmt.Errorf("-recount %s: the poll is %s, not closed or counted", id, info.State)
	}
	res.Groups = len(info.Groups)
	res.Ballots = -1 // read from the count's tally below
	if k, err := ballot.NewBoxKey(&info.Poll, info.PublicKey); err == nil {
		res.Sealed = k.Size()
	}
	return countSurveyBox(ctx, st, keys, base, pgDir, token, id, res, stderr)
}

// countSurveyBox counts a closed survey box through the API, downloads its bundle and
// runs `minyi verify` on it, each step measured.
func countSurveyBox(ctx context.Context, st *store.Store, keys *server.Keys, base, pgDir, token, pollID string, res surveyBoxResult, stderr io.Writer) (surveyBoxResult, error) {
	p := struct{ ID string }{pollID}
	n := res.Ballots
	var err error
	if res.Count, err = measureBox(pgDir, func(*boxPhase) error {
		return benchCall(ctx, base, "POST", "/api/v1/polls/"+p.ID+"/count", token, nil, nil)
	}); err != nil {
		return res, err
	}
	res.Checked = countChecked(ctx, st, p.ID)
	var counted struct {
		Tally ballot.Tally `json:"tally"`
	}
	if err := benchCall(ctx, base, "GET", "/api/v1/polls/"+p.ID+"/tally", token, nil, &counted); err != nil {
		return res, err
	}
	if n < 0 {
		res.Ballots = counted.Tally.Ballots
	} else if counted.Tally.Ballots != n {
		return res, fmt.Errorf("the count took %d ballots, the loader wrote %d", counted.Tally.Ballots, n)
	}

	// With MINYI_BUNDLE_OUT set, the bundle and the signing key are left there
	// (bundle.zip, key.pub), to profile `minyi verify` on them again afterwards.
	dir := os.Getenv("MINYI_BUNDLE_OUT")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "minyi-surveybox-"); err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.WriteFile(filepath.Join(dir, "key.pub"),
		[]byte(base64.StdEncoding.EncodeToString(keys.Sign.Public().(ed25519.PublicKey))+"\n"), 0o600); err != nil {
		return res, err
	}
	path := filepath.Join(dir, "bundle.zip")
	if res.Bundle, err = measureBox(pgDir, func(ph *boxPhase) error {
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/polls/"+p.ID+"/bundle", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		if r.StatusCode != 200 {
			raw, _ := io.ReadAll(r.Body)
			return fmt.Errorf("bundle: %d %s", r.StatusCode, raw)
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		ph.Bytes, err = io.Copy(f, r.Body)
		return err
	}); err != nil {
		return res, err
	}

	// The verify command as an observer runs it: a process of its own, measured by its
	// own resource usage.
	exe, err := os.Executable()
	if err != nil {
		return res, err
	}
	if res.Verify, err = measureBox("", func(ph *boxPhase) error {
		cmd := exec.CommandContext(ctx, exe, "verify", "-key", ballot.Fingerprint(keys.Sign.Public().(ed25519.PublicKey)), path)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			return err
		}
		// The child's own peak, sampled: the rusage of a child started by fork and exec
		// counts the parent's memory at the fork as well.
		stop := make(chan struct{})
		peak := make(chan int64)
		go func() {
			var hi int64
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				if kb := procStatusKB(cmd.Process.Pid, "VmHWM:"); kb > hi {
					hi = kb
				}
				select {
				case <-stop:
					peak <- hi
					return
				case <-t.C:
				}
			}
		}()
		err := cmd.Wait()
		close(stop)
		ph.PeakRSSMB = float64(<-peak) / 1024
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			ph.CPUSeconds = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
		if err != nil {
			return fmt.Errorf("minyi verify: %v\n%s", err, out.Bytes())
		}
		return nil
	}); err != nil {
		return res, err
	}
	res.Verify.Bytes = res.Bundle.Bytes
	res.LoadEnd = loadAverage()
	if surveyBoxKeep || surveyBoxRecount != "" {
		fmt.Fprintf(stderr, "the poll is kept: %s (count it again with -recount %s)\n", p.ID, p.ID)
		return res, nil
	}
	benchCall(context.WithoutCancel(ctx), base, "DELETE", "/api/v1/polls/"+p.ID, token, nil, nil)
	return res, nil
}

// procStatusKB reads a field of a process's /proc status in kB; 0 once it is gone.
func procStatusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// countChecked reads how many ballots the count checked one by one, from its audit entry.
func countChecked(ctx context.Context, st *store.Store, pollID string) string {
	entries, err := st.PollAudit(ctx, pollID)
	if err != nil {
		return "?"
	}
	for _, e := range entries {
		if e.Action == "poll.count" {
			return e.Detail["checked"]
		}
	}
	return "?"
}

func printSurveyBox(w io.Writer, r surveyBoxResult) {
	fmt.Fprintf(w, "survey box: %d ballots of %d questions (%d bytes sealed each) across %d groups (load average %s at start, %s at end, %d cores)\n",
		r.Ballots, r.Questions, r.Sealed, r.Groups, r.Load, r.LoadEnd, r.Cores)
	line := func(name string, ph boxPhase, note string) {
		fmt.Fprintf(w, "  %-7s %8.1f s   CPU %7.1f s here, %7.1f s PostgreSQL   peak RSS %5.0f MB   %s\n", name, ph.Seconds, ph.CPUSeconds, ph.PgCPUSeconds, ph.PeakRSSMB, note)
	}
	line("load", r.Loaded, "tokens issued, ballots sealed with their proofs and kept sums, written by the vote path's batch (not HTTP)")
	line("close", r.Close, "the box rewritten in a random order, the sums folded")
	line("count", r.Count, fmt.Sprintf("POST /count: the kept sums checked against every ballot, decrypted, bundle and tally stored; %s ballots checked one by one", r.Checked))
	line("bundle", r.Bundle, fmt.Sprintf("GET /bundle streamed to a file: %d bytes", r.Bundle.Bytes))
	line("verify", r.Verify, "minyi verify of that file, its own process (CPU and RSS are its own; no PostgreSQL)")
}
