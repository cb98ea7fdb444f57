package server_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"minyi/ballot"
)

// An English poll's names keep their spaces from the ballot page to the tally and the
// filed records: the subject "Zhang San" and the listed "Mary Ann Lee" are shown so, and
// the names voters wrote in three spellings of one person are counted as one, shown in
// the spelling most of them wrote; the certified bundle verifies.
func TestLatinNamesThroughTheCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Board Meeting 2026", "unit_id": e.unitID, "lang": "en",
		"groups": []map[string]any{{"name": "Members", "expected": 5}},
		"forms": []map[string]any{
			{"kind": "recommendation", "title": "Recommendation Form", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy Director", "seats": 1, "write_ins": true, "candidates": []map[string]string{{"name": "Mary  Ann Lee", "post": "Head"}}}}}},
			{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
				"subjects": []map[string]string{{"name": "Zhang\u00a0San", "post": "Director"}}}},
		}}, 201, &p)
	codes := e.tokens(p, 5)
	e.openPoll(p.ID)

	status, page := e.get(nil, "/v/"+codes[0])
	if status != 200 || !strings.Contains(page, "Zhang San") || !strings.Contains(page, "Mary Ann Lee") || strings.Contains(page, "ZhangSan") || strings.Contains(page, "MaryAnnLee") {
		t.Fatalf("ballot page: %d\n%s", status, page)
	}
	for i, w := range []string{"Wang  Wei", "WangWei", "Ｗａｎｇ Wei", "MaryAnnLee", "Li Si"} {
		v := url.Values{"f1.p1.w": {w}, "f2.s1": {"优秀"}}
		if status, body := e.vote(codes[i], v); status != http.StatusOK {
			t.Fatalf("vote %q: %d %s", w, status, body)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	type line struct {
		Name      string
		Votes     int
		WriteIn   bool
		Spellings []string
	}
	var got []line
	for _, c := range tl.Forms[0].Recommendation.Positions[0].Candidates {
		got = append(got, line{c.Name, c.Votes.Total, c.WriteIn, c.Spellings})
	}
	want := []line{
		{"Mary Ann Lee", 1, false, []string{"Mary Ann Lee", "MaryAnnLee"}},
		{"Wang Wei", 3, true, []string{"Wang Wei", "WangWei", "Ｗａｎｇ Wei"}},
		{"Li Si", 1, true, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("recommendation:\n%+v\nwant\n%+v", got, want)
	}
	if s := tl.Forms[1].Evaluation.Subjects[0]; s.Name != "Zhang San" || s.Total.Votes[0] != 5 {
		t.Fatalf("evaluation: %+v", s)
	}

	c, _ := e.browser("admin")
	base, _ := url.Parse(e.base)
	c.Jar.SetCookies(base, []*http.Cookie{{Name: "lang", Value: "en", Path: "/"}})
	text := pageText(t, c, e.base+"/polls/"+p.ID+"/tally")
	for _, want := range []string{"Zhang San", "Mary Ann Lee", "Wang Wei", "Li Si", "Deputy Director"} {
		if !strings.Contains(text, want) {
			t.Errorf("the tally page lacks %q", want)
		}
	}
	if strings.Contains(text, "ZhangSan") || strings.Contains(text, "LiSi") {
		t.Errorf("the tally page shows a name without its space:\n%s", text)
	}

	// The register: "ZhangSan" typed without the space, as names were all stored before,
	// is the subject "Zhang San" and cannot be added again spaced; the write-in "Wang
	// Wei" is filed on the register's "Wang Wei".
	var added struct{ Cadres []struct{ ID, Name string } }
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "ZhangSan", "post": "Director"}, {"name": "Wang Wei"}}}, 201, &added)
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "Zhang San", "post": "Director"}}}, 409, nil)
	var filed struct{ Filed, Unlinked int }
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, &filed)
	if filed.Filed != 4 || filed.Unlinked != 2 {
		t.Fatalf("filed %+v", filed)
	}
	for _, cd := range added.Cadres {
		var record struct{ Entries []struct{ Name string } }
		e.api(e.admin, "GET", "/api/v1/cadres/"+cd.ID, nil, 200, &record)
		if len(record.Entries) != 1 || ballot.NameKey(record.Entries[0].Name) != ballot.NameKey(cd.Name) || !strings.Contains(record.Entries[0].Name, " ") {
			t.Errorf("the record of %s: %+v", cd.Name, record)
		}
	}

	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	if checks, _, _ := checkBundle(t, raw); !ballot.Verified(checks) {
		t.Fatalf("the bundle fails: %+v", checks)
	}
}
