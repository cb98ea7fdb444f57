package server_test

import (
	"sync"
)

// The records, cadres, selections and administration pages' data for the pseudo-locale
// test: made once per fixture, on first use, with ASCII names so that whatever Chinese
// is left on a page is the page's own.

type recordsData struct {
	cadre, selection string
}

var (
	recordsMu    sync.Mutex
	recordsByFix = map[*pseudoFixture]*recordsData{}
)

// records is the fixture's cadre (in the register of Unit A) and its selection, whose
// steps are a recommendation linked to the open poll and a vote linked to a poll counted
// with no ballot cast (below quorum).
func (f *pseudoFixture) records() *recordsData {
	recordsMu.Lock()
	defer recordsMu.Unlock()
	if d, ok := recordsByFix[f]; ok {
		return d
	}
	d := &recordsData{}
	var added struct {
		Cadres []struct {
			ID string `json:"id"`
		} `json:"cadres"`
	}
	f.api(f.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": f.unitID,
		"cadres": []map[string]any{{"name": "Ivan", "gender": "男", "birth_year": 1975, "post": "Chief"}}}, 201, &added)
	d.cadre = added.Cadres[0].ID

	var counted poll
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Spring vote", "unit_id": f.unitID,
		"groups": []map[string]any{{"name": "All", "expected": 3}},
		"forms":  []map[string]any{{"kind": "approval", "title": "Vote", "approval": map[string]any{"nominees": []map[string]string{{"name": "Ivan", "post": "Chief"}}}}}}, 201, &counted)
	f.openPoll(counted.ID)
	f.api(f.admin, "POST", "/api/v1/polls/"+counted.ID+"/close", nil, 200, nil)
	f.countPoll(counted.ID, nil)

	var sel struct {
		ID string `json:"id"`
	}
	f.api(f.admin, "POST", "/api/v1/selections", map[string]any{"unit_id": f.unitID, "post": "Deputy head"}, 201, &sel)
	d.selection = sel.ID
	f.api(f.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "民主推荐", "date": "2026-03-01", "poll_id": f.poll.ID, "note": "First round"}, 201, nil)
	f.api(f.admin, "POST", "/api/v1/selections/"+sel.ID+"/steps", map[string]any{"kind": "讨论决定", "date": "2026-03-05", "poll_id": counted.ID}, 201, nil)
	recordsByFix[f] = d
	return d
}
