package server_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/server"
	"minyi/store/dbtest"
)

// poolEnv is newEnv with an instance that keeps every voter's ballot prepared ahead.
func poolEnv(t *testing.T) *env {
	t.Helper()
	url := dbtest.URL(t)
	logs := &syncBuffer{}
	st, base, metrics := startInstance(t, url, logs, func(c *server.Config) { c.PrepareAhead = 30 })
	e := &env{t: t, st: st, logs: logs, url: url, base: base, metrics: metrics}
	u, err := st.CreateUnit(ctx, "甲单位")
	if err != nil {
		t.Fatal(err)
	}
	e.unitID = u.ID
	e.addStaff("admin", "admin", "")
	e.admin = e.login("admin")
	return e
}

// Voters who arrive together each get a prepared ballot of their own: every submit is
// accepted, the count reads every ballot, and no two ballots share their randomness (a
// prepared ballot handed to two voters would give two ballots with the same ciphertexts,
// whose difference tells both voters' marks).
func TestPooledBallotsAreNeverShared(t *testing.T) {
	t.Parallel()
	e := poolEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 30)
	e.openPoll(p.ID)
	time.Sleep(2 * time.Second) // the hall settles in while the instance fills its pool
	var wg sync.WaitGroup
	statuses := make([]int, len(codes))
	for i, code := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			marks := []string{"优秀", "称职"}
			if i%3 == 0 {
				marks = []string{"不称职", "优秀"}
			}
			statuses[i], _ = e.vote(code, form(marks...))
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("voter %d: status %d", i, s)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	box, err := e.st.Box(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The first cell of every ballot is marked on every ballot: its ciphertext differs
	// from ballot to ballot only by its randomness.
	seen := map[string]int{}
	for i, b := range box {
		first := string(b.Sealed[1 : 1+64])
		if j, ok := seen[first]; ok {
			t.Errorf("ballots %d and %d of the box share their first ciphertext", j, i)
		}
		seen[first] = i
	}
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	subjects := tl.Forms[0].Evaluation.Subjects
	if tl.Ballots != 30 || len(tl.Unreadable) != 0 || subjects[0].Total.Votes[0] != 20 || subjects[1].Total.Votes[0] != 10 {
		t.Fatalf("%d ballots, unreadable %v, votes %v and %v", tl.Ballots, tl.Unreadable, subjects[0].Total.Votes, subjects[1].Total.Votes)
	}
}

// A wiped rehearsal's pool, prepared under the rehearsal's key, is never used for the real
// run, which opens with a new key: every real ballot is read at the count.
func TestPoolOfAWipedRehearsalIsNotUsed(t *testing.T) {
	t.Parallel()
	e := poolEnv(t)
	p := e.evaluation("张三")
	real := e.tokens(p, 5)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal", nil, 200, nil)
	test := e.tokens(p, 2)
	e.openPoll(p.ID)
	time.Sleep(time.Second) // the rehearsal's pool fills
	for _, code := range test {
		if status, _ := e.vote(code, form("不称职")); status != 200 {
			t.Fatalf("rehearsal vote: %d", status)
		}
	}
	rehearsalKey := e.publicKey(p.ID)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/rehearsal/wipe", nil, 200, nil)
	e.openPoll(p.ID)
	if bytes.Equal(rehearsalKey, e.publicKey(p.ID)) {
		t.Fatal("the real run opened with the rehearsal's key")
	}
	for _, code := range real {
		if status, body := e.vote(code, form("优秀")); status != 200 {
			t.Fatalf("real vote: %d %s", status, body)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	if tl.Rehearsal || tl.Ballots != 5 || len(tl.Unreadable) != 0 || tl.Forms[0].Evaluation.Subjects[0].Total.Votes[0] != 5 {
		t.Fatalf("real tally: %d ballots, unreadable %v, votes %v", tl.Ballots, tl.Unreadable, tl.Forms[0].Evaluation.Subjects[0].Total.Votes)
	}
}

// publicKey is the poll's public key as the store has it.
func (e *env) publicKey(id string) []byte {
	e.t.Helper()
	p, err := e.st.Poll(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.PublicKey
}
