package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/pgembed"
	"minyi/server"
)

// dumpTable is one table of a plain pg_dump: its columns and rows in the dump's order.
type dumpTable struct {
	cols []string
	rows [][]string
}

// partitionOf matches the suffix of a partition's name (00030: ballots_h0 … ballots_h7).
var partitionOf = regexp.MustCompile(`_h[0-9]+$`)

func pgDump(t *testing.T, url string) (string, map[string]dumpTable) {
	t.Helper()
	bin, err := pgembed.Bin()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--data-only", url).Output()
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]dumpTable{}
	var cur string
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "COPY public."); ok {
			name, cols, _ := strings.Cut(rest, " (")
			cols, _, _ = strings.Cut(cols, ")")
			// A partition's rows are its table's: ballots_h3 is part of ballots.
			cur = partitionOf.ReplaceAllString(name, "")
			if _, ok := tables[cur]; !ok {
				tables[cur] = dumpTable{cols: strings.Split(cols, ", ")}
			} else if strings.Join(tables[cur].cols, ", ") != cols {
				t.Fatalf("the partitions of %s are dumped with different columns", cur)
			}
			continue
		}
		if cur == "" {
			continue
		}
		if line == `\.` {
			cur = ""
			continue
		}
		tb := tables[cur]
		tb.rows = append(tb.rows, strings.Split(line, "\t"))
		tables[cur] = tb
	}
	return string(out), tables
}

func (d dumpTable) col(row []string, name string) string {
	for i, c := range d.cols {
		if c == name {
			return row[i]
		}
	}
	return ""
}

// boxOpener reads the marks of each ballot row of a dump with the poll's whole private
// key: more than anyone holds (the key exists only as shares, and the count decrypts sums
// only), so what it cannot link, nobody can.
type boxOpener struct {
	poll *ballot.Poll
	key  []byte
	box  dumpTable
}

func (e *env) boxOpener(t *testing.T, tables map[string]dumpTable, pollID string, private []byte) *boxOpener {
	t.Helper()
	p, err := e.st.Poll(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	return &boxOpener{poll: &p.Poll, key: private, box: tables["ballots"]}
}

// open decrypts every cell of a ballot row one by one, as only a holder of the whole key
// could: the cells, each 0 or 1, or an error when the key does not decrypt them so.
func (b *boxOpener) open(row []string) ([]byte, error) {
	return openCells(b.poll, b.key, unbytea(b.box.col(row, "sealed")))
}

// openCells is the adversary's decryption of one ballot: B − s·A is 0 or G in every cell.
func openCells(p *ballot.Poll, key, sealed []byte) ([]byte, error) {
	s, err := elgamal.ParseScalar(key)
	if err != nil {
		return nil, err
	}
	g := group.Ristretto255
	var cells []byte
	at := 1
	for _, l := range p.Layout().Lines {
		n := elgamal.LineSize(len(l.Labels), l.Limit)
		if at+n > len(sealed) {
			return nil, fmt.Errorf("ballot too short")
		}
		line, err := elgamal.ParseLine(sealed[at:at+n], len(l.Labels), l.Limit)
		if err != nil {
			return nil, err
		}
		for _, c := range line.Cells {
			m := g.NewElement().Add(c.B, g.NewElement().Neg(g.NewElement().Mul(c.A, s)))
			switch {
			case m.IsIdentity():
				cells = append(cells, 0)
			case m.IsEqual(g.Generator()):
				cells = append(cells, 1)
			default:
				return nil, fmt.Errorf("not a key of this box")
			}
		}
		at += n
	}
	return cells, nil
}

// pollKey is the poll's private key after close: the organizer's backup, or the
// server-held share unwrapped with the tests' server secret (which the database does not
// hold).
func (e *env) pollKey(t *testing.T, pollID string) []byte {
	t.Helper()
	if e.backups(pollID) != nil {
		return e.organizerKey(pollID)
	}
	keys, _ := server.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	wrapped, err := e.st.Share(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := keys.Share.Unwrap(pollID, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// keyCandidates is every distinct 32 bytes of every byte string in a dump but the
// ballots' own ciphertexts: what an operator reading the database could try as a key.
func keyCandidates(tables map[string]dumpTable) map[[32]byte]bool {
	candidates := map[[32]byte]bool{}
	for name, tb := range tables {
		for _, row := range tb.rows {
			for i, v := range row {
				if strings.HasPrefix(v, `\\x`) && !(name == "ballots" && tb.cols[i] == "sealed") {
					b := unbytea(v)
					for k := 0; k+32 <= len(b); k++ {
						candidates[[32]byte(b[k:k+32])] = true
					}
				}
			}
		}
	}
	return candidates
}

// filled keeps the rows of a dumped box that hold a ballot, not an empty slot.
func filled(box dumpTable) dumpTable {
	out := dumpTable{cols: box.cols}
	for _, row := range box.rows {
		if box.col(row, "group_id") != `\N` {
			out.rows = append(out.rows, row)
		}
	}
	return out
}

func unbytea(s string) []byte {
	b, _ := hex.DecodeString(strings.TrimPrefix(s, `\\x`))
	return b
}

// An operator holding a dump of the database and the server's logs tries what the
// secrecy model says cannot be done: read a partial result before close, and pair ballots
// with tokens by the order the dump lists them in. A quiet hall is the hard case: one
// voter at a time, so every ballot is written alone.
func TestDumpAndLogsRevealNothing(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三", "李四", "王五")
	const n = 40
	codes := e.tokens(p, n)
	e.openPoll(p.ID)
	keys, _ := server.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	marks := func(i int) []string { return []string{grades[i%4], grades[i/4%4], grades[i/16%4]} }
	receipts := map[string]bool{}
	vote := func(i int) {
		var out struct{ Receipt string }
		lines := map[string][]string{}
		for j, m := range marks(i) {
			lines[[]string{"s1", "s2", "s3"}[j]] = []string{m}
		}
		e.api("", "POST", "/api/v1/ballot/"+codes[i], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": lines}}}}, 200, &out)
		receipts[out.Receipt] = true
	}
	for i := range n / 2 {
		vote(i)
	}

	// Before close: the dump holds sealed bytes, and nothing in it opens them.
	during, tables := pgDump(t, e.url)
	box := filled(tables["ballots"])
	if len(box.rows) != n/2 {
		t.Fatalf("%d ballots in the dump", len(box.rows))
	}
	// Every 32 bytes of every byte string in the dump is tried as the key, each distinct
	// one once (a hash or a point held by many rows is one guess), against the same box.
	candidates := keyCandidates(tables)
	guesser := e.boxOpener(t, tables, p.ID, nil)
	sealed := unbytea(box.col(box.rows[0], "sealed"))
	for k := range candidates {
		if _, err := openCells(guesser.poll, k[:], sealed); err == nil {
			t.Fatal("a key found in the dump opens a ballot before close")
		}
	}
	for _, row := range box.rows {
		if line := strings.Join(row, "\t"); strings.Contains(line, "称职") || strings.Contains(line, "优秀") {
			t.Fatal("a ballot row of the dump shows a mark")
		}
	}

	for i := n / 2; i < n; i++ {
		vote(i)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)

	// After close, with the poll's private key as well (more than the operator has: it is
	// wrapped under the server secret, which is not in the database): the order of the
	// ballots in the dump says nothing of the order of voting, and no token row says it
	// voted.
	after, tables := pgDump(t, e.url)
	priv := e.pollKey(t, p.ID)
	for _, dump := range []string{during, after, e.logs.String()} {
		for _, enc := range []string{hex.EncodeToString(priv), base64.StdEncoding.EncodeToString(priv)} {
			if strings.Contains(dump, enc) {
				t.Fatal("the poll's private key is in the dump or the logs")
			}
		}
	}
	opener := e.boxOpener(t, tables, p.ID, priv)
	voterOf := map[string]int{}
	for i := range n {
		b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {marks(i)[0]}, "s2": {marks(i)[1]}, "s3": {marks(i)[2]}}}}}
		cells, _, err := opener.poll.Marks(p.Groups[0].ID, &b)
		if err != nil {
			t.Fatal(err)
		}
		voterOf[string(cells)] = i
	}
	box = tables["ballots"]
	var ballotVoters []int // for each row of the dump, in order, who cast that ballot
	for _, row := range box.rows {
		cells, err := opener.open(row)
		if err != nil {
			t.Fatal(err)
		}
		i, ok := voterOf[string(cells)]
		if !ok {
			t.Fatal("a ballot of the dump holds marks nobody cast")
		}
		ballotVoters = append(ballotVoters, i)
	}
	hashPos := map[string]int{}
	for i, c := range codes {
		tok, _ := ballot.ParseToken(c)
		hashPos[hex.EncodeToString(keys.Token.Hash(tok))] = i
	}
	for _, row := range tables["tokens"].rows {
		if _, ours := hashPos[strings.TrimPrefix(tables["tokens"].col(row, "hash"), `\\x`)]; ours && tables["tokens"].col(row, "state") != "issued" {
			t.Fatalf("a token that voted is marked %q: voting must write nothing to tokens", tables["tokens"].col(row, "state"))
		}
	}
	if len(ballotVoters) != n || len(tables["ballots"].rows) != n {
		t.Fatalf("%d ballots (%d rows) in the dump, want %d and no empty slot", len(ballotVoters), len(tables["ballots"].rows), n)
	}
	// The voter i voted i-th. Any order derived from the order of voting (as written,
	// reversed, rotated, sorted by it) shows in the rank correlation between a row's
	// place and its voter, or in a long run of rows in voting order (or against it). A box
	// left in the order its slots were filled, or rewritten in the order it is read, gives
	// 1.00 and a run of 40; the bounds are set where chance reaches them less than once in
	// a million runs.
	for _, c := range []struct {
		what   string
		voters []int
	}{{"ballots", ballotVoters}} {
		rho, run := spearman(c.voters), longestMonotoneRun(c.voters)
		if rho >= 0.75 || rho <= -0.75 || run >= 12 {
			t.Fatalf("after close the dump's %s follow the order of voting: rank correlation %.2f, %d rows in a row in voting order or against it\nvoters in the order of the dump: %v", c.what, rho, run, c.voters)
		}
	}
	// No row of the box shares a value with a token's row but the poll and the group.
	tokenValues := map[string]bool{}
	for _, row := range tables["tokens"].rows {
		for i, v := range row {
			if c := tables["tokens"].cols[i]; c != "poll_id" && c != "group_id" && c != "state" && c != "rehearsal" {
				tokenValues[v] = true
			}
		}
	}
	for _, row := range box.rows {
		for i, v := range row {
			if c := box.cols[i]; c != "poll_id" && c != "group_id" && tokenValues[v] {
				t.Fatalf("ballots.%s holds a value of a token's row", c)
			}
		}
	}
	// The logs name no token, no ballot, no receipt.
	logs := e.logs.String()
	for _, c := range codes {
		if strings.Contains(logs, c) || strings.Contains(logs, strings.ReplaceAll(c, "-", "")) {
			t.Fatal("a token is in the logs")
		}
	}
	for r := range receipts {
		if strings.Contains(logs, r) {
			t.Fatal("a receipt is in the logs")
		}
	}
	for _, row := range box.rows {
		if strings.Contains(logs, box.col(row, "id")) {
			t.Fatal("a ballot's id is in the logs")
		}
	}
}

// Paper ballots, entered by two tellers after the phone votes, end up anywhere in the
// box once counted: their place does not mark them as paper. The whole box is judged,
// not its end: paper ballots gathered at the start, the end or together anywhere fail.
func TestPaperBallotsMixedIntoTheBox(t *testing.T) {
	e := newEnv(t)
	e.addStaff("teller_a", "teller", e.unitID)
	e.addStaff("teller_b", "teller", e.unitID)
	p := e.evaluation("张三")
	const phones, papers = 30, 10
	codes := e.tokens(p, phones+papers)
	e.openPoll(p.ID)
	for _, c := range codes[:phones] {
		e.api("", "POST", "/api/v1/ballot/"+c, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, nil)
	}
	admin, csrf := e.browser("admin")
	post := func(c *http.Client, path string, v url.Values, csrf string) {
		t.Helper()
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
	for _, c := range codes[phones:] {
		post(admin, "/polls/"+p.ID+"/tokens/paper", url.Values{"code": {c}}, csrf)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	a, csrfA := e.browser("teller_a")
	b, csrfB := e.browser("teller_b")
	for range papers {
		for _, who := range []struct {
			c    *http.Client
			csrf string
		}{{a, csrfA}, {b, csrfB}} {
			post(who.c, "/polls/"+p.ID+"/paper", url.Values{"group_id": {p.Groups[0].ID}, "f1.s1": {"优秀"}}, who.csrf)
		}
	}
	e.countPoll(p.ID, nil)
	// The paper ballots entered after close were folded into the group's kept sums, which
	// the count took whole.
	if d := countStart(t, e, p.ID); d["checked"] != "0" {
		t.Fatalf("the count checked %s ballots one by one: %v", d["checked"], d)
	}

	_, tables := pgDump(t, e.url)
	opener := e.boxOpener(t, tables, p.ID, e.pollKey(t, p.ID))
	if n := len(tables["box_sums"].rows); n != 1 {
		t.Fatalf("the dump holds %d rows of kept sums, want the group's one", n)
	}
	box := tables["ballots"]
	if len(box.rows) != phones+papers {
		t.Fatalf("%d ballots", len(box.rows))
	}
	var isPaper []bool // for each row of the dump, in order
	var places []int   // the rows holding paper ballots
	paperCells := func(grade string) string {
		b := ballot.Ballot{Forms: []ballot.FilledForm{{Form: "f1", Lines: map[string][]string{"s1": {grade}}}}}
		cells, _, err := opener.poll.Marks(p.Groups[0].ID, &b)
		if err != nil {
			t.Fatal(err)
		}
		return string(cells)
	}
	onPaper, onPhone := paperCells("优秀"), paperCells("称职")
	for pos, row := range box.rows {
		cells, err := opener.open(row)
		if err != nil {
			t.Fatal(err)
		}
		paper := string(cells) == onPaper
		if !paper && string(cells) != onPhone {
			t.Fatalf("row %d holds neither ballot: %v", pos, cells)
		}
		isPaper = append(isPaper, paper)
		if paper {
			places = append(places, pos)
		}
	}
	if len(places) != papers {
		t.Fatalf("%d paper ballots in the box, want %d", len(places), papers)
	}
	// Where the paper ballots sit, by the rank sum of their places: about 195 when they
	// are mixed in (10 of 40 places; standard deviation 32); 45 at the start, 345 at the
	// end (z = ±4.7). |z| ≥ 4.5 by chance: p ≈ 1.5e-7.
	sum := 0
	for _, pos := range places {
		sum += pos
	}
	n := float64(phones + papers)
	mean := float64(papers) * (n - 1) / 2
	sd := math.Sqrt(float64(papers*phones) * (n + 1) / 12)
	z := (float64(sum) - mean) / sd
	// And together: the longest stretch of paper ballots in a row. Mixed in, 1 to 3; 9 or
	// more by chance: p ≈ 2e-6.
	run, longest := 0, 0
	for _, paper := range isPaper {
		if paper {
			run++
		} else {
			run = 0
		}
		longest = max(longest, run)
	}
	if z >= 4.5 || z <= -4.5 || longest >= 9 {
		t.Fatalf("the paper ballots are not mixed into the box: at rows %v (rank-sum z = %.1f; %d in a row)", places, z, longest)
	}
}

// spearman is the rank correlation between the positions 0..n-1 and seq, a permutation
// of 0..n-1: 1 when seq is in order, -1 reversed. For a random order it is about 0
// (|ρ| ≥ 0.75 by chance with 40 rows: p ≈ 5e-8; 0.6 would be 6e-5, too often for a test
// run many times a day).
func spearman(seq []int) float64 {
	n := float64(len(seq))
	var d2 float64
	for i, v := range seq {
		d2 += float64((i - v) * (i - v))
	}
	return 1 - 6*d2/(n*(n*n-1))
}

// longestMonotoneRun is the length of the longest stretch of consecutive rows that rises
// or falls throughout. A random order of 40 has runs of 3 or 4; 12 or more by chance:
// p ≈ 2e-7 (9 or more: 0.0002).
func longestMonotoneRun(seq []int) int {
	if len(seq) == 0 {
		return 0
	}
	best, cur, dir := 1, 1, 0
	for i := 1; i < len(seq); i++ {
		d := 1
		if seq[i] < seq[i-1] {
			d = -1
		}
		if d == dir {
			cur++
		} else {
			cur = 2
		}
		dir = d
		best = max(best, cur)
	}
	return best
}

// With tellers, nothing the server has decrypts a ballot. Every 32-byte string of a dump
// taken while voting and of one taken after the count, every key the server secret
// gives, the secret itself, and every hex string in the logs, tried as the poll's secret
// key on a ballot, fails; the same test finds the key the tellers' shares would make. The
// tellers' shares, used on their own devices at the count, are in neither dump nor the
// logs, as codes or as scalars.
func TestServerKeyMaterialOpensNoBallot(t *testing.T) {
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	codes := e.tokens(p, 6)
	shares := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for i, c := range codes {
		e.vote(c, form([]string{"优秀", "称职", "基本称职", "不称职"}[i%4]))
	}
	during, _ := pgDump(t, e.url)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	if st := e.deviceCount(p.ID, shares, 1, 3); st.State != "done" {
		t.Fatalf("the count: %+v", st)
	}
	after, tables := pgDump(t, e.url)
	box := filled(tables["ballots"])
	if len(box.rows) != len(codes) {
		t.Fatalf("%d ballots in the box", len(box.rows))
	}
	pi, err := e.st.Poll(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	sealed := unbytea(box.col(box.rows[0], "sealed"))

	secret := bytes.Repeat([]byte("k"), 32) // the tests' server secret
	keys, _ := server.DeriveKeys(secret)
	candidates := [][]byte{secret, keys.Token, keys.Share, keys.Paper, keys.Nullifier, keys.Sign.Seed(), keys.Sign[32:]}
	for _, dump := range []string{during, after} {
		for _, m := range regexp.MustCompile(`\\\\x([0-9a-f]+)`).FindAllStringSubmatch(dump, -1) {
			b, _ := hex.DecodeString(m[1])
			for k := 0; k+32 <= len(b); k++ {
				candidates = append(candidates, b[k:k+32])
			}
		}
	}
	for _, m := range regexp.MustCompile(`[0-9a-fA-F]{64}`).FindAllString(e.logs.String(), -1) {
		b, _ := hex.DecodeString(m)
		candidates = append(candidates, b)
	}
	for _, k := range candidates {
		if _, err := openCells(&pi.Poll, k, sealed); err == nil {
			t.Fatalf("a key the server has opens a ballot: %x", k)
		}
	}
	for _, code := range shares {
		for _, where := range []string{during, after, e.logs.String()} {
			if strings.Contains(where, code) || strings.Contains(where, strings.ReplaceAll(code, "-", "")) {
				t.Fatal("a teller's share code is in a dump or the logs")
			}
		}
	}
	// The control: tellers 1 and 3 together hold the key, s = 3/2·s₁ − 1/2·s₃.
	g := group.Ristretto255
	_, s1, err1 := elgamal.DecodeShare(p.ID, shares[0])
	_, s3, err3 := elgamal.DecodeShare(p.ID, shares[2])
	if err1 != nil || err3 != nil {
		t.Fatal(err1, err3)
	}
	for _, sj := range []group.Scalar{s1, s3} {
		for _, where := range []string{during, after, e.logs.String()} {
			if strings.Contains(strings.ToLower(where), hex.EncodeToString(elgamal.ScalarBytes(sj))) {
				t.Fatal("a teller's share is in a dump or the logs")
			}
		}
	}
	half := g.NewScalar().Inv(g.NewScalar().SetUint64(2))
	s := g.NewScalar().Mul(g.NewScalar().Mul(s1, g.NewScalar().SetUint64(3)), half)
	s.Sub(s, g.NewScalar().Mul(s3, half))
	if _, err := openCells(&pi.Poll, elgamal.ScalarBytes(s), sealed); err != nil {
		t.Fatalf("the key two tellers' shares make does not open a ballot: the test could not see a key: %v", err)
	}
	t.Logf("%d strings tried as the key", len(candidates))
}
