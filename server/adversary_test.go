package server_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"minyi/ballot"
	"minyi/pgembed"
	"minyi/server"
	"minyi/store"
	"minyi/store/dbtest"
)

// The operator as adversary. The operator runs the database and the servers, holds the
// server secret and, having printed them, every slip. In a quiet hall (one voter at a
// time, so every ballot is written alone) it collects everything a deployment leaves
// lying about: dumps, a live read of every table with its system columns, the WAL, the raw
// files of the data directory and the servers' logs; then it tries every way we know to
// pair a slip with the sealed ballot it cast. The test drives the votes, so it knows the
// truth; the truth is read back from the sealed bytes through the receipt each voter saw
// (the receipt is a hash of the sealed ballot), never from anything the adversary uses.
//
// One link is there by design: while the poll is open, a ballot row carries a nullifier,
// a keyed hash of its token, so that the server can refuse a second submission. Whoever
// holds the secret and the slips can recompute it. That attack is the one exception
// (allowedLink below), and only where the secrecy model says it holds: before close, and
// afterwards in what was copied before close (the WAL, the data files, an earlier dump).
// Everything else pairing above chance is a failure.

// Chance, and how far from it a guess must be to fail. A guess that knows nothing pairs a
// slip with its ballot as a random permutation does: about one exact match per voter
// group the guess keeps apart (two groups here), Poisson-like, so P(≥ 14 matches) ≈ 3e-8
// even for a guess that uses the groups. A rank correlation over n pairs has a standard
// deviation of 1/√(n-1) by chance, and |ρ|·√(n-1) ≥ 4.75 happens with p ≈ 2.5e-7 at 72
// pairs (never in 20 million random orders of 24, whose whole range is ±4.8: an order
// kept whole is still seen there). About forty-five guesses are judged in a run (some 20
// of them orders), and three WAL length tests at p < 2e-6 (walLengths): a false failure
// comes about once in a hundred thousand runs.
const (
	pairingMatches = 14
	pairingZ       = 4.75
)

// guess is one attack's answer: slips (their place in the order of issue) paired with
// ballots (named by their receipt), or two orders the attack believes line up.
type guess struct {
	pairs       map[int]string
	slipOrder   []int
	ballotOrder []string
	note        string
}

// slipKnowledge is what the adversary computes from one printed slip with the secret.
type slipKnowledge struct {
	code    string
	group   int
	lookup  []byte   // the token's hash as the tokens table keeps it
	keyed   [][]byte // the token under every other key the secret derives
	strings []string // every spelling of the slip that might turn up in text
}

// table is one table as read: its rows, column → text (bytea as \x…, NULL as "").
type table struct {
	rows []map[string]string
}

type walRecord struct {
	lsn, rec, tot uint64
	xid           uint64
	rmgr, desc    string
	rels          []string // relfilenodes of the blocks it touches
}

type walHit struct {
	pos  uint64 // LSN of the bytes found
	what needleInfo
}

type rawTuple struct {
	file string
	xmin uint32
	data []byte
}

type snapshot struct {
	name     string
	closed   bool
	live     map[string]*table
	dump     map[string]*table
	relname  map[string]string // relfilenode → table
	wal      []walRecord
	walHits  []walHit
	tuples   []rawTuple
	sealed   map[string][]byte // every sealed ballot of the poll seen live: receipt → bytes
	tokenAt  map[string]int    // ctid of a token row before voting → slip
	walStart string
	raw      *rawFound
}

type rawFound struct {
	tokens  map[uint32][]int
	ballots map[uint32][]string
	both    map[int]string
}

type adversary struct {
	t        *testing.T
	dbURL    string
	dataDir  string
	bin      string
	pollID   string
	slips    []slipKnowledge
	bySlip   map[string]int // lookup hash (hex) → slip
	before   *snapshot      // after issue, before the first vote
	snaps    []*snapshot
	needles  [][]byte // what is searched in raw bytes: ballots, then slips' digests
	needle   []needleInfo
	byPrefix map[uint64][]int
}

type needleInfo struct {
	ballot string // receipt, for a sealed ballot
	slip   int    // for a slip's digest
	lookup bool   // the digest is the token's lookup hash
}

func TestOperatorCannotPairSlipsWithBallots(t *testing.T) {
	e, dataDir := newPrivateEnv(t)
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))

	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "年度民主测评", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "职工代表", "expected": 50}, {"name": "中层干部", "expected": 30}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}},
	}, 201, &p)
	var codes []string
	var groupOf []int
	for g, n := range []int{48, 32} {
		var out struct{ Tokens []struct{ Code string } }
		e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens", map[string]any{"group_id": p.Groups[g].ID, "count": n}, 201, &out)
		for _, tk := range out.Tokens {
			codes = append(codes, tk.Code)
			groupOf = append(groupOf, g)
		}
	}
	e.openPoll(p.ID)

	bin, err := pgembed.Bin()
	if err != nil {
		t.Fatal(err)
	}
	adv := &adversary{t: t, dbURL: e.url, dataDir: dataDir, bin: bin, pollID: p.ID, bySlip: map[string]int{}}
	adv.learnSlips(codes, groupOf)
	adv.before = adv.collect("before voting", false)

	// A second instance behind the same load balancer: phones reach either.
	bases := []string{e.base, startSecond(t, e)}

	// The hall votes one by one in an order drawn here; a few slips are never used.
	order := rng.Perm(len(codes))[:72]
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	truth := map[int]string{}   // slip → receipt
	gradeOf := map[string]int{} // receipt → grade (the oracle for lengths)
	receiptRe := regexp.MustCompile(`class="receipt">([0-9A-Z-]+)<`)
	for k, i := range order {
		grade := rng.IntN(len(grades))
		res, page := postForm(t, http.DefaultClient, bases[rng.IntN(2)]+"/v/"+codes[i], url.Values{"f1.s1": {grades[grade]}})
		m := receiptRe.FindSubmatch(page)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("vote %d: status %d, no receipt on the page:\n%s", k, res.StatusCode, page)
		}
		truth[i], gradeOf[string(m[1])] = string(m[1]), grade
		if k == 23 || k == 47 {
			adv.snaps = append(adv.snaps, adv.collect(fmt.Sprintf("during voting (%d ballots)", k+1), false))
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	adv.snaps = append(adv.snaps, adv.collect("after close", true))
	// The servers' logs, and PostgreSQL's own.
	pgLog, _ := os.ReadFile(filepath.Join(dataDir, "server.log"))
	logs := e.logs.String() + string(pgLog)

	// The adversary's tools must work, or every attack is at chance for nothing: each
	// snapshot finds every ballot of the poll in the WAL and in the data files.
	for _, s := range adv.snaps {
		adv.checkTools(s)
	}

	failures := 0
	judge := func(where string, s *snapshot, a attack, g guess) {
		t.Helper()
		matches, rho, n := score(g, truth)
		z := rho * math.Sqrt(float64(max(n-1, 0)))
		above := matches >= pairingMatches || (n >= 10 && math.Abs(z) >= pairingZ)
		verdict := "at chance"
		if above {
			verdict = "PAIRS"
		}
		line := fmt.Sprintf("%-26s %-26s %2d of %d slips paired with their ballot", a.name, where, matches, len(truth))
		if n > 0 {
			line += fmt.Sprintf("; rank correlation %+.2f over %d (z %+.1f)", rho, n, z)
		}
		line += " " + verdict + " " + g.note
		if !above {
			t.Log(line)
			return
		}
		if a.allowedLink(s) {
			t.Log(line + " (the nullifier: the designed link, allowed here)")
			return
		}
		failures++
		t.Errorf("%s\n    how: %s", line, a.how)
	}

	for _, s := range adv.snaps {
		for _, a := range attacks {
			g := a.run(adv, s)
			if g.pairs == nil && g.slipOrder == nil {
				continue
			}
			judge(s.name, s, a, g)
		}
	}
	// Logs: the servers' whole output, read at the end.
	lg := logAttack(adv, logs, truth)
	judge("server logs", adv.snaps[len(adv.snaps)-1], attack{name: "log order", how: "slips and receipts named in the logs, in the order they appear"}, lg)

	// Leaks that are not a pairing but tell a ballot's content or its moment.
	for _, s := range adv.snaps {
		failures += adv.lengths(s, gradeOf)
		failures += adv.walLengths(s, gradeOf)
		failures += adv.markers(s)
		failures += adv.digestsElsewhere(s)
	}
	failures += adv.logLeaks(logs, truth)
	failures += adv.nullifierControl(truth)
	if failures > 0 {
		t.Logf("%d findings; %d slips, %d votes, two groups, two instances", failures, len(codes), len(order))
	}
}

// attack is one strategy, named so that a failure says which one worked.
type attack struct {
	name string
	how  string
	// nullifier marks the designed link: allowed before close, and after close in the
	// WAL and the data files (copies of what was there before close), never in the live
	// database or a dump taken after close.
	nullifier bool
	source    string // live, dump, wal, raw, earlier
	run       func(*adversary, *snapshot) guess
}

// allowedLink is the single, documented exception to "nothing pairs".
func (a attack) allowedLink(s *snapshot) bool {
	if !a.nullifier {
		return false
	}
	return !s.closed || a.source == "wal" || a.source == "raw" || a.source == "earlier"
}

var attacks = []attack{
	{name: "xmin shared", source: "live", how: "a token row and a ballot row written by one transaction carry the same xmin",
		run: func(a *adversary, s *snapshot) guess { return a.sharedXmin(s) }},
	{name: "xmin order", source: "live", how: "used tokens and ballots each sorted by xmin, paired rank by rank",
		run: func(a *adversary, s *snapshot) guess { return a.orderBy(s, s.live, xminKey) }},
	{name: "ctid order", source: "live", how: "used tokens and ballots each sorted by physical place (ctid), paired rank by rank",
		run: func(a *adversary, s *snapshot) guess { return a.orderBy(s, s.live, ctidKey) }},
	{name: "id order", source: "live", how: "ballots sorted by id against tokens by xmin",
		run: func(a *adversary, s *snapshot) guess { return a.orderBy(s, s.live, idKey) }},
	{name: "dump order", source: "dump", how: "the order pg_dump lists used tokens and ballots in",
		run: func(a *adversary, s *snapshot) guess { return a.orderBy(s, s.dump, nil) }},
	{name: "shared values", source: "live", how: "a ballot row holding a value of a token row (hash, batch, id)",
		run: func(a *adversary, s *snapshot) guess { return a.sharedValues(s) }},
	{name: "ids from an earlier dump", source: "earlier", how: "ballot ids paired by xmin in a dump taken during voting, looked up again in this one",
		run: func(a *adversary, s *snapshot) guess { return a.idsCarried(s) }},
	{name: "WAL transaction", source: "wal", how: "a WAL record touching a token and one holding a ballot's bytes share a transaction id",
		run: func(a *adversary, s *snapshot) guess { return a.walXid(s) }},
	{name: "WAL order", source: "wal", how: "token records and ballot records in WAL order, paired rank by rank",
		run: func(a *adversary, s *snapshot) guess { return a.walOrder(s) }},
	{name: "data files xmin", source: "raw", how: "tuple versions in the data files (dead ones too): a token version and a ballot version with one xmin",
		run: func(a *adversary, s *snapshot) guess { return a.rawXmin(s) }},
	{name: "data files order", source: "raw", how: "token versions and ballot versions in the data files sorted by xmin, paired rank by rank",
		run: func(a *adversary, s *snapshot) guess { return a.rawOrder(s) }},
	{name: "nullifier (live)", source: "live", nullifier: true, how: "the slip's keyed hash recomputed with the secret, found in ballots.nullifier",
		run: func(a *adversary, s *snapshot) guess { return a.nullifierColumn(s.live) }},
	{name: "nullifier (dump)", source: "dump", nullifier: true, how: "the slip's keyed hash recomputed with the secret, found in the dump's ballots.nullifier",
		run: func(a *adversary, s *snapshot) guess { return a.nullifierColumn(s.dump) }},
	{name: "nullifier (WAL)", source: "wal", nullifier: true, how: "a WAL record holding both a slip's keyed hash and a ballot's bytes",
		run: func(a *adversary, s *snapshot) guess { return a.walNullifier(s) }},
	{name: "nullifier (data files)", source: "raw", nullifier: true, how: "a tuple version holding both a slip's keyed hash and a ballot's bytes",
		run: func(a *adversary, s *snapshot) guess { return a.rawNullifier(s) }},
}

// ---- the hall ----

// newPrivateEnv runs a server on a PostgreSQL cluster of this test's own, so that its WAL
// and data files hold this test's writes only, with fsync and full page writes on as in
// production.
func newPrivateEnv(t *testing.T) (*env, string) {
	t.Helper()
	root, err := os.MkdirTemp(dbtest.TempDir(), "minyi-adversary-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(root, 0o755)
	pg, err := pgembed.Start(ctx, filepath.Join(root, "pg"), pgembed.Options{})
	if err != nil {
		os.RemoveAll(root)
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop(); os.RemoveAll(root) })
	dbURL := pg.URL("minyi")
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return envOn(t, dbURL), pg.Dir
}

func startSecond(t *testing.T, e *env) string {
	_, base, _ := startInstance(t, e.url, e.logs)
	return base
}

// ---- what the secret and the slips give ----

// learnSlips computes, for each slip, the token's lookup hash and its hash under every
// other key the server derives from its secret, in the spellings a derivation might use.
func (a *adversary) learnSlips(codes []string, groupOf []int) {
	keys, err := server.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		a.t.Fatal(err)
	}
	for i, c := range codes {
		tok, err := ballot.ParseToken(c)
		if err != nil {
			a.t.Fatal(err)
		}
		k := slipKnowledge{code: c, group: groupOf[i], lookup: keys.Token.Hash(tok)}
		k.keyed = keyedDigests(keys, tok, a.pollID)
		k.strings = []string{c, string(tok), strings.ToLower(string(tok)), strings.ToLower(c),
			hex.EncodeToString(k.lookup), base64.StdEncoding.EncodeToString(k.lookup), base64.RawURLEncoding.EncodeToString(k.lookup),
			hex.EncodeToString(k.lookup)[:16]}
		// Fragments: two groups of the printed code, with or without the dash.
		groups := strings.Split(c, "-")
		for g := 0; g+1 < len(groups); g++ {
			k.strings = append(k.strings, groups[g]+"-"+groups[g+1], groups[g]+groups[g+1])
		}
		for _, d := range k.keyed {
			k.strings = append(k.strings, hex.EncodeToString(d), base64.StdEncoding.EncodeToString(d), base64.RawURLEncoding.EncodeToString(d))
		}
		a.slips = append(a.slips, k)
		a.bySlip[hex.EncodeToString(k.lookup)] = i
	}
}

// keyedDigests is what the secret makes of a token besides its lookup hash: the server's
// own nullifier of it in the poll, and HMAC-SHA256 of it (alone or with the poll) under
// every other key the server derives, in case one of them left a trace somewhere.
func keyedDigests(keys server.Keys, tok ballot.Token, pollID string) [][]byte {
	out := [][]byte{keys.Nullifier.Nullifier(tok)}
	for _, key := range [][]byte{keys.Share, keys.Paper, keys.Nullifier, keys.Sign.Seed()} {
		for _, msg := range []string{string(tok), pollID + string(tok), pollID + "\x00" + string(tok), string(tok) + pollID} {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(msg))
			out = append(out, m.Sum(nil))
		}
	}
	return out
}

// ---- collecting ----

func (a *adversary) db() *sql.DB {
	db, err := sql.Open("postgres", a.dbURL)
	if err != nil {
		a.t.Fatal(err)
	}
	return db
}

// collect takes everything the operator can copy at this moment.
func (a *adversary) collect(name string, closed bool) *snapshot {
	a.t.Helper()
	db := a.db()
	defer db.Close()
	s := &snapshot{name: name, closed: closed, live: map[string]*table{}, relname: map[string]string{}, sealed: map[string][]byte{}}
	// Every table of the database outside the system catalogs, with the system columns a
	// SELECT * leaves out.
	// A partition's rows are taken as its table's (ballots_h3 as ballots): the attacks look
	// at a table as a whole, as an operator who knows the schema would.
	rows, err := db.Query(`SELECT n.nspname, c.relname, coalesce(pp.relname, c.relname), coalesce(pg_relation_filenode(c.oid)::text, '') FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_inherits i ON i.inhrelid = c.oid LEFT JOIN pg_class pp ON pp.oid = i.inhparent AND pp.relkind = 'p'
		WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`)
	if err != nil {
		a.t.Fatal(err)
	}
	type rel struct{ schema, name, key string }
	var rels []rel
	for rows.Next() {
		var r rel
		var node string
		rows.Scan(&r.schema, &r.name, &r.key, &node)
		if r.schema != "public" {
			r.key = r.schema + "." + r.key
		}
		rels = append(rels, r)
		s.relname[node] = r.key
	}
	rows.Close()
	for _, r := range rels {
		n := r.key
		tb := s.live[n]
		if tb == nil {
			tb = &table{}
		}
		rs, err := db.Query(fmt.Sprintf(`SELECT t.xmin::text, t.ctid::text, to_jsonb(t)::text FROM %q.%q t`, r.schema, r.name))
		if err != nil {
			a.t.Fatal(err)
		}
		for rs.Next() {
			var xmin, ctid, doc string
			rs.Scan(&xmin, &ctid, &doc)
			row := jsonRow(doc)
			row["xmin"], row["ctid"] = xmin, ctid
			tb.rows = append(tb.rows, row)
		}
		rs.Close()
		s.live[n] = tb
	}
	for _, r := range s.live["ballots"].rows {
		if r["poll_id"] == a.pollID && r["group_id"] != "" { // a filled slot, or a ballot
			if b := byteaOf(r["sealed"]); len(b) > 0 {
				s.sealed[receiptOf(b)] = b
			}
		}
	}
	if a.before == nil {
		s.tokenAt = map[string]int{}
		for _, r := range s.live["tokens"].rows {
			if i, ok := a.bySlip[hex.EncodeToString(byteaOf(r["hash"]))]; ok {
				s.tokenAt[r["ctid"]] = i
			}
		}
		db.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&s.walStart)
	}
	s.dump = dumpTables(a.t, a.dbURL)
	if a.before == nil {
		return s // the starting point: WAL and files are read from here on
	}
	a.readWAL(db, s)
	a.readFiles(db, s)
	return s
}

func jsonRow(doc string) map[string]string {
	var m map[string]any
	json.Unmarshal([]byte(doc), &m)
	row := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			row[k] = v
		case nil:
			row[k] = ""
		default:
			b, _ := json.Marshal(v)
			row[k] = string(b)
		}
	}
	return row
}

func dumpTables(t *testing.T, dbURL string) map[string]*table {
	_, tables := pgDump(t, dbURL)
	out := map[string]*table{}
	for name, tb := range tables {
		o := &table{}
		for _, r := range tb.rows {
			row := map[string]string{}
			for i, c := range tb.cols {
				if i < len(r) {
					v := r[i]
					if v == `\N` {
						v = ""
					}
					row[c] = v
				}
			}
			o.rows = append(o.rows, row)
		}
		out[name] = o
	}
	return out
}

// byteaOf reads a bytea as PostgreSQL prints it (\x… in JSON, \\x… in a dump).
func byteaOf(v string) []byte {
	v = strings.TrimPrefix(strings.TrimPrefix(v, `\`), `\`)
	if !strings.HasPrefix(v, "x") {
		return nil
	}
	b, err := hex.DecodeString(v[1:])
	if err != nil {
		return nil
	}
	return b
}

func receiptOf(sealed []byte) string { return ballot.ReceiptCode(ballot.Receipt(sealed)) }

var walLine = regexp.MustCompile(`^rmgr: (\S+)\s+len \(rec/tot\):\s*(\d+)/\s*(\d+), tx:\s*(\d+), lsn: ([0-9A-F]+)/([0-9A-F]+), prev [0-9A-F/]+, desc: (.*)$`)
var walRel = regexp.MustCompile(`rel \d+/\d+/(\d+)`)

// readWAL reads the WAL written since voting opened, as pg_waldump shows it, and finds
// where the known ballots and the slips' digests lie in its raw bytes.
func (a *adversary) readWAL(db *sql.DB, s *snapshot) {
	start := s.walStart
	if a.before != nil {
		start = a.before.walStart
	}
	var end string
	db.QueryRow(`SELECT pg_current_wal_flush_lsn()::text`).Scan(&end)
	walDir := filepath.Join(a.dataDir, "pg_wal")
	cmd := exec.Command(filepath.Join(a.bin, "pg_waldump"), "-p", walDir, "-s", start, "-e", end)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output() // it ends with an error where the WAL written so far ends
	for _, line := range strings.Split(string(out), "\n") {
		m := walLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r := walRecord{rmgr: m[1], desc: m[7]}
		r.rec, _ = strconv.ParseUint(m[2], 10, 64)
		r.tot, _ = strconv.ParseUint(m[3], 10, 64)
		r.xid, _ = strconv.ParseUint(m[4], 10, 64)
		hi, _ := strconv.ParseUint(m[5], 16, 64)
		lo, _ := strconv.ParseUint(m[6], 16, 64)
		r.lsn = hi<<32 | lo
		for _, rm := range walRel.FindAllStringSubmatch(m[7], -1) {
			r.rels = append(r.rels, rm[1])
		}
		s.wal = append(s.wal, r)
	}
	if len(s.wal) == 0 {
		a.t.Fatalf("%s: pg_waldump read no record from %s: %s", s.name, start, stderr.String())
	}
	// The raw segments, from the first record read to the last.
	a.prepareNeedles(s)
	from, to := s.wal[0].lsn, s.wal[len(s.wal)-1].lsn+s.wal[len(s.wal)-1].tot
	files, _ := filepath.Glob(filepath.Join(walDir, "[0-9A-F]*"))
	for _, f := range files {
		name := filepath.Base(f)
		if len(name) != 24 {
			continue
		}
		logNo, _ := strconv.ParseUint(name[8:16], 16, 64)
		segNo, _ := strconv.ParseUint(name[16:24], 16, 64)
		const segSize = 16 << 20
		base := logNo<<32 | segNo*segSize
		if base+segSize <= from || base > to {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			a.t.Fatal(err)
		}
		lo, hi := uint64(0), uint64(len(b))
		if from > base {
			lo = from - base
		}
		if to-base < hi {
			hi = to - base
		}
		// WAL is written in 8 kB pages, each opening with a header (a longer one on a
		// segment's first page), and a record's bytes run on across it: search the pages'
		// contents joined, and map what is found back to its LSN.
		var joined []byte
		var starts []int
		var lsns []uint64
		for off := lo &^ 8191; off < hi && off < uint64(len(b)); off += 8192 {
			hdr := uint64(24)
			if off == 0 {
				hdr = 40
			}
			starts, lsns = append(starts, len(joined)), append(lsns, base+off+hdr)
			joined = append(joined, b[off+hdr:min(off+8192, uint64(len(b)))]...)
		}
		for _, h := range a.search(joined) {
			k := sort.SearchInts(starts, int(h.pos)+1) - 1
			s.walHits = append(s.walHits, walHit{pos: lsns[k] + h.pos - uint64(starts[k]), what: a.needle[h.needle]})
		}
	}
}

// readFiles reads every heap page of the database's files, live and dead tuple versions
// alike, after a checkpoint (the operator can ask for one) has written them out.
func (a *adversary) readFiles(db *sql.DB, s *snapshot) {
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		a.t.Fatal(err)
	}
	var dbOID string
	db.QueryRow(`SELECT oid::text FROM pg_database WHERE datname = current_database()`).Scan(&dbOID)
	files, _ := filepath.Glob(filepath.Join(a.dataDir, "base", dbOID, "*"))
	isRel := regexp.MustCompile(`^\d+(\.\d+)?$`)
	for _, f := range files {
		if !isRel.MatchString(filepath.Base(f)) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			a.t.Fatal(err)
		}
		node := strings.Split(filepath.Base(f), ".")[0]
		for off := 0; off+8192 <= len(b); off += 8192 {
			page := b[off : off+8192]
			lower, upper := binary.LittleEndian.Uint16(page[12:]), binary.LittleEndian.Uint16(page[14:])
			special, version := binary.LittleEndian.Uint16(page[16:]), binary.LittleEndian.Uint16(page[18:])
			if special != 8192 || version != 8192|4 || lower < 24 || lower > upper || upper > 8192 {
				continue // not a heap page (an index, or empty)
			}
			for lp := 24; lp+4 <= int(lower); lp += 4 {
				item := binary.LittleEndian.Uint32(page[lp:])
				at, flags, n := int(item&0x7fff), (item>>15)&3, int(item>>17)
				if flags != 1 || n < 24 || at+n > 8192 {
					continue
				}
				tup := page[at : at+n]
				s.tuples = append(s.tuples, rawTuple{file: node, xmin: binary.LittleEndian.Uint32(tup), data: tup})
			}
		}
	}
}

// prepareNeedles lists what is looked for in raw bytes: every ballot of the poll seen in
// any snapshot so far, and every slip's lookup hash and keyed hashes.
func (a *adversary) prepareNeedles(s *snapshot) {
	a.needles, a.needle = nil, nil
	seen := map[string]bool{}
	for _, sn := range append(append([]*snapshot{}, a.snaps...), s) {
		for r, b := range sn.sealed {
			if !seen[r] {
				seen[r] = true
				a.needles = append(a.needles, window(b))
				a.needle = append(a.needle, needleInfo{ballot: r, slip: -1})
			}
		}
	}
	for i, k := range a.slips {
		a.needles = append(a.needles, k.lookup)
		a.needle = append(a.needle, needleInfo{slip: i, lookup: true})
		for _, d := range k.keyed {
			a.needles = append(a.needles, d)
			a.needle = append(a.needle, needleInfo{slip: i})
		}
	}
	a.byPrefix = map[uint64][]int{}
	for i, n := range a.needles {
		if len(n) >= 8 {
			p := binary.LittleEndian.Uint64(n)
			a.byPrefix[p] = append(a.byPrefix[p], i)
		}
	}
}

// window is the part of a sealed ballot that is looked for: 32 bytes from its middle. A
// ballot's first bytes may be shared by all (a version, a key) and its last ones may be
// left out of a WAL record that repeats the end of the row version it replaces.
func window(b []byte) []byte {
	at := max(0, len(b)/2-16)
	return b[at:min(len(b), at+32)]
}

type hit struct {
	pos    uint64
	needle int
}

// search finds every needle in b, by the first eight bytes and then the whole needle.
func (a *adversary) search(b []byte) []hit {
	byPrefix := a.byPrefix
	var out []hit
	for i := 0; i+8 <= len(b); i++ {
		cands, ok := byPrefix[binary.LittleEndian.Uint64(b[i:])]
		if !ok {
			continue
		}
		for _, c := range cands {
			if bytes.HasPrefix(b[i:], a.needles[c]) {
				out = append(out, hit{pos: uint64(i), needle: c})
			}
		}
	}
	return out
}

// recordAt is the WAL record whose bytes hold position pos, if any.
func (s *snapshot) recordAt(pos uint64) (walRecord, bool) {
	i := sort.Search(len(s.wal), func(i int) bool { return s.wal[i].lsn > pos }) - 1
	if i < 0 {
		return walRecord{}, false
	}
	r := s.wal[i]
	// A record spans its length plus the page headers it crosses.
	if pos >= r.lsn+r.tot+24*(r.tot/8192+2) {
		return walRecord{}, false
	}
	return r, true
}

// ---- the attacks ----

func (a *adversary) pollRows(tb *table) []map[string]string {
	if tb == nil {
		return nil
	}
	var out []map[string]string
	for _, r := range tb.rows {
		if r["poll_id"] == a.pollID {
			out = append(out, r)
		}
	}
	return out
}

// usedTokens are the poll's token rows that look used: if some token differs from the
// rest in state, those; if none does, the adversary cannot tell and takes them all.
func (a *adversary) usedTokens(tb *table) []map[string]string {
	all := a.pollRows(tb)
	var used []map[string]string
	for _, r := range all {
		if r["state"] != "" && r["state"] != "issued" {
			used = append(used, r)
		}
	}
	if len(used) == 0 {
		return all
	}
	return used
}

func (a *adversary) slipOf(r map[string]string) (int, bool) {
	i, ok := a.bySlip[hex.EncodeToString(byteaOf(r["hash"]))]
	return i, ok
}

func ballotOf(r map[string]string) (string, bool) {
	b := byteaOf(r["sealed"])
	if len(b) == 0 || r["group_id"] == "" {
		return "", false
	}
	return receiptOf(b), true
}

func (a *adversary) sharedXmin(s *snapshot) guess {
	byXmin := map[string][]int{}
	for _, r := range a.pollRows(s.live["tokens"]) {
		if i, ok := a.slipOf(r); ok {
			byXmin[r["xmin"]] = append(byXmin[r["xmin"]], i)
		}
	}
	g := guess{pairs: map[int]string{}}
	ballots := map[string][]string{}
	for _, r := range a.pollRows(s.live["ballots"]) {
		if b, ok := ballotOf(r); ok {
			ballots[r["xmin"]] = append(ballots[r["xmin"]], b)
		}
	}
	for x, bs := range ballots {
		if ss := byXmin[x]; len(ss) == 1 && len(bs) == 1 {
			g.pairs[ss[0]] = bs[0]
		}
	}
	return g
}

type sortKey func(r map[string]string, pos int) string

func xminKey(r map[string]string, pos int) string {
	x, _ := strconv.ParseUint(r["xmin"], 10, 64)
	return fmt.Sprintf("%020d%020d", x, pos)
}

func ctidKey(r map[string]string, pos int) string {
	var blk, off int
	fmt.Sscanf(r["ctid"], "(%d,%d)", &blk, &off)
	return fmt.Sprintf("%020d%020d", blk, off)
}

func idKey(r map[string]string, pos int) string {
	if _, ok := r["sealed"]; ok {
		return r["id"]
	}
	return xminKey(r, pos)
}

// orderBy sorts used tokens and ballots by key (nil: the order given, as a dump lists
// them) and pairs them rank by rank.
func (a *adversary) orderBy(s *snapshot, tables map[string]*table, key sortKey) guess {
	sorted := func(rows []map[string]string) []map[string]string {
		if key == nil {
			return rows
		}
		ks := make([]string, len(rows))
		idx := make([]int, len(rows))
		for i, r := range rows {
			ks[i], idx[i] = key(r, i), i
		}
		sort.SliceStable(idx, func(x, y int) bool { return ks[idx[x]] < ks[idx[y]] })
		out := make([]map[string]string, len(rows))
		for i, j := range idx {
			out[i] = rows[j]
		}
		return out
	}
	var g guess
	for _, r := range sorted(a.usedTokens(tables["tokens"])) {
		if i, ok := a.slipOf(r); ok {
			g.slipOrder = append(g.slipOrder, i)
		}
	}
	for _, r := range sorted(a.pollRows(tables["ballots"])) {
		if b, ok := ballotOf(r); ok {
			g.ballotOrder = append(g.ballotOrder, b)
		}
	}
	return g
}

func (a *adversary) sharedValues(s *snapshot) guess {
	skip := map[string]bool{"poll_id": true, "group_id": true, "state": true, "rehearsal": true, "xmin": true, "ctid": true}
	valueSlip := map[string]int{}
	for _, r := range a.pollRows(s.live["tokens"]) {
		i, ok := a.slipOf(r)
		if !ok {
			continue
		}
		for c, v := range r {
			if !skip[c] && len(v) >= 8 {
				if _, dup := valueSlip[v]; dup {
					valueSlip[v] = -1 // shared by several tokens (a batch): names no one
				} else {
					valueSlip[v] = i
				}
			}
		}
	}
	g := guess{pairs: map[int]string{}}
	for _, r := range a.pollRows(s.live["ballots"]) {
		b, ok := ballotOf(r)
		if !ok {
			continue
		}
		for c, v := range r {
			if i, hit := valueSlip[v]; hit && i >= 0 && !skip[c] {
				g.pairs[i] = b
				g.note = "ballots." + c
			}
		}
	}
	return g
}

// idsCarried pairs by xmin in the first snapshot taken during voting, remembers the
// pairs by ballot id, and finds those ids again here.
func (a *adversary) idsCarried(s *snapshot) guess {
	if s == a.snaps[0] {
		return guess{}
	}
	first := a.snaps[0]
	byID := map[string]int{}
	receiptToID := map[string]string{}
	for _, r := range a.pollRows(first.live["ballots"]) {
		if b, ok := ballotOf(r); ok {
			receiptToID[b] = r["id"]
		}
	}
	for slip, b := range a.sharedXmin(first).pairs {
		byID[receiptToID[b]] = slip
	}
	g := guess{pairs: map[int]string{}}
	for _, r := range a.pollRows(s.live["ballots"]) {
		if b, ok := ballotOf(r); ok {
			if slip, ok := byID[r["id"]]; ok {
				g.pairs[slip] = b
			}
		}
	}
	return g
}

func (a *adversary) tokenHeap(s *snapshot) map[string]bool {
	out := map[string]bool{}
	for node, n := range s.relname {
		if n == "tokens" {
			out[node] = true
		}
	}
	for _, sn := range a.snaps {
		for node, n := range sn.relname {
			if n == "tokens" {
				out[node] = true
			}
		}
	}
	return out
}

var walOff = regexp.MustCompile(`^(?:HOT_UPDATE|UPDATE|DELETE|LOCK) off (\d+)`)
var walBlk = regexp.MustCompile(`blkref #(\d+): rel \d+/\d+/\d+(?: fork \w+)? blk (\d+)`)

// walTokens finds, record by record, the slips a record on the tokens table touches: by
// the old tuple's place (known from a read before voting) or by the lookup hash in its
// bytes. Records of the transaction that issued the tokens are left out.
func (a *adversary) walTokens(s *snapshot) map[uint64][]int {
	heap := a.tokenHeap(s)
	out := map[uint64][]int{} // LSN → slips
	for _, r := range s.wal {
		if r.rmgr != "Heap" && r.rmgr != "Heap2" || len(r.rels) == 0 || !heap[r.rels[0]] {
			continue
		}
		m := walOff.FindStringSubmatch(r.desc)
		if m == nil {
			continue
		}
		blk := "0"
		for _, b := range walBlk.FindAllStringSubmatch(r.desc, -1) {
			blk = b[2] // the old tuple's block is the last reference of an update
		}
		if i, ok := a.before.tokenAt["("+blk+","+m[1]+")"]; ok {
			out[r.lsn] = append(out[r.lsn], i)
		}
	}
	for _, h := range s.walHits {
		n := h.what
		if !n.lookup {
			continue
		}
		if r, ok := s.recordAt(h.pos); ok && r.rmgr == "Heap" && len(r.rels) > 0 && heap[r.rels[0]] && !strings.HasPrefix(r.desc, "INSERT") {
			out[r.lsn] = append(out[r.lsn], n.slip)
		}
	}
	return out
}

func (a *adversary) walBallots(s *snapshot) map[uint64][]string {
	out := map[uint64][]string{}
	for _, h := range s.walHits {
		if n := h.what; n.ballot != "" {
			if r, ok := s.recordAt(h.pos); ok && r.rmgr != "XLOG" {
				out[r.lsn] = append(out[r.lsn], n.ballot)
			}
		}
	}
	return out
}

func (s *snapshot) record(lsn uint64) walRecord {
	i := sort.Search(len(s.wal), func(i int) bool { return s.wal[i].lsn >= lsn })
	return s.wal[i]
}

func (a *adversary) walXid(s *snapshot) guess {
	slips, ballots := map[uint64]map[int]bool{}, map[uint64]map[string]bool{}
	for lsn, ss := range a.walTokens(s) {
		x := s.record(lsn).xid
		if slips[x] == nil {
			slips[x] = map[int]bool{}
		}
		for _, i := range ss {
			slips[x][i] = true
		}
	}
	for lsn, bs := range a.walBallots(s) {
		x := s.record(lsn).xid
		if ballots[x] == nil {
			ballots[x] = map[string]bool{}
		}
		for _, b := range bs {
			ballots[x][b] = true
		}
	}
	g := guess{pairs: map[int]string{}}
	for x, ss := range slips {
		bs := ballots[x]
		if x == 0 || len(ss) != 1 || len(bs) != 1 {
			continue
		}
		for i := range ss {
			for b := range bs {
				g.pairs[i] = b
			}
		}
	}
	return g
}

func (a *adversary) walOrder(s *snapshot) guess {
	firstSlip, firstBallot := map[int]uint64{}, map[string]uint64{}
	for lsn, ss := range a.walTokens(s) {
		for _, i := range ss {
			if l, ok := firstSlip[i]; !ok || lsn < l {
				firstSlip[i] = lsn
			}
		}
	}
	for lsn, bs := range a.walBallots(s) {
		for _, b := range bs {
			if l, ok := firstBallot[b]; !ok || lsn < l {
				firstBallot[b] = lsn
			}
		}
	}
	var g guess
	for i := range firstSlip {
		g.slipOrder = append(g.slipOrder, i)
	}
	sort.Slice(g.slipOrder, func(x, y int) bool { return firstSlip[g.slipOrder[x]] < firstSlip[g.slipOrder[y]] })
	for b := range firstBallot {
		g.ballotOrder = append(g.ballotOrder, b)
	}
	sort.Slice(g.ballotOrder, func(x, y int) bool { return firstBallot[g.ballotOrder[x]] < firstBallot[g.ballotOrder[y]] })
	return g
}

// rawFinds lists, for each tuple version, the ballots and slips its bytes hold.
func (a *adversary) rawFinds(s *snapshot) (tokens map[uint32][]int, ballots map[uint32][]string, both map[int]string) {
	if s.raw != nil {
		return s.raw.tokens, s.raw.ballots, s.raw.both
	}
	defer func() { s.raw = &rawFound{tokens, ballots, both} }()
	heap := a.tokenHeap(s)
	tokens, ballots, both = map[uint32][]int{}, map[uint32][]string{}, map[int]string{}
	issue := a.issueXmins()
	for _, tp := range s.tuples {
		var bs []string
		var lookups, keyed []int
		for _, h := range a.search(tp.data) {
			n := a.needle[h.needle]
			switch {
			case n.ballot != "":
				bs = append(bs, n.ballot)
			case n.lookup:
				lookups = append(lookups, n.slip)
			default:
				keyed = append(keyed, n.slip)
			}
		}
		if heap[tp.file] && !issue[tp.xmin] {
			tokens[tp.xmin] = append(tokens[tp.xmin], lookups...)
		}
		if len(bs) > 0 {
			ballots[tp.xmin] = append(ballots[tp.xmin], bs...)
			for _, i := range keyed {
				both[i] = bs[0]
			}
		}
	}
	return tokens, ballots, both
}

// issueXmins are the transactions that wrote the tokens as issued (read before voting).
func (a *adversary) issueXmins() map[uint32]bool {
	out := map[uint32]bool{}
	for _, r := range a.before.live["tokens"].rows {
		x, _ := strconv.ParseUint(r["xmin"], 10, 32)
		out[uint32(x)] = true
	}
	return out
}

func (a *adversary) rawXmin(s *snapshot) guess {
	tokens, ballots, _ := a.rawFinds(s)
	g := guess{pairs: map[int]string{}}
	for x, ss := range tokens {
		bs := uniq(ballots[x])
		if len(uniqInts(ss)) == 1 && len(bs) == 1 {
			g.pairs[ss[0]] = bs[0]
		}
	}
	return g
}

func (a *adversary) rawOrder(s *snapshot) guess {
	tokens, ballots, _ := a.rawFinds(s)
	firstSlip, firstBallot := map[int]uint32{}, map[string]uint32{}
	for x, ss := range tokens {
		for _, i := range ss {
			if v, ok := firstSlip[i]; !ok || x < v {
				firstSlip[i] = x
			}
		}
	}
	for x, bs := range ballots {
		for _, b := range bs {
			if v, ok := firstBallot[b]; !ok || x < v {
				firstBallot[b] = x
			}
		}
	}
	var g guess
	for i := range firstSlip {
		g.slipOrder = append(g.slipOrder, i)
	}
	sort.Slice(g.slipOrder, func(x, y int) bool { return firstSlip[g.slipOrder[x]] < firstSlip[g.slipOrder[y]] })
	for b := range firstBallot {
		g.ballotOrder = append(g.ballotOrder, b)
	}
	sort.Slice(g.ballotOrder, func(x, y int) bool { return firstBallot[g.ballotOrder[x]] < firstBallot[g.ballotOrder[y]] })
	return g
}

func (a *adversary) nullifierColumn(tables map[string]*table) guess {
	g := guess{pairs: map[int]string{}}
	digest := a.keyedIndex()
	for _, r := range a.pollRows(tables["ballots"]) {
		if b, ok := ballotOf(r); ok {
			if i, ok := digest[hex.EncodeToString(byteaOf(r["nullifier"]))]; ok {
				g.pairs[i] = b
			}
		}
	}
	return g
}

func (a *adversary) keyedIndex() map[string]int {
	out := map[string]int{}
	for i, k := range a.slips {
		for _, d := range k.keyed {
			out[hex.EncodeToString(d)] = i
		}
	}
	return out
}

func (a *adversary) walNullifier(s *snapshot) guess {
	byRecord := map[uint64]string{}
	for lsn, bs := range a.walBallots(s) {
		byRecord[lsn] = bs[0]
	}
	g := guess{pairs: map[int]string{}}
	for _, h := range s.walHits {
		n := h.what
		if n.ballot != "" || n.lookup {
			continue
		}
		if r, ok := s.recordAt(h.pos); ok {
			if b, ok := byRecord[r.lsn]; ok {
				g.pairs[n.slip] = b
			}
		}
	}
	return g
}

func (a *adversary) rawNullifier(s *snapshot) guess {
	_, _, both := a.rawFinds(s)
	return guess{pairs: both}
}

// logAttack orders slips and ballots by where the logs first name them.
func logAttack(a *adversary, logs string, truth map[int]string) guess {
	var g guess
	type at struct {
		pos  int
		slip int
		rcpt string
	}
	var slips, ballots []at
	for i, k := range a.slips {
		best := -1
		for _, s := range k.strings {
			if p := strings.Index(logs, s); p >= 0 && (best < 0 || p < best) {
				best = p
			}
		}
		if best >= 0 {
			slips = append(slips, at{pos: best, slip: i})
		}
	}
	for _, r := range truth {
		if p := strings.Index(logs, r); p >= 0 {
			ballots = append(ballots, at{pos: p, rcpt: r})
		}
	}
	sort.Slice(slips, func(x, y int) bool { return slips[x].pos < slips[y].pos })
	sort.Slice(ballots, func(x, y int) bool { return ballots[x].pos < ballots[y].pos })
	for _, s := range slips {
		g.slipOrder = append(g.slipOrder, s.slip)
	}
	for _, b := range ballots {
		g.ballotOrder = append(g.ballotOrder, b.rcpt)
	}
	if g.slipOrder == nil {
		g.slipOrder = []int{}
	}
	return g
}

// ---- judging ----

// score counts the slips paired with their own ballot, and the rank correlation between
// the two orders of an order attack, over the ballots whose voter the slip order places.
func score(g guess, truth map[int]string) (matches int, rho float64, n int) {
	pairs := g.pairs
	if g.slipOrder != nil {
		pairs = map[int]string{}
		for k := range min(len(g.slipOrder), len(g.ballotOrder)) {
			pairs[g.slipOrder[k]] = g.ballotOrder[k]
		}
	}
	for slip, b := range pairs {
		if truth[slip] == b {
			matches++
		}
	}
	if g.slipOrder == nil {
		return matches, 0, 0
	}
	slipOf := map[string]int{}
	for s, r := range truth {
		slipOf[r] = s
	}
	place := map[int]int{}
	for k, s := range g.slipOrder {
		place[s] = k
	}
	var xs, ys []float64
	for k, b := range g.ballotOrder {
		s, ok := slipOf[b]
		if !ok {
			continue
		}
		if p, ok := place[s]; ok {
			xs, ys = append(xs, float64(k)), append(ys, float64(p))
		}
	}
	if len(xs) < 3 {
		return matches, 0, len(xs)
	}
	return matches, pearson(ranks(xs), ranks(ys)), len(xs)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]float64, len(v))
	for r, i := range idx {
		out[i] = float64(r)
	}
	return out
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i] / n
		my += y[i] / n
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ---- leaks that are not pairings ----

// lengths: with one voter's receipt the adversary finds that voter's row (the receipt is
// a hash of its sealed bytes); if sealed ballots differ in length, the length tells what
// the ballot says. All sealed ballots of the poll, empty slots included, have one length.
func (a *adversary) lengths(s *snapshot, gradeOf map[string]int) int {
	byLen := map[int]map[int]int{} // length → grade → count
	for _, r := range a.pollRows(s.live["ballots"]) {
		b := byteaOf(r["sealed"])
		g, known := gradeOf[receiptOf(b)]
		if !known {
			g = -1 // an empty slot
		}
		if byLen[len(b)] == nil {
			byLen[len(b)] = map[int]int{}
		}
		byLen[len(b)][g]++
	}
	if len(byLen) <= 1 {
		return 0
	}
	a.t.Errorf("lengths                      %-26s sealed ballots of one poll have %d lengths; with a receipt, a row's length tells its content: %s",
		s.name, len(byLen), describeLengths(byLen))
	return 1
}

// lengthTellsContent is the chance that grades dealt at random to the same ballots sort
// by length at least as well as the real ones do: the share of ballots whose length's
// most common grade is theirs, against shuffles of the grades. 20,000 shuffles decide
// almost every run; when fewer than one in a thousand of them sort as well, two million
// more decide, so that chance alone fails the test about once in a million runs while a
// length that follows the grade (no shuffle sorts as well) still fails it.
func lengthTellsContent(byLen map[int]map[int]int) float64 {
	// Each ballot as the index of its length and its grade shifted by one (an empty slot
	// is -1).
	var lens, grades []int
	nLens := 0
	for _, gs := range byLen {
		for g, n := range gs {
			for range n {
				lens, grades = append(lens, nLens), append(grades, g+1)
			}
		}
		nLens++
	}
	const kinds = 5
	count := make([]int, nLens*kinds)
	best := make([]int, nLens)
	purity := func(grades []int) int {
		clear(count)
		clear(best)
		for i, l := range lens {
			c := &count[l*kinds+grades[i]]
			*c++
			best[l] = max(best[l], *c)
		}
		sum := 0
		for _, b := range best {
			sum += b
		}
		return sum
	}
	observed := purity(grades)
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(grades)
	atLeast, shuffles := 0, 0
	for _, more := range []int{20000, 2000000} {
		for range more {
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if purity(shuffled) >= observed {
				atLeast++
			}
		}
		shuffles += more
		if float64(atLeast+1)/float64(shuffles+1) >= 1e-3 {
			break
		}
	}
	return float64(atLeast+1) / float64(shuffles+1)
}

var gradeNames = map[int]string{-1: "empty slot", 0: "优秀", 1: "称职", 2: "基本称职", 3: "不称职"}

func describeLengths(byLen map[int]map[int]int) string {
	var ls []int
	for l := range byLen {
		ls = append(ls, l)
	}
	sort.Ints(ls)
	var parts []string
	for _, l := range ls {
		var gs []string
		for g := -1; g <= 3; g++ {
			if n := byLen[l][g]; n > 0 {
				gs = append(gs, fmt.Sprintf("%s×%d", gradeNames[g], n))
			}
		}
		parts = append(parts, fmt.Sprintf("%d bytes: %s", l, strings.Join(gs, " ")))
	}
	return strings.Join(parts, "; ")
}

// walLengths: the length of the WAL record that wrote a ballot must not tell its content
// either. Record lengths vary for reasons of their own (a full page image, a tuple moved to
// another page, bytes that happen to match the old version), so the test is whether they
// follow the grade more than they would if the grades were shuffled.
func (a *adversary) walLengths(s *snapshot, gradeOf map[string]int) int {
	byLen := map[int]map[int]int{}
	seen := map[string]bool{}
	found := a.walBallots(s)
	var lsns []uint64
	for lsn := range found {
		lsns = append(lsns, lsn)
	}
	slices.Sort(lsns) // a ballot's first record is the one that wrote it
	for _, lsn := range lsns {
		bs, r := found[lsn], s.record(lsn)
		if r.rmgr != "Heap" || len(bs) != 1 || seen[bs[0]] {
			continue
		}
		g, ok := gradeOf[bs[0]]
		if !ok {
			continue
		}
		seen[bs[0]] = true
		if byLen[int(r.rec)] == nil {
			byLen[int(r.rec)] = map[int]int{}
		}
		byLen[int(r.rec)][g]++
	}
	p := lengthTellsContent(byLen)
	if p >= 2e-6 {
		return 0
	}
	a.t.Errorf("WAL record lengths           %-26s the record writing a ballot is longer or shorter by its content (p = %.0e): %s",
		s.name, p, describeLengths(byLen))
	return 1
}

// markers: a column that splits the poll's ballots into classes (a key per server run,
// an instance) tells which ballots were cast together, which is half a pairing.
func (a *adversary) markers(s *snapshot) int {
	skip := map[string]bool{"id": true, "sealed": true, "group_id": true, "poll_id": true, "nullifier": true, "xmin": true, "ctid": true}
	values := map[string]map[string]int{}
	for _, r := range a.pollRows(s.live["ballots"]) {
		if _, ok := ballotOf(r); !ok {
			continue
		}
		for c, v := range r {
			if skip[c] {
				continue
			}
			if values[c] == nil {
				values[c] = map[string]int{}
			}
			values[c][v]++
		}
	}
	n := 0
	for c, vs := range values {
		if len(vs) > 1 {
			var sizes []int
			for _, k := range vs {
				sizes = append(sizes, k)
			}
			sort.Ints(sizes)
			a.t.Errorf("per-run marker               %-26s ballots.%s splits the box into %d classes of %v ballots: it tells which server sealed a ballot, and so roughly when",
				s.name, c, len(vs), sizes)
			n++
		}
	}
	return n
}

// digestsElsewhere: a slip's lookup hash belongs in tokens.hash, its nullifier in
// ballots.nullifier; anywhere else in a table it marks the slip.
func (a *adversary) digestsElsewhere(s *snapshot) int {
	idx := a.keyedIndex()
	for i, k := range a.slips {
		idx[hex.EncodeToString(k.lookup)] = i
	}
	n := 0
	for name, tb := range s.live {
		for _, r := range tb.rows {
			for c, v := range r {
				if name == "tokens" && c == "hash" || name == "ballots" && c == "nullifier" {
					continue
				}
				for _, cand := range []string{hex.EncodeToString(byteaOf(v)), strings.ToLower(v)} {
					if _, ok := idx[cand]; ok && cand != "" {
						a.t.Errorf("slip digest elsewhere        %-26s %s.%s holds a slip's keyed hash", s.name, name, c)
						n++
					}
				}
			}
		}
	}
	return n
}

func (a *adversary) logLeaks(logs string, truth map[int]string) int {
	n := 0
	for _, k := range a.slips {
		for _, s := range k.strings {
			if strings.Contains(logs, s) {
				a.t.Errorf("logs                         the servers' logs name a slip (%q)", s)
				n++
				break
			}
		}
	}
	for _, r := range truth {
		if strings.Contains(logs, r) || strings.Contains(logs, strings.ReplaceAll(r, "-", "")) {
			a.t.Errorf("logs                         the servers' logs name a receipt (%s)", r)
			n++
		}
	}
	return n
}

// checkTools: every ballot the adversary saw live is found in the WAL and in the data
// files it read; otherwise the attacks there prove nothing.
func (a *adversary) checkTools(s *snapshot) {
	inWAL := map[string]bool{}
	for _, h := range s.walHits {
		inWAL[h.what.ballot] = true
	}
	_, ballots, _ := a.rawFinds(s)
	inFiles := map[string]bool{}
	for _, bs := range ballots {
		for _, b := range bs {
			inFiles[b] = true
		}
	}
	for r := range s.sealed {
		if !inWAL[r] || !inFiles[r] {
			a.t.Fatalf("%s: the adversary's tools miss ballot %s (in the WAL: %v, in the data files: %v); %d WAL records read",
				s.name, r, inWAL[r], inFiles[r], len(s.wal))
		}
	}
}

// nullifierControl: if the box has a nullifier column, the adversary recomputes it for
// every voter before close. If it cannot, its guess of the derivation is out of date and
// the nullifier attacks above tried nothing.
func (a *adversary) nullifierControl(truth map[int]string) int {
	s := a.snaps[len(a.snaps)-2] // the last one before close
	hasColumn := false
	for _, r := range s.live["ballots"].rows {
		if _, ok := r["nullifier"]; ok {
			hasColumn = true
		}
	}
	if !hasColumn {
		a.t.Log("the box has no nullifier column: the nullifier attacks have nothing to find")
		return 0
	}
	matches, _, _ := score(a.nullifierColumn(s.live), truth)
	want := 0
	for _, r := range truth {
		if s.sealed[r] != nil {
			want++
		}
	}
	if matches < want {
		a.t.Errorf("nullifier control            the adversary recomputed %d of %d nullifiers: keyedDigests no longer computes the server's nullifier", matches, want)
		return 1
	}
	return 0
}

func uniq(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func uniqInts(v []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
