package server_test

import (
	"net/url"
	"strings"
	"sync"
)

// The poll page's area in the pseudo-locale test: the poll page in its states, the big
// screen, and the teller's and the organizer's key pages. Its polls are made once per
// fixture, on first use.

type pollArea struct {
	tellers   poll   // a draft whose tellers make the key
	organizer poll   // a draft whose key the organizer's own device makes
	closed    poll   // voting over, not counted
	screen    string // the open poll's big-screen key
}

var (
	pollAreaMu sync.Mutex
	pollAreas  = map[*pseudoFixture]*pollArea{}
)

func (f *pseudoFixture) pollArea() *pollArea {
	f.t.Helper()
	pollAreaMu.Lock()
	defer pollAreaMu.Unlock()
	if a := pollAreas[f]; a != nil {
		return a
	}
	a := &pollArea{}
	draft := func(tellers []string, quorum int) poll {
		var p poll
		f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Key poll", "unit_id": f.unitID, "tellers": tellers, "teller_quorum": quorum,
			"groups": []map[string]any{{"name": "Members", "expected": 3}},
			"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Ivy", "post": "Head"}}}}},
		}, 201, &p)
		return p
	}
	a.tellers = draft([]string{"Ann", "Ben"}, 2)
	a.organizer = draft(nil, 0)
	a.closed = draft(nil, 0)
	f.openPoll(a.closed.ID)
	f.api(f.admin, "POST", "/api/v1/polls/"+a.closed.ID+"/close", nil, 200, nil)
	res, err := f.staff.PostForm(f.base+"/polls/"+f.poll.ID+"/screen", url.Values{"_csrf": {f.csrf}})
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if a.screen, err = f.st.ExistingScreenKey(ctx, f.poll.ID); err != nil || a.screen == "" {
		f.t.Fatalf("no screen key: %v", err)
	}
	pollAreas[f] = a
	return a
}

// tellerSeat is a fresh link of the tellers' draft, seat 1, as its path on this server.
func (f *pseudoFixture) tellerSeat() string {
	return strings.TrimPrefix(f.seatLinks(f.pollArea().tellers.ID)[0], f.base)
}
