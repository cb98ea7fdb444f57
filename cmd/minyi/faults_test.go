package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/pgembed"
	"minyi/server"
	"minyi/store"
	"minyi/store/dbtest"
)

// Fault tests: the real server in child processes (this test binary run again as
// `minyi serve`), on a PostgreSQL cluster of their own, killed, drained, restarted and run
// three at a time. Loopback only; each is bounded in time.

// childArgs, when set, makes this test binary run `minyi` with these arguments
// (separated by \x1f) instead of the tests: see TestMain.
const childArgs = "MINYI_TEST_CHILD"

// runChild runs the binary's Main as a child process would, with SIGTERM handled as the
// real binary handles it.
func runChild(args string) int {
	ctx, stop := signalContext()
	defer stop()
	if err := Main(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "minyi:", err)
		return 1
	}
	return 0
}

// faultDB is a private PostgreSQL cluster and a migrated database on it.
type faultDB struct {
	t      *testing.T
	dir    string
	pg     *pgembed.Cluster
	url    string
	st     *store.Store
	secret string
	keys   server.Keys

	secretBytes []byte
}

func (db *faultDB) secretPart() string { return db.secret[:12] }

func newFaultDB(t *testing.T) *faultDB {
	t.Helper()
	dir, err := os.MkdirTemp(dbtest.TempDir(), "minyi-fault-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	db := &faultDB{t: t, dir: dir, secretBytes: make([]byte, 32)}
	rand.Read(db.secretBytes)
	db.secret = hex.EncodeToString(db.secretBytes)
	t.Cleanup(func() { os.RemoveAll(dir) })
	tmpl, err := faultTemplateDir()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", tmpl, filepath.Join(dir, "pg")).CombinedOutput(); err != nil {
		t.Fatalf("copy the template cluster: %v\n%s", err, out)
	}
	if err := db.startPG(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.pg.Stop() })
	// With a password, as a real deployment's URL has (the private cluster trusts local
	// connections and ignores it): it must never reach a log.
	db.url = strings.Replace(db.pg.URL("minyi"), "minyi@", "minyi:pw-"+db.secretPart()+"@", 1)
	if db.st, err = store.Open(ctx, db.url); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.st.Close() })
	if err := db.st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if db.keys, err = server.DeriveKeys(db.secretBytes); err != nil {
		t.Fatal(err)
	}
	return db
}

var ctx = context.Background()

// The fault tests' clusters are copies of one made by initdb and migrated once, then
// stopped: a copy of its files costs a fraction of initdb and the migrations.
var faultTemplate struct {
	once sync.Once
	dir  string // holds the cluster in pg
	err  error
}

func faultTemplateDir() (string, error) {
	faultTemplate.once.Do(func() {
		dir, err := os.MkdirTemp(dbtest.TempDir(), "minyi-fault-template-")
		if err != nil {
			faultTemplate.err = err
			return
		}
		os.Chmod(dir, 0o755)
		faultTemplate.dir = dir
		pg, err := pgembed.Start(ctx, filepath.Join(dir, "pg"), pgembed.Options{Throwaway: true})
		if err != nil {
			faultTemplate.err = err
			return
		}
		defer func() {
			if err := pg.Stop(); err != nil && faultTemplate.err == nil {
				faultTemplate.err = fmt.Errorf("stop the template cluster: %w", err)
			}
		}()
		st, err := store.Open(ctx, pg.URL("minyi"))
		if err != nil {
			faultTemplate.err = err
			return
		}
		defer st.Close()
		faultTemplate.err = st.Migrate(ctx)
	})
	return filepath.Join(faultTemplate.dir, "pg"), faultTemplate.err
}

// removeFaultTemplate deletes the template cluster, if a test made it.
func removeFaultTemplate() {
	if faultTemplate.dir != "" {
		os.RemoveAll(faultTemplate.dir)
	}
}

func (db *faultDB) startPG() error {
	pg, err := pgembed.Start(ctx, filepath.Join(db.dir, "pg"), pgembed.Options{Throwaway: true})
	if err != nil {
		return err
	}
	db.pg = pg
	return nil
}

// child is one `minyi serve` process.
type child struct {
	cmd      *exec.Cmd
	base     string
	password string        // printed by the first instance on a fresh database
	exited   chan struct{} // closed when the process has ended, err then set
	err      error
	logs     *bytes.Buffer // its standard error; read it once exited
}

func (db *faultDB) serve(t *testing.T) *child {
	t.Helper()
	args := strings.Join([]string{"serve", "-addr", "127.0.0.1:0", "-data", db.dir}, "\x1f")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+args, "DATABASE_URL="+db.url, "MINYI_SECRET="+db.secret, "MINYI_BASE_URL=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{}), logs: logs}
	t.Cleanup(func() { cmd.Process.Kill(); <-c.exited })
	sc := bufio.NewScanner(out)
	for c.base == "" && sc.Scan() {
		if m := firstPassword.FindStringSubmatch(sc.Text()); m != nil {
			c.password = m[1]
		}
		if m := loginAddress.FindStringSubmatch(sc.Text()); m != nil {
			c.base = m[1]
		}
	}
	go func() { io.Copy(io.Discard, out); c.err = cmd.Wait(); close(c.exited) }()
	if c.base == "" {
		t.Fatalf("the server did not start: %s", logs.String())
	}
	return c
}

// faultPoll is an open one-person 民主测评 with n tokens, and the JSON ballot to cast: the
// faults are in the delivery of ballots, not in their size, and a ballot of one line
// costs the servers a fifth of the sealing that five cost.
func (db *faultDB) poll(n int) (*store.PollInfo, []ballot.Token, []byte) {
	p, toks, err := benchPollOf(ctx, db.st, db.keys, n, benchShape{kind: "evaluation", subjects: 1})
	if err != nil {
		db.t.Fatal(err)
	}
	lines := map[string][]string{}
	for _, s := range p.Forms[0].Evaluation.Subjects {
		lines[s.ID] = []string{"称职"}
	}
	body, _ := json.Marshal(map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": p.Forms[0].ID, "lines": lines}}}})
	return p, toks, body
}

// answer is what a voter's phone got for one submission.
type answer struct {
	status  int    // 0: no answer (connection refused, reset, timed out)
	code    string // the API's error code
	receipt string
	wrote   time.Time // when the request was fully sent; zero if it never was
	done    time.Time // when the answer (or the failure) came
}

func (a answer) String() string {
	if a.status == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", a.status, a.code)
}

var voterClient = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}

// cast submits a ballot through the voters' API, noting when the request was sent.
func cast(base string, t ballot.Token, body []byte) answer {
	var wrote time.Time
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote = time.Now()
		}
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), "POST", base+"/api/v1/ballot/"+string(t), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := voterClient.Do(req)
	if err != nil {
		return answer{wrote: wrote, done: time.Now()}
	}
	defer res.Body.Close()
	var out struct {
		Receipt string
		Error   struct{ Code string }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil && res.StatusCode == 200 {
		return answer{wrote: wrote, done: time.Now()} // the answer was cut off
	}
	return answer{status: res.StatusCode, code: out.Error.Code, receipt: out.Receipt, wrote: wrote, done: time.Now()}
}

// castAll sends each token once from c voters at a time; during is called after every
// answer with the number of successes so far, and may break things.
func castAll(toks []ballot.Token, c int, base func(i int) string, body []byte, during func(ok int)) []answer {
	out := make([]answer, len(toks))
	jobs := make(chan int)
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				a := cast(base(i), toks[i], body)
				mu.Lock()
				out[i] = a
				if a.status == 200 {
					ok++
				}
				n := ok
				mu.Unlock()
				if during != nil {
					during(n)
				}
			}
		}()
	}
	for i := range toks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return out
}

// retryUntilAnswered sends again, as a voter would, until the answer is final: counted,
// or already counted.
func retryUntilAnswered(t *testing.T, base string, tok ballot.Token, body []byte) answer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := cast(base, tok, body)
		if a.status == 200 || a.code == ballot.ETOKENUSED {
			return a
		}
		if a.status != 0 && a.code != ballot.ERETRY {
			t.Fatalf("a retried vote got %v", a)
		}
		if time.Now().After(deadline) {
			t.Fatalf("a retried vote still gets %v after 30 s", a)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// audit closes the poll and checks the box: one ballot per token, every receipt a voter
// was given is in it.
func (db *faultDB) audit(t *testing.T, p *store.PollInfo, n int, answers ...[]answer) {
	t.Helper()
	if err := db.st.ClosePoll(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	box, err := db.st.Box(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	tu, err := db.st.Turnout(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(box) != n || tu[0].Used != n {
		t.Fatalf("%d tokens voted: the box holds %d ballots and %d tokens are used", n, len(box), tu[0].Used)
	}
	inBox := map[string]bool{}
	for _, b := range box {
		inBox[ballot.ReceiptCode(ballot.Receipt(b.Sealed))] = true
	}
	given := 0
	for _, as := range answers {
		for _, a := range as {
			if a.status == 200 {
				given++
				if !inBox[a.receipt] {
					t.Fatalf("a voter was told %q is in the box; it is not", a.receipt)
				}
			}
		}
	}
	if given > n {
		t.Fatalf("%d success answers for %d tokens", given, n)
	}
}

func tally(answers []answer) map[string]int {
	m := map[string]int{}
	for _, a := range answers {
		m[a.String()]++
	}
	return m
}

// kill -9 during a load of 200 submits from 40 voters at a time, after the first 100 are
// counted: after a restart every ballot that got a success answer is in the box, and the
// voters who got no answer (those in flight, and those after) send again and are counted
// once. The size is what puts the kill mid-load: forty in flight and more behind them.
func TestFaultKilledServer(t *testing.T) {
	t.Parallel()
	db := newFaultDB(t)
	p, toks, body := db.poll(200)
	a := db.serve(t)
	var once sync.Once
	killed := false
	first := castAll(toks, 40, func(int) string { return a.base }, body, func(ok int) {
		if ok >= 100 {
			once.Do(func() { killed = true; a.cmd.Process.Signal(syscall.SIGKILL) })
		}
	})
	once.Do(func() {}) // after the load, killed is read alone
	if !killed {
		t.Fatalf("the load ended before 100 votes were counted, and nothing was killed: %v", tally(first))
	}
	<-a.exited
	counts := tally(first)
	if counts["200 "] < 100 || counts["no answer"] == 0 {
		t.Fatalf("the kill did not land mid-load: %v", counts)
	}
	for k := range counts {
		if k != "200 " && k != "no answer" {
			t.Fatalf("before the kill a voter got %q: %v", k, counts)
		}
	}
	b := db.serve(t)
	var again []answer
	already := 0
	for i, ans := range first {
		if ans.status == 200 {
			continue
		}
		r := retryUntilAnswered(t, b.base, toks[i], body)
		if r.code == ballot.ETOKENUSED {
			already++ // committed before the kill, answer lost with the process
		}
		again = append(again, r)
	}
	// A voter told "counted" who sends again is told "already counted".
	for i := range 20 {
		if first[i].status == 200 {
			if r := cast(b.base, toks[i], body); r.code != ballot.ETOKENUSED {
				t.Fatalf("a counted vote sent again got %v", r)
			}
		}
	}
	t.Logf("first pass %v; after restart %d sent again, %d of them already counted", counts, len(again), already)
	db.audit(t, p, len(toks), first, again)
}

// SIGTERM during a load: no new votes (a retryable answer), every submission in flight
// when the signal came answered (counted, or retry), the live streams ended by the server
// (a clean end of the stream, not a dropped connection) before it exits, the process out
// within seconds. Only a submission sent after the signal may go unanswered: the
// listener is closed by then. The load: 200 submits from 40 voters at a time, the signal
// after the first 100 are counted.
func TestFaultGracefulStop(t *testing.T) {
	t.Parallel()
	db := newFaultDB(t)
	p, toks, body := db.poll(200)
	key, err := db.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := db.serve(t)
	stream, err := http.Get(a.base + "/screen/" + key + "/live")
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("live stream: %v", err)
	}
	var streamErr error
	streamEnded := make(chan struct{})
	go func() { _, streamErr = io.Copy(io.Discard, stream.Body); close(streamEnded) }()
	var once sync.Once
	var termAt time.Time
	first := castAll(toks, 40, func(int) string { return a.base }, body, func(ok int) {
		if ok >= 100 {
			once.Do(func() { termAt = time.Now(); a.cmd.Process.Signal(syscall.SIGTERM) })
		}
	})
	select {
	case <-a.exited:
		if a.err != nil {
			t.Fatalf("the server exited with %v after SIGTERM", a.err)
		}
		t.Logf("stopped %v after SIGTERM", time.Since(termAt).Round(time.Millisecond))
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not stop within 20 s of SIGTERM")
	}
	select {
	case <-streamEnded:
		if streamErr != nil {
			t.Errorf("the live stream was dropped, not ended by the server: %v", streamErr)
		}
	case <-time.After(time.Second):
		t.Fatal("the live stream was left open")
	}
	counts := tally(first)
	for k := range counts {
		if k != "200 " && k != "503 retry" && k != "no answer" {
			t.Fatalf("while stopping a voter got %q: %v", k, counts)
		}
	}
	inFlight, unanswered := 0, 0
	var lost []string
	for _, ans := range first {
		if ans.wrote.IsZero() || !ans.wrote.Before(termAt) || ans.done.Before(termAt) {
			continue // sent after the signal, or answered before it
		}
		inFlight++
		if ans.status == 0 {
			unanswered++
			lost = append(lost, fmt.Sprintf("sent %v before SIGTERM, failed %v after", termAt.Sub(ans.wrote), ans.done.Sub(termAt)))
		}
	}
	if unanswered > 0 {
		t.Log(strings.Join(lost, "\n"))
	}
	if inFlight == 0 {
		t.Fatalf("the stop did not land mid-load: no submission in flight at SIGTERM; %v", counts)
	}
	if unanswered > 0 {
		t.Fatalf("%d of the %d submissions in flight at SIGTERM got no answer: the server stopped without draining; %v", unanswered, inFlight, counts)
	}
	t.Logf("%d submissions in flight at SIGTERM, all answered", inFlight)
	b := db.serve(t)
	var again []answer
	for i, ans := range first {
		if ans.status != 200 {
			r := retryUntilAnswered(t, b.base, toks[i], body)
			if ans.code == ballot.ERETRY && r.status != 200 {
				t.Fatalf("a vote refused with retry while stopping was kept after all: %v", r)
			}
			again = append(again, r)
		}
	}
	t.Logf("while stopping %v; %d sent again", counts, len(again))
	// Secrets never logged: the server secret, the database password, any token.
	logs := a.logs.String()
	if !strings.Contains(logs, "shutting down") {
		t.Fatalf("no shutdown in the log:\n%s", logs)
	}
	for _, secret := range []string{db.secret, "pw-" + db.secretPart()} {
		if strings.Contains(logs, secret) {
			t.Fatal("a secret is in the server's log")
		}
	}
	for _, tok := range toks {
		if strings.Contains(logs, string(tok)) {
			t.Fatal("a token is in the server's log")
		}
	}
	db.audit(t, p, len(toks), first, again)
}

// PostgreSQL restarted during voting (240 tokens, from 20 voters at a time, the restart
// after the first 120 are counted): voters get a clear retryable answer, the server
// reconnects by itself, and nothing is doubled.
func TestFaultDatabaseRestart(t *testing.T) {
	t.Parallel()
	db := newFaultDB(t)
	p, toks, body := db.poll(240)
	a := db.serve(t)
	var once sync.Once
	restarted := make(chan struct{})
	started := false
	first := castAll(toks, 20, func(int) string { return a.base }, body, func(ok int) {
		if ok >= 120 {
			once.Do(func() {
				started = true
				go func() {
					defer close(restarted)
					if err := db.pg.Stop(); err != nil {
						t.Error(err)
					}
					time.Sleep(500 * time.Millisecond)
					res, err := http.Get(a.base + "/healthz")
					if err != nil || res.StatusCode != 200 {
						t.Error("/healthz failed while the database was down: an orchestrator would kill every instance")
					} else {
						res.Body.Close()
					}
					if err := db.startPG(); err != nil {
						t.Error(err)
					}
				}()
			})
		}
	})
	once.Do(func() {}) // after the load, started is read alone
	if !started {
		t.Fatalf("the load ended before 120 votes were counted, and the database was not restarted: %v", tally(first))
	}
	<-restarted
	counts := tally(first)
	for k := range counts {
		if k != "200 " && k != "503 retry" && k != "409 token_used" {
			t.Fatalf("during the restart a voter got %q: %v", k, counts)
		}
	}
	if counts["503 retry"] == 0 {
		t.Fatalf("no vote met the restart: %v", counts)
	}
	var again []answer
	for i, ans := range first {
		if ans.status != 200 {
			again = append(again, retryUntilAnswered(t, a.base, toks[i], body))
		}
	}
	t.Logf("during the restart %v; %d sent again", counts, len(again))
	db.audit(t, p, len(toks), first, again)
}

// Three instances on one database, every token sent three times at once, once to each
// instance: one ballot per token, no retry, and every instance's dashboard agrees. What is
// under test is contention: batches on the three instances hold the same tokens at the
// same moment, each instance sent them in an order of its own, and must not deadlock.
// Batches that locked their tokens in the order they came (not one fixed order) deadlocked
// here on a few hundred tokens, where two sends of a token in the same order to two
// instances needed ten thousand tokens to catch it once or twice.
func TestFaultThreeInstances(t *testing.T) {
	t.Parallel()
	db := newFaultDB(t)
	const n = 900
	p, toks, body := db.poll(n)
	key, err := db.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	inst := []*child{db.serve(t), db.serve(t), db.serve(t)}
	// Each instance's big screen, open from the start.
	type screen struct {
		mu   sync.Mutex
		used int
	}
	screens := make([]*screen, len(inst))
	for k, c := range inst {
		res, err := http.Get(c.base + "/screen/" + key + "/live")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("live stream: %v", err)
		}
		t.Cleanup(func() { res.Body.Close() })
		sc := &screen{}
		screens[k] = sc
		go func() {
			s := bufio.NewScanner(res.Body)
			s.Buffer(make([]byte, 1<<16), 1<<20)
			for s.Scan() {
				if d, ok := strings.CutPrefix(s.Text(), "data: "); ok {
					var v struct {
						Turnout struct{ Total struct{ Used int } }
					}
					json.Unmarshal([]byte(d), &v)
					sc.mu.Lock()
					sc.used = v.Turnout.Total.Used
					sc.mu.Unlock()
				}
			}
		}()
	}
	// Jobs: the tokens in blocks of thirty, each instance sent every token of a block in
	// an order of its own (drawn from a fixed seed, so a failure comes again), the three
	// sends of a block interleaved so that they arrive side by side.
	type job struct{ tok, inst int }
	var jobs []job
	order := mrand.New(mrand.NewPCG(1, 2))
	for from := 0; from < n; from += 30 {
		var perms [3][]int
		for k := range perms {
			perms[k] = order.Perm(min(30, n-from))
		}
		for j := range perms[0] {
			for k := range perms {
				jobs = append(jobs, job{from + perms[k][j], k})
			}
		}
	}
	jobToks := make([]ballot.Token, len(jobs))
	for j, jb := range jobs {
		jobToks[j] = toks[jb.tok]
	}
	start := time.Now()
	answers := castAll(jobToks, 60, func(j int) string { return inst[jobs[j].inst].base }, body, nil)
	t.Logf("%d submits in %v", len(jobs), time.Since(start).Round(time.Millisecond))
	perToken := make([][]answer, n)
	for j, jb := range jobs {
		a := answers[j]
		if a.code == ballot.ERETRY || a.status == 0 {
			// Nothing failed here: a retry would mean two instances' batches holding the
			// same token deadlocked (they once did, and PostgreSQL broke each after 1 s).
			t.Errorf("token %d on instance %d: %v", jb.tok, jb.inst+1, a)
		}
		perToken[jb.tok] = append(perToken[jb.tok], a)
	}
	if t.Failed() {
		t.FailNow()
	}
	for i, as := range perToken {
		ok, used := 0, 0
		for _, a := range as {
			switch {
			case a.status == 200:
				ok++
			case a.code == ballot.ETOKENUSED:
				used++
			default:
				t.Fatalf("token %d: %v", i, a)
			}
		}
		if ok != 1 || used != len(as)-1 {
			t.Fatalf("token %d sent %d times: %d counted, %d already counted", i, len(as), ok, used)
		}
	}
	// Every dashboard shows the whole turnout, pushed live, and the API agrees.
	deadline := time.Now().Add(10 * time.Second)
	for k, sc := range screens {
		for {
			sc.mu.Lock()
			used := sc.used
			sc.mu.Unlock()
			if used == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %d's big screen shows %d votes of %d", k+1, used, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	admin := inst[0].password
	if admin == "" {
		t.Fatal("the first instance printed no admin password")
	}
	var views []string
	var token string
	for k, c := range inst {
		if token == "" {
			var out struct{ Token string }
			postJSON(t, c.base+"/api/v1/sessions", "", map[string]string{"username": "admin", "password": admin}, &out)
			token = out.Token
		}
		req, _ := http.NewRequest("GET", c.base+"/api/v1/polls/"+p.ID+"/turnout", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("instance %d turnout: %d %s", k+1, res.StatusCode, b)
		}
		views = append(views, string(b))
	}
	if views[0] != views[1] || views[1] != views[2] {
		t.Fatalf("the instances disagree:\n%s\n%s\n%s", views[0], views[1], views[2])
	}
	var all []answer
	for _, as := range perToken {
		all = append(all, as...)
	}
	db.audit(t, p, n, all)
}

func postJSON(t *testing.T, url, token string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %d %s", url, res.StatusCode, raw)
	}
	if out != nil {
		json.Unmarshal(raw, out)
	}
}
