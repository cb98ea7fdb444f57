package server_test

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store"
)

// A writer of the database (no server secret) swaps the points the tellers' devices are
// given for one ballot's ciphertexts, so that a device would decrypt that ballot: the
// round's seal breaks, the device is given no point to decrypt, and a partial decryption
// over the swapped points is not kept.
func TestDeviceCountPointsComeOnlyFromTheBox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 2)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("不称职"))
	e.vote(voters[1], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A ballot's first cell: its A half is what a device would decrypt.
	var sealed []byte
	if err := db.QueryRow(`SELECT sealed FROM ballots WHERE poll_id = $1 LIMIT 1`, p.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	as := sealed[1 : 1+elgamal.PointSize]
	if _, err := db.Exec(`UPDATE count_rounds SET points = $2 WHERE poll_id = $1`, p.ID, as); err != nil {
		t.Fatal(err)
	}
	dev := e.seatDevice(p.ID, 1)
	var tc tellerCountJSON
	if code := dev.call("/count", nil, &tc); code != 200 || tc.State != "broken" || len(tc.Points) != 0 {
		t.Fatalf("the device is given the swapped points: %d %s, %d points", code, tc.State, len(tc.Points))
	}
	// A device that decrypted them anyway (an old page) is refused, and nothing is kept.
	tc.State, tc.Context = "open", hex.EncodeToString(make([]byte, 32))
	for at := 0; at < len(as); at += elgamal.PointSize {
		tc.Points = append(tc.Points, hex.EncodeToString(as[at:at+elgamal.PointSize]))
	}
	var ctxb []byte
	if err := db.QueryRow(`SELECT context FROM count_rounds WHERE poll_id = $1`, p.ID).Scan(&ctxb); err != nil {
		t.Fatal(err)
	}
	tc.Context = hex.EncodeToString(ctxb)
	if code := dev.call("/partial", partialOf(t, p.ID, codes[0], tc), nil); code == 200 {
		t.Fatal("a partial over the swapped points was taken")
	}
	var kept int
	if err := db.QueryRow(`SELECT count(*) FROM count_partials WHERE poll_id = $1`, p.ID).Scan(&kept); err != nil || kept != 0 {
		t.Fatalf("%d partial decryptions kept over the swapped points (%v)", kept, err)
	}
}

// A writer of the database swaps two cells of the kept sums, and their points, so that
// the finish would count 优秀 as 不称职: the seal breaks, nothing is decrypted; the
// organizer starts again, which makes a new round from the box, and the tally is right.
func TestDeviceCountSumsAreTheBoxs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 2)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("优秀"))
	e.vote(voters[1], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	var def ballot.Poll
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID, nil, 200, &def)
	var line ballot.LayoutLine
	for _, l := range def.Layout().Lines {
		if slices.Contains(l.Labels, "优秀") {
			line = l
		}
	}
	best, worst := line.Offset, line.Offset+slices.Index(line.Labels, "不称职")
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var raw, points []byte
	if err := db.QueryRow(`SELECT sums, points FROM count_rounds WHERE poll_id = $1`, p.ID).Scan(&raw, &points); err != nil {
		t.Fatal(err)
	}
	var rec map[string]json.RawMessage
	var sums [][][2][]byte
	if err := json.Unmarshal(raw, &rec); err != nil || json.Unmarshal(rec["sums"], &sums) != nil || len(sums) != 1 {
		t.Fatalf("kept sums: %v", err)
	}
	sums[0][best], sums[0][worst] = sums[0][worst], sums[0][best]
	rec["sums"], _ = json.Marshal(sums)
	raw, _ = json.Marshal(rec)
	ps := elgamal.PointSize
	a, b := slices.Clone(points[best*ps:(best+1)*ps]), slices.Clone(points[worst*ps:(worst+1)*ps])
	copy(points[best*ps:], b)
	copy(points[worst*ps:], a)
	if _, err := db.Exec(`UPDATE count_rounds SET sums = $2, points = $3 WHERE poll_id = $1`, p.ID, raw, points); err != nil {
		t.Fatal(err)
	}
	var tc tellerCountJSON
	if e.seatDevice(p.ID, 1).call("/count", nil, &tc); tc.State != "broken" {
		t.Fatalf("the device reads the swapped round as %q", tc.State)
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil, 403, nil)
	// Starting again replaces the broken round with one made from the box.
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes; v[0] != 2 {
		t.Fatalf("two ballots of 优秀 were counted as %v (labels %v)", v, line.Labels)
	}
}

// A seat's partial checked against the round it read, whose request reaches the round's
// lock after the organizer started again over a changed box, is refused, not combined
// with the new round's; the tellers then finish the new round.
func TestDeviceCountStalePartialIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	voters := e.tokens(p, 3)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("优秀"))
	e.vote(voters[1], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	first, err := e.st.CountRound(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var tc1 tellerCountJSON
	e.seatDevice(p.ID, 1).call("/count", nil, &tc1)
	part := partialOf(t, p.ID, codes[0], tc1)
	// Meanwhile a paper ballot is entered (the box changes) and the organizer starts again.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 200, nil)
	e.vote(voters[2], form("不称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
	// Seat 1's request, checked against the first round, now takes the lock.
	var d []byte
	for _, h := range part["d"].([]string) {
		b, _ := hex.DecodeString(h)
		d = append(d, b...)
	}
	proof, _ := hex.DecodeString(part["proof"].(string))
	_, _, err = e.st.PostPartial(ctx, p.ID, first.Round, &store.CountPartial{Seat: 1, D: d, Proof: proof},
		func(*store.CountRound, []store.CountPartial) (*store.CountFinish, error) { return nil, nil })
	if ballot.ErrorCode(err) != ballot.ECONFLICT || !strings.Contains(ballot.ErrorMessage(err), "重新开始") {
		t.Fatalf("a partial of the replaced round: %v", err)
	}
	e.postPartials(p.ID, codes, []int{2, 3})
	var st deviceStatus
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/count", nil, 200, &st)
	if st.State != "done" {
		t.Fatalf("the new round did not finish: %+v", st)
	}
	if v := e.countedTally(p.ID).Forms[0].Evaluation.Subjects[0].Total.Votes; v[0] != 1 || v[1] != 1 || v[3] != 1 {
		t.Fatalf("tally %v, want one 优秀, one 称职, one 不称职", v)
	}
}

// A poll of people marked server-held (as the upgrade marked polls opened without tellers,
// had it caught one in a rehearsal) does not open with the server's key after its wipe.
func TestWipedRehearsalKeepsNoServerKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal", nil, 200, nil)
	e.openPoll(p.ID)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE polls SET definition = definition || '{"key_holder": "server"}' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 200, nil)
	var out struct {
		Error struct{ Code, Message string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 400, &out)
	if out.Error.Code != ballot.EINVALID || !strings.Contains(out.Error.Message, "服务器保管密钥仅限") {
		t.Fatalf("the real run of an evaluation with a server key: %+v", out.Error)
	}
}
