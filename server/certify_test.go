package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"minyi/ballot"
)

// The count is certified: a signed bundle that verifies on its own, a receipt each voter
// can look up once counted, and the signing key's fingerprint on /about.
func TestCertifiedTally(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 2)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/open", nil, 200, nil)
	var cast struct{ Receipt string }
	e.api("", "POST", "/api/v1/ballot/"+codes[0], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"优秀"}, "s2": {"称职"}}}}}}, 200, &cast)
	if len(cast.Receipt) != 19 {
		t.Fatalf("receipt %q", cast.Receipt)
	}
	_, done := e.vote(codes[1], form("不称职", "称职"))
	if !strings.Contains(done, "回执码") {
		t.Fatal("the confirmation shows no receipt")
	}
	if _, page := e.get(nil, "/receipt?code="+strings.ToLower(cast.Receipt)); !strings.Contains(page, "没有找到") {
		t.Fatal("a receipt must not be found before the count")
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 403, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/count", nil, 200, nil)
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	var signed ballot.Signed
	if err := json.Unmarshal(raw, &signed); err != nil {
		t.Fatal(err)
	}
	checks, b := ballot.Verify(&signed)
	if !ballot.Verified(checks) || len(b.Ballots) != 2 || len(b.Receipts) != 2 {
		t.Fatalf("bundle: %+v", checks)
	}
	if _, page := e.get(nil, "/receipt?code="+cast.Receipt); !strings.Contains(page, "该回执在以下投票活动的计票结果中") || !strings.Contains(page, "年度民主测评") {
		t.Fatal("a counted receipt is not found")
	}
	if _, page := e.get(nil, "/receipt?code=ZZZZ-ZZZZ-ZZZZ-ZZZZ"); !strings.Contains(page, "没有找到") {
		t.Fatal("an unknown receipt is found")
	}
	if _, about := e.get(nil, "/about"); !strings.Contains(about, ballot.Fingerprint(signed.PublicKey)) {
		t.Fatal("/about does not show the signing key's fingerprint")
	}
	for _, c := range codes {
		if strings.Contains(string(signed.Bundle), strings.ReplaceAll(c, "-", "")) || strings.Contains(string(signed.Bundle), c) {
			t.Fatal("a token reached the bundle")
		}
	}
}
