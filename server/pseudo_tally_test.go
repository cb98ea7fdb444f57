package server_test

import (
	"sync"
)

// The count's conclusions for the pseudo-locale test: a poll counted with a flag of every
// kind (建议调整, 进入差额考察 and 得票未过半, 通过, 不认同率), its small groups pooled, and
// one counted below quorum, both filed; made once per fixture, with ASCII names.

type flaggedData struct {
	counted, below string
}

var (
	flaggedMu    sync.Mutex
	flaggedByFix = map[*pseudoFixture]*flaggedData{}
)

func (f *pseudoFixture) flagged() *flaggedData {
	flaggedMu.Lock()
	defer flaggedMu.Unlock()
	if d, ok := flaggedByFix[f]; ok {
		return d
	}
	var p, low poll
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Flag Review", "year": 2019, "unit_id": f.unitID,
		"groups": []map[string]any{{"name": "Leaders", "expected": 3}, {"name": "Staff", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Alice", "post": "Head"}}}},
			{"kind": "recommendation", "title": "Recommendation", "recommendation": map[string]any{"positions": []map[string]any{
				{"title": "Deputy", "seats": 1, "candidates": []map[string]string{{"name": "Carol"}, {"name": "Dan"}}}}}},
			{"kind": "approval", "title": "Vote", "approval": map[string]any{"nominees": []map[string]string{{"name": "Eve"}}}},
			{"kind": "review", "title": "Review", "review": map[string]any{"overall": "Overall",
				"cadres": []map[string]string{{"name": "Gina"}, {"name": "Hank"}}}},
		}}, 201, &p)
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Thin Review", "year": 2019, "unit_id": f.unitID,
		"groups": []map[string]any{{"name": "Members", "expected": 6}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Ivy"}}}}}}, 201, &low)
	codes := append(f.tokensIn(p.ID, p.Groups[0].ID, 3), f.tokensIn(p.ID, p.Groups[1].ID, 3)...)
	lowCode := f.tokensIn(low.ID, low.Groups[0].ID, 1)
	f.openPoll(p.ID)
	f.openPoll(low.ID)
	grades := []string{"优秀", "称职", "基本称职", "不称职", "优秀"}
	agree := []string{"同意", "同意", "不同意", "同意", "同意"}
	views := []string{"不认同", "认同", "不认同", "基本认同", "认同"}
	for i, code := range codes[:5] {
		f.cast(code,
			map[string][]string{"s1": {grades[i]}},
			map[string][]string{"p1": {[]string{"c1", "c2"}[i%2]}},
			map[string][]string{"n1": {agree[i]}},
			map[string][]string{"overall": {"好"}, "c1": {views[i]}, "c2": {"认同"}})
	}
	f.cast(lowCode[0], map[string][]string{"s1": {"称职"}})
	for _, id := range []string{p.ID, low.ID} {
		f.api(f.admin, "POST", "/api/v1/polls/"+id+"/close", nil, 200, nil)
		f.countPoll(id, nil)
		var filed struct {
			Added int `json:"filed"`
		}
		if f.api(f.admin, "POST", "/api/v1/polls/"+id+"/file", nil, 200, &filed); filed.Added == 0 {
			f.t.Fatalf("nothing filed from poll %s", id)
		}
		var got struct {
			Entries []struct {
				Year int `json:"year"`
			} `json:"entries"`
		}
		// the records row reads the year the titles name
		if f.api(f.admin, "GET", "/api/v1/polls/"+id+"/entries", nil, 200, &got); len(got.Entries) == 0 || got.Entries[0].Year != 2019 {
			f.t.Fatalf("poll %s filed as %+v, not under 2019", id, got)
		}
	}
	d := &flaggedData{counted: p.ID, below: low.ID}
	flaggedByFix[f] = d
	return d
}
