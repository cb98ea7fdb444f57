package server_test

import (
	"crypto/rand"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"minyi/ballot/elgamal"
)

// keptBoxPoll is a tellers' poll of one subject in which six voters voted (four 优秀, two
// 不称职) and that is closed; it returns the poll, the tellers' codes and a connection
// to the database, as its reader and writer would hold it.
func keptBoxPoll(t *testing.T) (*env, poll, []string, *sql.DB) {
	t.Helper()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 6)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for i, v := range voters {
		grade := "优秀"
		if i%3 == 2 {
			grade = "不称职"
		}
		if status, _ := e.vote(v, form(grade)); status != 200 {
			t.Fatalf("vote %d: %d", i, status)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return e, p, codes, db
}

// countStart is the detail of the audit entry in which the poll's box was summed: the
// start of a device count, or a server-held key's count.
func countStart(t *testing.T, e *env, pollID string) map[string]string {
	t.Helper()
	log, err := e.st.PollAudit(ctx, pollID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		if (a.Action == "count.start" || a.Action == "poll.count") && a.Detail["checked"] != "" {
			return a.Detail
		}
	}
	t.Fatal("no count in the audit log says what it checked")
	return nil
}

// A normal box is counted from the sums kept as its ballots were sealed: after close the
// group's rows are one, holding its six ballots, no ballot's proofs are checked at the
// count, the tally is right and its bundle verifies (every proof checked there).
func TestCountTakesTheKeptSums(t *testing.T) {
	t.Parallel()
	e, p, codes, db := keptBoxPoll(t)
	var rows, n int
	if err := db.QueryRow(`SELECT count(*), COALESCE(sum(n), 0) FROM box_sums WHERE poll_id = $1`, p.ID).Scan(&rows, &n); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || n != 6 {
		t.Fatalf("after close the box keeps %d rows of sums for %d ballots, want one for 6", rows, n)
	}
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes; v[0] != 4 || v[3] != 2 || tl.Rejected != 0 {
		t.Fatalf("votes %v, %d rejected; want 4 优秀 and 2 不称职", v, tl.Rejected)
	}
	if len(tl.BoxChecks) != 0 {
		t.Fatalf("the tally says %q of a box that matches its sums", tl.BoxChecks)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "0" {
		t.Fatalf("the count checked %s ballots one by one, the kept sums were not taken (%v)", d["checked"], d)
	}
	e.verifies(p.ID)
}

// A writer of the database puts a ciphertext of 2 in place of a ballot's first cell: the
// group no longer matches its kept sums, its ballots are checked one by one, the changed
// ballot is rejected, the tally and the audit say so, and the bundle still verifies.
func TestCountChecksAGroupWhoseBallotChanged(t *testing.T) {
	t.Parallel()
	e, p, codes, db := keptBoxPoll(t)
	pk, err := elgamal.ParsePublicKey(e.publicKey(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := elgamal.NewScalar(rand.Reader)
	two, _ := elgamal.Encrypt(pk, 2, s).MarshalBinary()
	res, err := db.Exec(`UPDATE ballots SET sealed = overlay(sealed PLACING $2 FROM 2 FOR 64)
		WHERE id = (SELECT id FROM ballots WHERE poll_id = $1 LIMIT 1)`, p.ID, two)
	if err != nil {
		t.Fatalf("changing a ballot: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("changing a ballot: %d rows, want 1", n)
	}
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if tl.Rejected != 1 || tl.Ballots != 6 {
		t.Fatalf("%d ballots, %d rejected; want the changed one of 6 rejected", tl.Ballots, tl.Rejected)
	}
	if v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes; v[0]+v[3] != 5 {
		t.Fatalf("votes %v: the changed ballot was counted", v)
	}
	note := strings.Join(tl.BoxChecks, "")
	if !strings.Contains(note, "职工代表") || !strings.Contains(note, "逐张核验") {
		t.Fatalf("the tally says %q, want the group checked one by one", tl.BoxChecks)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "6" || !strings.Contains(d["box_checks"], "不符") {
		t.Fatalf("the audit says %v, want 6 ballots checked and why", d)
	}
	b := e.verifies(p.ID)
	if !strings.Contains(strings.Join(b.Tally.BoxChecks, ""), "逐张核验") {
		t.Fatalf("the certified tally lost the box's note: %q", b.Tally.BoxChecks)
	}
}

// A writer of the database deletes a ballot after close: the kept sums count one more, and
// the tally and the audit say a ballot is missing; the rest count.
func TestCountReportsADeletedBallot(t *testing.T) {
	t.Parallel()
	e, p, codes, db := keptBoxPoll(t)
	res, err := db.Exec(`DELETE FROM ballots WHERE id = (SELECT id FROM ballots WHERE poll_id = $1 LIMIT 1)`, p.ID)
	if err != nil {
		t.Fatalf("deleting a ballot: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("deleting a ballot: %d rows, want 1", n)
	}
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if tl.Ballots != 5 || tl.Rejected != 0 {
		t.Fatalf("%d ballots, %d rejected; want the 5 left", tl.Ballots, tl.Rejected)
	}
	want := "少 1 张"
	if note := strings.Join(tl.BoxChecks, ""); !strings.Contains(note, want) {
		t.Fatalf("the tally says %q, want %q", tl.BoxChecks, want)
	}
	if d := countStart(t, e, p.ID); !strings.Contains(d["box_checks"], want) {
		t.Fatalf("the audit says %v, want %q", d, want)
	}
}

// A writer of the database keeps the row folded at the first close; the poll is opened
// again, three more vote, it is closed again; the writer puts the kept row back in place
// of the new one and deletes the three later ballots. The old row is bound to the first
// close, so the count does not take it: the group is checked one by one, and the tally
// says its record does not match.
func TestCountRefusesARowOfAnEarlierClose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 6)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for i, v := range voters[:3] {
		if status, _ := e.vote(v, form("优秀")); status != 200 {
			t.Fatalf("vote %d: %d", i, status)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id, group string
	var n int
	var tags, sums, mac []byte
	if err := db.QueryRow(`SELECT id, group_id, n, tags, sums, mac FROM box_sums WHERE poll_id = $1`, p.ID).Scan(&id, &group, &n, &tags, &sums, &mac); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("the first close folded %d ballots, want 3", n)
	}
	var first [][]byte
	rs, err := db.Query(`SELECT sealed FROM ballots WHERE poll_id = $1`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var b []byte
		rs.Scan(&b)
		first = append(first, b)
	}
	rs.Close()

	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 200, nil)
	for i, v := range voters[3:] {
		if status, _ := e.vote(v, form("不称职")); status != 200 {
			t.Fatalf("vote %d after reopening: %d", i, status)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var rows, all int
	if err := db.QueryRow(`SELECT count(*), COALESCE(sum(n), 0) FROM box_sums WHERE poll_id = $1`, p.ID).Scan(&rows, &all); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || all != 6 {
		t.Fatalf("the second close left %d rows for %d ballots, want the first close's row folded with the later ballots into one of 6", rows, all)
	}

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`DELETE FROM box_sums WHERE poll_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO box_sums (id, poll_id, group_id, n, tags, sums, mac) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, p.ID, group, n, tags, sums, mac); err != nil {
		t.Fatal(err)
	}
	res, err := tx.Exec(`DELETE FROM ballots WHERE poll_id = $1 AND group_id IS NOT NULL AND NOT (sealed = ANY($2))`, p.ID, pq.ByteaArray(first))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := res.RowsAffected(); d != 3 {
		t.Fatalf("deleted %d later ballots, want 3", d)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if tl.Ballots != 3 {
		t.Fatalf("%d ballots counted, want the 3 left", tl.Ballots)
	}
	note := strings.Join(tl.BoxChecks, "")
	if !strings.Contains(note, "职工代表") || !strings.Contains(note, "不符") || !strings.Contains(note, "逐张核验") {
		t.Fatalf("the tally says %q, want the group's record found not to match and its ballots checked one by one", tl.BoxChecks)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "3" {
		t.Fatalf("the audit says %v, want the 3 ballots checked one by one", d)
	}
}

// A poll opened before the server kept sums (its flag false, as the upgrade leaves it)
// has rows for part of its box, or none: it is counted ballot by ballot, and since that
// is no sign of anything the tally says nothing about it.
func TestCountOfAPollOpenedBeforeSumsWereKeptHasNoNote(t *testing.T) {
	t.Parallel()
	e, p, codes, db := keptBoxPoll(t)
	if _, err := db.Exec(`UPDATE polls SET keeps_sums = false WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM box_sums WHERE poll_id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes; v[0] != 4 || v[3] != 2 || tl.Rejected != 0 {
		t.Fatalf("votes %v, %d rejected; want 4 优秀 and 2 不称职", v, tl.Rejected)
	}
	if len(tl.BoxChecks) != 0 {
		t.Fatalf("the tally of a poll opened before sums were kept says %q", tl.BoxChecks)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "6" || d["box_checks"] != "" {
		t.Fatalf("the audit says %v, want the 6 ballots checked one by one without a note", d)
	}
}

// A poll opened again and closed again is counted from its kept sums: the second close
// folds the first close's row with the rows of the ballots cast since.
func TestCountAfterAReopenTakesTheKeptSums(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 4)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	e.vote(voters[0], form("优秀"))
	e.vote(voters[1], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/reopen", nil, 200, nil)
	e.vote(voters[2], form("不称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	if v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes; v[0] != 2 || v[3] != 1 || len(tl.BoxChecks) != 0 {
		t.Fatalf("votes %v, notes %q; want 2 优秀 and 1 不称职 and no note", v, tl.BoxChecks)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "0" {
		t.Fatalf("the count checked %s ballots one by one after a reopen (%v)", d["checked"], d)
	}
}

// In a quiet hall every vote is a batch of its own and leaves a row of one ballot. While
// the poll is open the server folds a group's rows once there are more than a few dozen,
// within a few seconds and without a vote to trigger it; the close then folds what is left
// and the count still checks no ballot one by one.
func TestOpenPollRowsAreFoldedAsItGoes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(1, "甲")
	const n = 45
	voters := e.tokens(p, n)
	codes := e.keyCeremony(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	for i, v := range voters {
		if status, _ := e.vote(v, form("称职")); status != 200 {
			t.Fatalf("vote %d: %d", i, status)
		}
	}
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, kept int
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if err := db.QueryRow(`SELECT count(*), COALESCE(sum(n), 0) FROM box_sums WHERE poll_id = $1`, p.ID).Scan(&rows, &kept); err != nil {
			t.Fatal(err)
		}
		if rows < 32 || time.Now().After(end) {
			break
		}
	}
	if rows >= 32 || kept != n {
		t.Fatalf("the open poll keeps %d rows of sums for %d ballots, want them folded into few rows of %d", rows, kept, n)
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.deviceCount(p.ID, codes, 1)
	if v := e.countedTally(p.ID).Forms[0].Evaluation.Subjects[0].Total.Votes; v[1] != n {
		t.Fatalf("votes %v, want %d 称职", v, n)
	}
	if d := countStart(t, e, p.ID); d["checked"] != "0" {
		t.Fatalf("the count checked %s ballots one by one, the folded sums were not taken (%v)", d["checked"], d)
	}
}
