package server_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The submit after a ballot page this instance showed does not look its token up again,
// but whether the token may still vote is decided where the ballot is written: a token
// that voted through another instance, or was voided, after its page was shown here is
// refused, with its poll's contact line, and the box gains nothing.
func TestSubmitAfterItsPageStillRefusesAUsedOrVoidedToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	contact := "如有疑问请联系：组织部 王五 13700000000"
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{"title": "两台服务器的测评", "unit_id": e.unitID, "contact": contact,
		"groups": []map[string]any{{"name": "职工代表", "expected": 5}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}}}, 201, &p)
	codes := e.tokens(p, 3)
	e.openPoll(p.ID)
	_, other, _ := startInstance(t, e.url, io.Discard)

	page := func(base, code string) {
		t.Helper()
		res, err := http.Get(base + "/v/" + code)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("ballot page on %s: %d", base, res.StatusCode)
		}
	}
	vote := func(base, code string) (int, string) {
		t.Helper()
		res, err := http.PostForm(base+"/v/"+code, url.Values{"f1.s1": {"称职"}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, html.UnescapeString(string(b))
	}
	used := func() int {
		t.Helper()
		var tu struct{ Total struct{ Used int } }
		e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/turnout", nil, 200, &tu)
		return tu.Total.Used
	}

	// The page here, the vote through the other instance, then the submit of the page here.
	page(e.base, codes[0])
	if status, body := vote(other, codes[0]); status != 200 || !strings.Contains(body, "投票成功") {
		t.Fatalf("vote on the other instance: %d %s", status, body)
	}
	if status, body := vote(e.base, codes[0]); status != http.StatusConflict || !strings.Contains(body, "该凭证已投票") || !strings.Contains(body, contact) {
		t.Fatalf("the page's submit after the token voted elsewhere: %d, contact shown %v\n%s", status, strings.Contains(body, contact), body)
	}
	if n := used(); n != 1 {
		t.Fatalf("one token voted twice through two instances: %d ballots", n)
	}

	// The page here, the token voided, then the submit of the page.
	page(e.base, codes[1])
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/tokens/void", map[string]string{"code": codes[1]}, 200, nil)
	if status, body := vote(e.base, codes[1]); status != http.StatusGone || !strings.Contains(body, "该凭证已作废") || !strings.Contains(body, contact) {
		t.Fatalf("the page's submit after the token was voided: %d, contact shown %v\n%s", status, strings.Contains(body, contact), body)
	}
	if n := used(); n != 1 {
		t.Fatalf("a voided token's ballot was taken: %d ballots", n)
	}

	// The page, its submit, and the same submit again (a voter pressing twice).
	page(e.base, codes[2])
	if status, body := vote(e.base, codes[2]); status != 200 || !strings.Contains(body, "投票成功") {
		t.Fatalf("vote after its page: %d %s", status, body)
	}
	if status, body := vote(e.base, codes[2]); status != http.StatusConflict || !strings.Contains(body, "该凭证已投票") {
		t.Fatalf("the same submit again: %d %s", status, body)
	}
	if n := used(); n != 2 {
		t.Fatalf("after two voters: %d ballots", n)
	}
}
