package server_test

import (
	"fmt"
	"io"
	"net/url"
	"sync"
)

// The pages of a survey of 300 groups in the pseudo-locale test: the poll page folding the
// groups by region, with its token batches cut to the latest, and the big screens with and
// without regions. Made once per fixture, on first use.

type scaleArea struct {
	regions       poll   // 300 groups in 12 regions (the last without), open, a code issued in each
	regionsScreen string // its big-screen key
	flatScreen    string // the big-screen key of a draft of 300 groups without regions
}

var (
	scaleAreaMu sync.Mutex
	scaleAreas  = map[*pseudoFixture]*scaleArea{}
)

func (f *pseudoFixture) scaleArea() *scaleArea {
	f.t.Helper()
	scaleAreaMu.Lock()
	defer scaleAreaMu.Unlock()
	if a := scaleAreas[f]; a != nil {
		return a
	}
	a := &scaleArea{}
	survey := func(regions bool) poll {
		var groups []map[string]any
		for i := range 300 {
			g := map[string]any{"name": fmt.Sprintf("Window %03d", i+1), "expected": 10}
			if regions && i < 290 {
				g["region"] = fmt.Sprintf("Region %02d", i%11+1)
			}
			groups = append(groups, g)
		}
		var p poll
		f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Province survey", "unit_id": f.unitID, "key_holder": "server", "groups": groups,
			"forms": []map[string]any{{"kind": "survey", "title": "Survey", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "Overall", "options": []string{"Good", "Poor"}}}}}},
		}, 201, &p)
		return p
	}
	screen := func(p poll) string {
		res, err := f.staff.PostForm(f.base+"/polls/"+p.ID+"/screen", url.Values{"_csrf": {f.csrf}})
		if err != nil {
			f.t.Fatal(err)
		}
		res.Body.Close()
		key, err := f.st.ExistingScreenKey(ctx, p.ID)
		if err != nil || key == "" {
			f.t.Fatalf("no screen key: %v", err)
		}
		return key
	}
	a.regions = survey(true)
	res := f.issueCodes(nil, a.regions, map[string]any{"per_group": 1})
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		f.t.Fatalf("issuing codes: %d", res.StatusCode)
	}
	f.openPoll(a.regions.ID)
	a.regionsScreen = screen(a.regions)
	a.flatScreen = screen(survey(false))
	scaleAreas[f] = a
	return a
}
