package server_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// A survey may leave its key with the server (an informal survey's explicit choice): the
// key is then kept in the database wrapped under the server secret, which is not there.
// An operator with the database and the logs, but not the secret, tries every 32 bytes
// they hold as the key and opens nothing; the key itself, as the server unwraps it, does
// open the box, so a key left readable anywhere in the dump would be found.
func TestServerHeldKeyNotInDump(t *testing.T) {
	e := newEnv(t)
	p := e.survey(1, func(int) int { return 10 })
	codes := e.tokens(p, 4)
	e.openPoll(p.ID)
	for i, c := range codes[:3] {
		answer := []string{"满意", "基本满意", "不满意"}[i]
		cast := map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"q1": {answer}}}}}}
		e.api("", "POST", "/api/v1/ballot/"+c, cast, 200, nil)
	}

	dump, tables := pgDump(t, e.url)
	box := filled(tables["ballots"])
	if len(box.rows) != 3 {
		t.Fatalf("%d ballots in the dump, want 3", len(box.rows))
	}
	guesser := e.boxOpener(t, tables, p.ID, nil)
	sealed := unbytea(box.col(box.rows[0], "sealed"))
	// The store hands the wrapped key over only once voting has ended.
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	priv := e.pollKey(t, p.ID)
	if _, err := openCells(guesser.poll, priv, sealed); err != nil {
		t.Fatalf("the poll's own key does not open its ballot: %v", err)
	}
	for k := range keyCandidates(tables) {
		if _, err := openCells(guesser.poll, k[:], sealed); err == nil {
			t.Fatal("a key found in the database opens a ballot of the server-held survey")
		}
	}
	for _, text := range []string{dump, e.logs.String()} {
		for _, enc := range []string{hex.EncodeToString(priv), base64.StdEncoding.EncodeToString(priv)} {
			if strings.Contains(text, enc) {
				t.Fatal("the server-held key is in the dump or the logs as it is")
			}
		}
	}
}
