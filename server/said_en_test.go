package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// saidOf walks an API answer for the stored sentences and what was said beside them:
// every object holding field (a flag's "rule", an entry's "summary"), its stored value
// and its field_said, in the order met.
func saidOf(t *testing.T, body []byte, field string) (stored, said []string, missing int) {
	t.Helper()
	var tree any
	if err := json.Unmarshal(body, &tree); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var walk func(v any)
	walk = func(v any) {
		switch o := v.(type) {
		case []any:
			for _, e := range o {
				walk(e)
			}
		case map[string]any:
			if s, ok := o[field].(string); ok {
				if _, isFlag := o["threshold"]; field != "rule" || isFlag {
					stored = append(stored, s)
					if w, ok := o[field+"_said"].(string); ok {
						said = append(said, w)
					} else {
						missing++
					}
				}
			}
			if list, ok := o[field].([]any); ok {
				for _, e := range list {
					s, _ := e.(string)
					stored = append(stored, s)
				}
				w, _ := o[field+"_said"].([]any)
				for _, e := range w {
					s, _ := e.(string)
					said = append(said, s)
				}
				missing += len(list) - len(w)
			}
			for _, e := range o {
				walk(e)
			}
		}
	}
	walk(tree)
	return stored, said, missing
}

// The API's tally and filed records in English: every flag's label and rule, the notes of
// a tally below quorum and every filed summary have their English beside the stored
// Chinese, which stays as signed and filed; a Chinese request gets the stored answer with
// nothing added.
func TestAPITallyAndRecordsInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var p, low poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Annual Review", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "Staff", "expected": 3}},
		"forms": []map[string]any{
			{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
				"subjects": []map[string]string{{"name": "Alice Wang", "post": "Director"}}}},
			{"kind": "approval", "title": "Approval Form", "approval": map[string]any{"nominees": []map[string]string{{"name": "Eve Sun"}}}},
		}}, 201, &p)
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "Spring Review", "unit_id": e.unitID,
		"groups": []map[string]any{{"name": "Members", "expected": 6}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "Evaluation Form", "evaluation": map[string]any{
			"subjects": []map[string]string{{"name": "Ivy Qian", "post": "Head"}}}}}}, 201, &low)
	codes := e.tokensIn(p.ID, p.Groups[0].ID, 3)
	lowCode := e.tokensIn(low.ID, low.Groups[0].ID, 1)
	e.openPoll(p.ID)
	e.openPoll(low.ID)
	for i, code := range codes {
		e.cast(code, map[string][]string{"s1": {[]string{"不称职", "不称职", "称职"}[i]}}, map[string][]string{"n1": {"同意"}})
	}
	e.cast(lowCode[0], map[string][]string{"s1": {"称职"}})
	for _, id := range []string{p.ID, low.ID} {
		e.api(e.admin, "POST", "/api/v1/polls/"+id+"/close", nil, 200, nil)
		e.countPoll(id, nil)
	}

	english := func(what string, stored, said []string, missing int, wants ...string) {
		t.Helper()
		if len(stored) == 0 || missing > 0 || len(said) != len(stored) {
			t.Fatalf("%s: %d stored, %d said, %d without: %q / %q", what, len(stored), len(said), missing, stored, said)
		}
		for i := range stored {
			if !hanText.MatchString(stored[i]) {
				t.Errorf("%s: the stored %q is no longer the Chinese", what, stored[i])
			}
			if left := chineseBesidesTerms(said[i]); len(left) > 0 {
				t.Errorf("%s: %q still says in Chinese %q", what, said[i], left)
			}
		}
		all := strings.Join(said, "\n")
		for _, w := range wants {
			if !strings.Contains(all, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, all)
			}
		}
	}
	_, zh := e.say("", e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil)
	_, zhCN := e.say("zh-CN", e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil)
	if string(zh) != string(zhCN) || strings.Contains(string(zh), "_said") {
		t.Errorf("the Chinese tally changed:\n%s\n%s", zh, zhCN)
	}
	_, en := e.say("en", e.admin, "GET", "/api/v1/polls/"+p.ID+"/tally", nil)
	rules, said, missing := saidOf(t, en, "rule")
	english("flags' rules", rules, said, missing, "votes exceed one third", "Agree votes exceed")
	zhRules, _, _ := saidOf(t, zh, "rule")
	if strings.Join(zhRules, "\n") != strings.Join(rules, "\n") {
		t.Errorf("the English answer's stored rules differ from the Chinese:\n%q\n%q", rules, zhRules)
	}
	labels, said, missing := saidOf(t, en, "label")
	english("flags' labels", labels, said, missing, "removal advised", "passed")

	_, en = e.say("en", e.admin, "GET", "/api/v1/polls/"+low.ID+"/tally", nil)
	notes, said, missing := saidOf(t, en, "notes")
	english("notes below quorum", notes, said, missing, "Quorum not reached, the result is void: 1 voted, 6 expected")

	var added struct {
		Cadres []struct{ ID string }
	}
	e.api(e.admin, "POST", "/api/v1/cadres", map[string]any{"unit_id": e.unitID, "cadres": []map[string]any{{"name": "Alice Wang", "post": "Director"}}}, 201, &added)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/file", nil, 200, nil)
	_, history := e.say("en", e.admin, "GET", "/api/v1/cadres/"+added.Cadres[0].ID, nil)
	sums, said, missing := saidOf(t, history, "summary")
	english("a cadre's summaries", sums, said, missing, "valid 3")
	_, entries := e.say("en", e.admin, "GET", "/api/v1/polls/"+p.ID+"/entries", nil)
	sums2, said2, missing := saidOf(t, entries, "summary")
	english("entries' summaries", sums2, said2, missing, "valid 3")
	if _, zh := e.say("", e.admin, "GET", "/api/v1/polls/"+p.ID+"/entries", nil); strings.Contains(string(zh), "_said") {
		t.Errorf("the Chinese entries changed: %s", zh)
	}
}

// The live total's name: the big screen's turnout and its stream name the total in the
// reader's language, as the pages do, and in Chinese as before.
func TestLiveTotalInEnglish(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三")
	e.tokens(p, 2)
	e.openPoll(p.ID)
	key, err := e.st.ScreenKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	total := func(b []byte) string {
		var v struct {
			Turnout struct{ Total struct{ Name string } }
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return v.Turnout.Total.Name
	}
	header := func(lang string) map[string]string {
		if lang == "" {
			return nil
		}
		return map[string]string{"Cookie": "lang=" + lang}
	}
	for lang, want := range map[string]string{"en": "Total", "": "合计"} {
		if _, b := e.fetchWith("/screen/"+key+"/turnout", header(lang)); total([]byte(b)) != want {
			t.Errorf("screen turnout in %q: total %q, want %q", lang, total([]byte(b)), want)
		}
		req, _ := http.NewRequest("GET", e.base+"/screen/"+key+"/live", nil)
		for k, v := range header(lang) {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
					got <- total([]byte(data))
					return
				}
			}
			got <- "(no event)"
		}()
		select {
		case s := <-got:
			if s != want {
				t.Errorf("stream in %q: total %q, want %q", lang, s, want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("stream in %q: no event", lang)
		}
		res.Body.Close()
	}
}
