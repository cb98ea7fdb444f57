package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"minyi/pgembed"
)

// The backup procedure of docs/DEPLOY.md, run: a counted poll, `pg_dump -Fc`, a restore
// into an empty database, a server on the restored database (with the same server
// secret): the certified bundle it serves is the one certified, byte for byte, and
// `minyi verify` accepts it; voters' receipts are found; the audit chain is intact.
func TestBackupRestore(t *testing.T) {
	db := newFaultDB(t)
	a := db.serve(t)
	var session struct{ Token string }
	postJSON(t, a.base+"/api/v1/sessions", "", map[string]string{"username": "admin", "password": a.password}, &session)
	admin := session.Token
	var units struct{ Units []struct{ ID string } }
	getJSON(t, a.base+"/api/v1/units", admin, &units)
	var p struct {
		ID     string
		Groups []struct{ ID string }
	}
	postJSON(t, a.base+"/api/v1/polls", admin, map[string]any{"title": "备份恢复测试", "unit_id": units.Units[0].ID,
		"groups": []map[string]any{{"name": "职工代表", "expected": 5}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}},
	}, &p)
	var toks struct{ Tokens []struct{ Code string } }
	postJSON(t, a.base+"/api/v1/polls/"+p.ID+"/tokens", admin, map[string]any{"group_id": p.Groups[0].ID, "count": 5}, &toks)
	openPoll(t, a.base, admin, p.ID)
	var receipts []string
	for i, tk := range toks.Tokens[:4] {
		grade := []string{"优秀", "称职", "称职", "不称职"}[i]
		var out struct{ Receipt string }
		postJSON(t, a.base+"/api/v1/ballot/"+tk.Code, "", map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {grade}}}}}}, &out)
		receipts = append(receipts, out.Receipt)
	}
	postJSON(t, a.base+"/api/v1/polls/"+p.ID+"/close", admin, nil, nil)
	countPoll(t, a.base, admin, p.ID, nil)
	certified := getRaw(t, a.base+"/api/v1/polls/"+p.ID+"/bundle", admin)

	// Back up, as the procedure says, then restore into a new, empty database.
	bin, err := pgembed.Bin()
	if err != nil {
		t.Fatal(err)
	}
	dump := filepath.Join(t.TempDir(), "minyi.dump")
	run := func(name string, args ...string) {
		t.Helper()
		out, err := exec.Command(filepath.Join(bin, name), args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
	}
	run("pg_dump", "-Fc", "-f", dump, db.url)
	if err := db.pg.CreateDatabase(ctx, "restored", ""); err != nil {
		t.Fatal(err)
	}
	restored := db.pg.URL("restored")
	run("pg_restore", "--no-owner", "--exit-on-error", "-d", restored, dump)
	a.cmd.Process.Kill()
	<-a.exited

	db.url = restored
	b := db.serve(t)
	postJSON(t, b.base+"/api/v1/sessions", "", map[string]string{"username": "admin", "password": a.password}, &session)
	again := getRaw(t, b.base+"/api/v1/polls/"+p.ID+"/bundle", session.Token)
	if !bytes.Equal(again, certified) {
		t.Fatal("the restored database serves a different bundle")
	}
	file := filepath.Join(t.TempDir(), "bundle.json")
	os.WriteFile(file, again, 0o600)
	var out bytes.Buffer
	if err := Main(ctx, []string{"verify", "-key", aboutFingerprint(t, b.base), file}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "核验通过") {
		t.Fatalf("verify after restore: %v\n%s", err, out.String())
	}
	for _, r := range receipts {
		// In the certified file itself, found with the file alone.
		out.Reset()
		if err := Main(ctx, []string{"verify", "-key", aboutFingerprint(t, b.base), "-receipt", r, file}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "在票箱中") {
			t.Fatalf("verify -receipt %s after restore: %v\n%s", r, err, out.String())
		}
		if page := string(getRaw(t, b.base+"/receipt?code="+r, "")); !strings.Contains(page, "该回执在以下投票活动的计票结果中") {
			t.Fatalf("receipt %s not found after restore", r)
		}
	}
	t.Setenv("DATABASE_URL", restored)
	out.Reset()
	if err := Main(ctx, []string{"audit", "verify"}, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "审计日志完好") {
		t.Fatalf("audit verify after restore: %v %s", err, out.String())
	}
}

func getRaw(t *testing.T, url, token string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return b
}

func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	if err := json.Unmarshal(getRaw(t, url, token), out); err != nil {
		t.Fatal(err)
	}
}
