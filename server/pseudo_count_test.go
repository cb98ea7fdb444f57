package server_test

import (
	"strings"
	"sync"
)

// The count's side of the pseudo-locale test: a poll counted with every kind of form (its
// poll page, count page and next round), polls whose key the tellers' or the organizer's
// devices hold, closed and waiting for them to count, and the voter's notices of a code
// refused for its state (poll over, voided, changed to paper). Made once per fixture,
// on first use, with ASCII data.

type countArea struct {
	counted  poll   // every kind of form, one ballot, counted
	tellers  poll   // two tellers hold the key; the count waits for their devices
	seat     string // the first teller's link to that poll, as its path on this server
	ownerKey poll   // the organizer's device holds the key; the count waits for it
	// voter codes refused for their state: the counted poll's unused one, and two of
	// the fixture's open poll, one voided and one changed to paper
	closedCode, voidCode, paperCode string
}

var (
	countAreaMu sync.Mutex
	countAreas  = map[*pseudoFixture]*countArea{}
)

func (f *pseudoFixture) countArea() *countArea {
	f.t.Helper()
	countAreaMu.Lock()
	defer countAreaMu.Unlock()
	if a := countAreas[f]; a != nil {
		return a
	}
	a := &countArea{}
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Counted review", "unit_id": f.unitID,
		"groups": []map[string]any{{"name": "Staff reps", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice", "post": "Director"}}}},
			{"kind": "recommendation", "title": "Recommendation", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "Bob", "post": "Head"}, {"name": "Carol"}}}}}},
			{"kind": "approval", "title": "Vote", "approval": map[string]any{"nominees": []map[string]string{{"name": "Frank", "post": "Head"}}}},
			{"kind": "review", "title": "Review", "review": map[string]any{"overall": "Overall",
				"cadres": []map[string]string{{"name": "Grace", "post": "Chief"}}}},
			{"kind": "survey", "title": "Survey", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "Role", "options": []string{"Staff", "Public"}},
				{"kind": "matrix", "title": "Work", "options": []string{"Good", "Poor"}, "rows": []string{"Row one"}},
				{"kind": "rating", "title": "Score"},
				{"kind": "text", "title": "Ideas", "max_len": 100}}}},
			{"kind": "scoring", "title": "Scores", "scoring": map[string]any{"subjects": []map[string]string{{"name": "Heidi", "post": "Chief"}}}},
		}}, 201, &a.counted)
	codes := f.tokensIn(a.counted.ID, a.counted.Groups[0].ID, 2)
	f.openPoll(a.counted.ID)
	f.cast(codes[0], map[string][]string{"s1": {"称职"}}, map[string][]string{"p1": {"c1"}}, map[string][]string{"n1": {"同意"}}, nil, nil, nil)
	f.api(f.admin, "POST", "/api/v1/polls/"+a.counted.ID+"/close", nil, 200, nil)
	f.countPoll(a.counted.ID, nil)
	a.closedCode = codes[1]
	more := f.tokensIn(f.poll.ID, f.poll.Groups[0].ID, 2)
	a.voidCode, a.paperCode = more[0], more[1]
	f.api(f.admin, "POST", "/api/v1/polls/"+f.poll.ID+"/tokens/void", map[string]string{"code": a.voidCode}, 200, nil)
	f.api(f.admin, "POST", "/api/v1/polls/"+f.poll.ID+"/tokens/paper", map[string]string{"code": a.paperCode}, 200, nil)

	waiting := func(tellers []string, quorum int) poll {
		var p poll
		f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Count waits", "unit_id": f.unitID, "tellers": tellers, "teller_quorum": quorum,
			"groups": []map[string]any{{"name": "Members", "expected": 3}},
			"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Ivy", "post": "Head"}}}}},
		}, 201, &p)
		code := f.tokensIn(p.ID, p.Groups[0].ID, 1)[0]
		f.openPoll(p.ID)
		f.cast(code, map[string][]string{"s1": {"优秀"}})
		f.api(f.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
		f.api(f.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 202, nil)
		return p
	}
	a.tellers = waiting([]string{"Ann", "Ben"}, 2)
	links, ok := seatURLs.Load(a.tellers.ID)
	if !ok {
		f.t.Fatal("no teller links for the tellers' poll")
	}
	a.seat = strings.TrimPrefix(links.([]string)[0], f.base)
	a.ownerKey = waiting(nil, 0)
	countAreas[f] = a
	return a
}
