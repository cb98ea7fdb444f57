package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/ballot"
)

// Paper ballots: a token turned to paper cannot vote by phone; each paper ballot goes into
// the box when two different people enter it alike; never more than the group's paper
// tokens; the tally counts paper and phone ballots.
func TestPaperBallotsByDoubleEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addStaff("teller_a", "teller", e.unitID)
	e.addStaff("teller_b", "teller", e.unitID)
	p := e.evaluation("张三")
	codes := e.tokens(p, 3)
	e.openPoll(p.ID)
	admin, csrf := e.browser("admin")
	post := func(c *http.Client, path string, v url.Values, csrf string) (int, string) {
		t.Helper()
		v.Set("_csrf", csrf)
		res, err := c.PostForm(e.base+path, v)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, code := range codes[1:] {
		if status, body := post(admin, "/polls/"+p.ID+"/tokens/paper", url.Values{"code": {code}}, csrf); status != 200 || !strings.Contains(body, "已改为纸质投票") {
			t.Fatalf("mark paper: %d", status)
		}
	}
	if status, body := e.vote(codes[1], form("优秀")); status != 409 || !strings.Contains(body, "纸质投票") {
		t.Fatalf("a paper token voting by phone: %d", status)
	}
	a, csrfA := e.browser("teller_a")
	b, csrfB := e.browser("teller_b")
	enter := func(c *http.Client, csrf string, marks ...string) string {
		t.Helper()
		v := url.Values{"group_id": {p.Groups[0].ID}}
		for _, m := range marks {
			v.Add("f1.s1", m)
		}
		status, body := post(c, "/polls/"+p.ID+"/paper", v, csrf)
		if status != 200 {
			t.Fatalf("entry %v: %d", marks, status)
		}
		for _, msg := range []string{"两人录入一致", "等待另一位工作人员", "不能再录入"} {
			if strings.Contains(body, msg) {
				return msg
			}
		}
		return body
	}
	steps := []struct {
		who   *http.Client
		csrf  string
		marks []string
		want  string
	}{
		{a, csrfA, []string{"优秀"}, "等待另一位工作人员"},
		{a, csrfA, []string{"优秀"}, "等待另一位工作人员"}, // the same person twice never matches
		{b, csrfB, []string{"优秀"}, "两人录入一致"},
		{a, csrfA, []string{"优秀", "称职"}, "等待另一位工作人员"}, // a double-marked paper is entered as it is
		{b, csrfB, []string{"称职", "优秀"}, "两人录入一致"},
	}
	for i, s := range steps {
		if got := enter(s.who, s.csrf, s.marks...); got != s.want {
			t.Fatalf("step %d: %q, want %q", i+1, got, s.want)
		}
	}
	// Both paper tokens are used up: a further match is refused and changes nothing.
	status, body := post(b, "/polls/"+p.ID+"/paper", url.Values{"group_id": {p.Groups[0].ID}, "f1.s1": {"优秀"}}, csrfB)
	if status != 400 || !strings.Contains(body, "纸质选票数已等于改为纸质投票的凭证数") || !strings.Contains(body, `value="优秀" checked`) {
		t.Fatalf("over the paper tokens: %d", status)
	}
	st, _ := e.st.Paper(ctx, p.ID)
	if st.Tokens != 2 || st.Ballots != 2 || st.Pending != 1 {
		t.Fatalf("paper status %+v", st)
	}
	if status, body := post(admin, "/polls/"+p.ID+"/paper/discard", url.Values{}, csrf); status != 200 || !strings.Contains(body, "已清除 1 条") {
		t.Fatalf("discard: %d", status)
	}
	e.vote(codes[0], form("称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	var tl ballot.Tally
	e.countPoll(p.ID, &tl)
	z := tl.Forms[0].Evaluation.Subjects[0].Total
	if tl.Ballots != 3 || tl.Paper != 2 || tl.Used != 3 || z.Valid != 2 || z.Invalid != 1 || z.Votes[0] != 1 || z.Votes[1] != 1 {
		t.Fatalf("tally: ballots %d paper %d used %d %+v", tl.Ballots, tl.Paper, tl.Used, z)
	}
	if _, page := e.get(admin, "/polls/"+p.ID+"/tally"); !strings.Contains(page, "其中纸质选票 2 张") {
		t.Fatal("the tally page does not count paper ballots")
	}
	cols, _ := e.st.Columns(ctx, "paper_entries")
	for _, c := range cols {
		if strings.Contains(c, "token") || strings.Contains(c, "timestamp") {
			t.Fatalf("paper_entries.%s", c)
		}
	}
}
