package server_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/server"
)

// serverKey is the signing key of the tests' instances (derived from their secret).
func serverKey() ed25519.PrivateKey {
	keys, _ := server.DeriveKeys(bytes.Repeat([]byte("k"), 32))
	return keys.Sign
}

// serverPub is its public key, the one its bundles verify against.
func serverPub() ed25519.PublicKey { return serverKey().Public().(ed25519.PublicKey) }

// checkBundle checks a downloaded bundle (a version 5 ZIP, or an older JSON) as `minyi
// verify` does, trusting the tests' server key.
func checkBundle(t testing.TB, raw []byte) ([]ballot.Check, *ballot.Bundle, *ballot.Signed) {
	t.Helper()
	checks, b, signed := ballot.VerifyFile(bytes.NewReader(raw), int64(len(raw)), func(k ed25519.PublicKey) bool { return serverPub().Equal(k) })
	if signed == nil {
		t.Fatalf("not a bundle: %v", checks)
	}
	return checks, b, signed
}

// upload posts a file to the public /verify page, with a receipt code to look up if one
// is given.
func (e *env) upload(content []byte, receipt ...string) (int, string) {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("bundle", "bundle.zip")
	fw.Write(content)
	for _, r := range receipt {
		w.WriteField("receipt", r)
	}
	w.Close()
	res, err := http.Post(e.base+"/verify", w.FormDataContentType(), &body)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// countedBundle runs a small poll to its count and returns its signed manifest and the
// file as downloaded.
func countedBundle(e *env) (ballot.Signed, []byte) {
	p := e.evaluation("张三")
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	_, _, signed := checkBundle(e.t, raw)
	return *signed, raw
}

// headline is the verdict the page states in bold.
func headline(page string) string {
	for _, h := range []string{"<strong>核验通过</strong>", "<strong>核验失败</strong>"} {
		if strings.Contains(page, h) {
			return strings.Trim(h, "</strong>")
		}
	}
	return ""
}

// The page trusts only this server's key: a forgery re-signed with another key has a
// valid signature and still fails, in its headline, and is not recounted.
func TestVerifyPageTrustsOnlyItsKey(t *testing.T) {
	e := newEnv(t)
	signed, raw := countedBundle(e)
	if status, page := e.upload(raw); status != 200 || headline(page) != "核验通过" {
		t.Fatalf("the server's own bundle: %d %q", status, headline(page))
	}
	var b ballot.Bundle
	json.Unmarshal(signed.Bundle, &b)
	b.Tally.Forms[0].Evaluation.Subjects[0].Total.Votes[0] = 0
	b.Tally.Forms[0].Evaluation.Subjects[0].Total.Votes[3] = 1 // 优秀 becomes 不称职
	pub, forger, _ := ed25519.GenerateKey(nil)
	forged, _ := ballot.Sign(&b, forger)
	raw, _ = json.Marshal(forged)
	status, page := e.upload(raw)
	if status != 200 || headline(page) != "核验失败" || !strings.Contains(page, "不是本服务器签发的") || !strings.Contains(page, ballot.Fingerprint(pub)) {
		t.Fatalf("a forgery signed by another key: %d %q\n%s", status, headline(page), page)
	}
	if strings.Contains(page, ballot.CheckRecount) {
		t.Fatal("a stranger's bundle was recounted")
	}
}

// A hostile upload (8,000 subjects, about 1 MB) is answered at once, whoever signed it:
// unsigned or foreign-signed it is refused at the signature, signed by the server itself
// (as a leaked key could) at the builder's limits; none is recounted. Too large a file
// is refused before it is read, and with every recount slot taken the page says so.
func TestVerifyPageBoundsHostileBundles(t *testing.T) {
	e := newEnv(t)
	signed, file := countedBundle(e)
	var b ballot.Bundle
	json.Unmarshal(signed.Bundle, &b)
	f := &b.Poll.Forms[0]
	lines := map[string][]string{}
	for i := range 8000 {
		id := fmt.Sprintf("s%d", i+1)
		f.Evaluation.Subjects = append(f.Evaluation.Subjects, ballot.Subject{ID: id, Name: fmt.Sprintf("对象%d", i+1)})
		lines[id] = []string{"优秀"}
	}
	// A bundle of plain ballots (as they were certified before the box added up), the
	// kind a hostile file can make heaviest to recount.
	b.Version, b.Box = ballot.BundleVersion, nil
	for inner, _ := json.Marshal(&b); len(inner) < 560<<10; inner, _ = json.Marshal(&b) { // base64 makes it ¾ MB and more
		b.Ballots = append(b.Ballots, ballot.BundleBallot{Group: b.Poll.Groups[0].ID, Ballot: ballot.Ballot{Forms: []ballot.FilledForm{{Form: f.ID, Lines: lines}}}})
	}
	_, forger, _ := ed25519.GenerateKey(nil)
	byServer, _ := ballot.Sign(&b, serverKey())
	byForger, _ := ballot.Sign(&b, forger)
	unsigned := &ballot.Signed{Bundle: byServer.Bundle, PublicKey: byServer.PublicKey}
	for _, c := range []struct {
		name   string
		signed *ballot.Signed
		note   string
	}{
		{"unsigned", unsigned, "✗ 签名"},
		{"signed by another key", byForger, "不是本服务器签发的"},
		{"signed by the server", byServer, "不能超过300"},
	} {
		raw, _ := json.Marshal(c.signed)
		if len(raw) < 700<<10 || len(raw) > 1<<20 {
			t.Fatalf("the hostile bundle is %d bytes", len(raw))
		}
		start := time.Now()
		status, page := e.upload(raw)
		took := time.Since(start)
		t.Logf("%s: %d KB answered in %v", c.name, len(raw)>>10, took.Round(time.Millisecond))
		if status != 200 || headline(page) != "核验失败" || !strings.Contains(page, c.note) || strings.Contains(page, ballot.CheckRecount) {
			t.Errorf("%s: %d %q, want 核验失败 with %q and no recount", c.name, status, headline(page), c.note)
		}
		if took > 10*time.Second { // a bound no machine should reach; the recount took 40 s and more
			t.Errorf("%s: answered in %v", c.name, took)
		}
	}
	if status, page := e.uploadHeader(server.MaxVerifyUpload + 1<<20); status != 413 || !strings.Contains(page, "minyi verify") {
		t.Fatalf("an upload over the cap: %d\n%s", status, page)
	}
	// An older bundle is one JSON read whole: those stay within 1 MB, as before.
	if status, page := e.upload(bytes.Repeat([]byte(" "), 1<<20+1)); status != 413 || !strings.Contains(page, "minyi verify") {
		t.Fatalf("a JSON upload over 1 MB: %d", status)
	}
	release := server.HoldRecounts()
	raw := file
	status, page := e.upload(raw)
	release()
	if status != 503 || !strings.Contains(page, "服务器繁忙，请稍后再试") || headline(page) != "" {
		t.Fatalf("with every recount slot taken: %d %q", status, headline(page))
	}
	if status, page := e.upload(raw); status != 200 || headline(page) != "核验通过" {
		t.Fatalf("after the slots are free: %d %q", status, headline(page))
	}
}

// uploadHeader starts an upload to /verify that says it is size bytes long, and returns
// the answer the server gives from the headers (and the first 8 KB or so, which the
// server reads before any handler).
func (e *env) uploadHeader(size int) (int, string) {
	e.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.base, "http://"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /verify HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=xx\r\nContent-Length: %d\r\n\r\n%s", size, strings.Repeat("x", 16<<10))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The download reads the ballots from the box: a ballot changed in the database after the
// count does not make a file that looks whole. The download is cut short (no ZIP
// directory), and a file put together anyway fails.
func TestBundleDownloadOfAChangedBox(t *testing.T) {
	e := newEnv(t)
	signed, raw := countedBundle(e)
	if checks, _, _ := checkBundle(t, raw); !ballot.Verified(checks) {
		t.Fatalf("the fresh bundle: %+v", checks)
	}
	var b ballot.Bundle
	json.Unmarshal(signed.Bundle, &b)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One byte of the one ballot's marks flipped, as a hand on the database would change it.
	if _, err := db.Exec(`UPDATE ballots SET sealed = set_byte(sealed, 199, get_byte(sealed, 199) # 255) WHERE poll_id = $1 AND group_id IS NOT NULL`, b.Poll.ID); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.base+"/api/v1/polls/"+b.Poll.ID+"/bundle", nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if _, err := zip.NewReader(bytes.NewReader(again), int64(len(again))); err == nil {
		t.Fatal("a changed box was served as a whole bundle")
	}
	if !strings.Contains(e.logs.String(), "bundle download cut short") {
		t.Error("the cut download is not logged")
	}
}
