package server_test

import (
	"database/sql"
	"testing"
)

// The count reads the box in chunks, in two passes, holding a small record per ballot
// and never the box. Made to read 5 rows and 4 ballots at a time, a box of twelve (the
// last chunk of each pass a partial one) is counted exactly on the tellers' devices: a
// copy of a ballot written by a writer of the database into another chunk of the first
// pass than its original is caught and left out, every other ballot counted, and the
// bundle lists all twelve with its records' hash and Merkle root holding.
func TestCountReadsTheBoxInChunks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.st.SetCountChunks(5, 4)
	p := e.tellerPoll(1, "甲")
	voters := e.tokens(p, 11)
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
	defer db.Close()
	// The ballot read last by id, copied to the row read first.
	res, err := db.Exec(`INSERT INTO ballots (id, poll_id, group_id, sealed)
		SELECT '00000000-0000-4000-8000-000000000001', poll_id, group_id, sealed FROM ballots
		WHERE poll_id = $1 AND group_id IS NOT NULL ORDER BY id DESC LIMIT 1`, p.ID)
	if err != nil {
		t.Fatalf("copying a ballot: %v", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("copying a ballot: %d rows, want 1", n)
	}
	e.deviceCount(p.ID, codes, 1)
	tl := e.countedTally(p.ID)
	v := tl.Forms[0].Evaluation.Subjects[0].Total.Votes
	if tl.Ballots != 12 || tl.Rejected != 1 || v[0] != 8 || v[3] != 3 {
		t.Fatalf("%d ballots, %d rejected, votes %v; want 12 with the copy rejected, 8 优秀 and 3 不称职", tl.Ballots, tl.Rejected, v)
	}
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	checks, b, _ := checkBundle(t, raw)
	if b == nil || b.BallotCount() != 12 {
		t.Fatalf("the bundle lists %v ballots, want 12: %+v", b, checks)
	}
	for _, c := range checks {
		// Twelve ballots for eleven tokens used is the copy, and the bundle says so.
		if !c.OK && c.Name != "选票数 = 已用凭证数" {
			t.Fatalf("the bundle of a box read in chunks fails %q: %s", c.Name, c.Note)
		}
	}
}
