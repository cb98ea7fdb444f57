package server_test

import (
	"net/url"
	"sync"
)

// Data the pseudo-locale rows of the poll's staff pages need beyond the fixture's open
// poll, made the first time a row asks for it.

var pseudoPollsOnce struct {
	sync.Mutex
	issued  map[*pseudoFixture]bool
	tellers map[*pseudoFixture]string
}

// issuedTwice posts the same issuing form a first time, so that the row's own post of it
// is the repeated one that gets the "already issued" page.
func (f *pseudoFixture) issuedTwice() url.Values {
	form := url.Values{"group_id": {f.poll.Groups[0].ID}, "count": {"1"}, "issue_key": {"pseudo-issue-once"}, "_csrf": {f.csrf}}
	pseudoPollsOnce.Lock()
	defer pseudoPollsOnce.Unlock()
	if pseudoPollsOnce.issued == nil {
		pseudoPollsOnce.issued = map[*pseudoFixture]bool{}
	}
	if !pseudoPollsOnce.issued[f] {
		res, err := f.staff.PostForm(f.base+"/polls/"+f.poll.ID+"/tokens", form)
		if err != nil {
			f.t.Fatal(err)
		}
		res.Body.Close()
		pseudoPollsOnce.issued[f] = true
	}
	return form
}

// tellerPoll is a draft poll whose key three tellers hold.
func (f *pseudoFixture) tellerPoll() string {
	pseudoPollsOnce.Lock()
	defer pseudoPollsOnce.Unlock()
	if pseudoPollsOnce.tellers == nil {
		pseudoPollsOnce.tellers = map[*pseudoFixture]string{}
	}
	if id, ok := pseudoPollsOnce.tellers[f]; ok {
		return id
	}
	var p poll
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Tellers' poll", "unit_id": f.unitID, "lang": "en",
		"key_holder": "tellers", "tellers": []string{"Ann", "Ben", "Cy"}, "teller_quorum": 2,
		"groups": []map[string]any{{"name": "Members", "expected": 9}},
		"forms":  []map[string]any{{"kind": "approval", "title": "Vote", "approval": map[string]any{"nominees": []map[string]string{{"name": "Frank"}}}}}}, 201, &p)
	pseudoPollsOnce.tellers[f] = p.ID
	return p.ID
}

// builderForm is the builder's page as posted: an annual evaluation, with what the test
// changes.
func builderForm(set map[string]string) func(*pseudoFixture) url.Values {
	return func(*pseudoFixture) url.Values {
		v := url.Values{"title": {"Annual review"}, "groups": {"Staff 40"}, "quorum": {"2/3"}, "key_holder": {"organizer"},
			"f0_kind": {"evaluation"}, "f0_title": {"Evaluation"}, "f0_grades": {"individual"}, "f0_subjects": {"Alice Director"},
			"f0_t_adjust": {"2/3"}, "f0_t_dismiss": {"1/3"}, "f0_t_probation": {"2/3"}}
		for k, x := range set {
			v.Set(k, x)
		}
		return v
	}
}
