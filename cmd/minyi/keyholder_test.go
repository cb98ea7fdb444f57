package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"minyi/ballot/elgamal"
)

// ownCodes keeps the organizer's backup code per poll: what the organizer brings to the
// count.
var ownCodes sync.Map

// ownKey makes the organizer's key of a draft poll on a device of their own: `minyi
// teller` on the organizer's one seat, as an organizer without a browser would. It keeps
// the backup code for the count.
func ownKey(t *testing.T, base, token, pollID string) {
	t.Helper()
	var links struct{ Links []struct{ URL string } }
	postJSON(t, base+"/api/v1/polls/"+pollID+"/ceremony", token, nil, &links)
	if len(links.Links) != 1 {
		t.Fatalf("the organizer's ceremony has %d seats", len(links.Links))
	}
	file := filepath.Join(t.TempDir(), "organizer.txt")
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"teller", "-url", links.Links[0].URL, "-share", file, "-every", "100ms"}, &out, &out); err != nil {
		t.Fatalf("minyi teller on the organizer's seat: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if _, _, err := elgamal.DecodeShare(pollID, line); err == nil {
			ownCodes.Store(pollID, line)
			return
		}
	}
	t.Fatalf("no backup code in %s:\n%s", file, b)
}

// openPoll makes the organizer's key and opens voting.
func openPoll(t *testing.T, base, token, pollID string) {
	t.Helper()
	ownKey(t, base, token, pollID)
	postJSON(t, base+"/api/v1/polls/"+pollID+"/open", token, nil, nil)
}

// countPoll counts a closed poll as its organizer does: starts the count, takes a fresh
// link to the organizer's seat (the poll page's 打开我的密钥页面) and decrypts the sums
// there with `minyi teller count` and the backup, then reads the tally into out.
func countPoll(t *testing.T, base, token, pollID string, out any) {
	t.Helper()
	v, ok := ownCodes.Load(pollID)
	if !ok {
		postJSON(t, base+"/api/v1/polls/"+pollID+"/count", token, nil, out)
		return
	}
	postJSON(t, base+"/api/v1/polls/"+pollID+"/count", token, nil, nil)
	var links struct{ Links []struct{ URL string } }
	postJSON(t, base+"/api/v1/polls/"+pollID+"/ceremony", token, nil, &links)
	if len(links.Links) != 1 {
		t.Fatalf("the organizer's seat at the count: %d links", len(links.Links))
	}
	// The code is typed into the command, as the organizer would at its prompt.
	if log, err := runMinyi(strings.NewReader(v.(string)+"\n"), "teller", "count", links.Links[0].URL, "-every", "100ms"); err != nil {
		t.Fatalf("minyi teller count on the organizer's seat: %v\n%s", err, log)
	}
	var got struct{ Tally json.RawMessage }
	getJSON(t, base+"/api/v1/polls/"+pollID+"/tally", token, &got)
	if out != nil {
		if err := json.Unmarshal(got.Tally, out); err != nil {
			t.Fatal(err)
		}
	}
}

// openPoll and countPoll on the test's server, as the admin.
func (a *api) openPoll(id string) {
	a.t.Helper()
	ownKey(a.t, app.base, a.token, id)
	a.call("POST", "/api/v1/polls/"+id+"/open", nil, 200, nil)
}

func (a *api) countPoll(id string, out any) {
	a.t.Helper()
	countPoll(a.t, app.base, a.token, id, out)
}
