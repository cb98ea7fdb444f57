package server_test

import (
	"sync"

	"minyi/ballot/elgamal"
)

// backupCodes keeps, per poll, the backup codes its key holders' devices showed in the
// key ceremony: what they bring to the count. Poll ids are unique across the tests'
// databases, and two instances of one test (envOn) open and count the same poll.
var backupCodes sync.Map

// openPoll opens a draft poll as its organizer does: unless the server holds the key, the
// key is made first by its holders' devices (the organizer's one seat, or every teller's),
// played by Go devices through the seat routes.
func (e *env) openPoll(id string) { e.openPollAs(e.admin, id) }

// openPollAs is openPoll by the staff member whose API token is given.
func (e *env) openPollAs(token, id string) {
	e.t.Helper()
	var p struct {
		KeyHolder string `json:"key_holder"`
	}
	e.api(token, "GET", "/api/v1/polls/"+id, nil, 200, &p)
	if p.KeyHolder != "server" {
		e.makeKey(id)
	}
	e.api(token, "POST", "/api/v1/polls/"+id+"/open", nil, 200, nil)
}

// makeKey runs a draft poll's key ceremony with Go devices and keeps the backups.
func (e *env) makeKey(id string) {
	e.t.Helper()
	backupCodes.Store(id, e.keyCeremony(id))
}

// countPoll counts a closed poll with its key holders' backups and decodes the tally into out.
func (e *env) countPoll(id string, out any) { e.countWith(e.admin, id, nil, 200, out) }

// countWith posts the count with the given fields besides the backups and expects want.
func (e *env) countWith(token, id string, fields map[string]any, want int, out any) []byte {
	e.t.Helper()
	body := map[string]any{}
	for k, v := range fields {
		body[k] = v
	}
	if codes := e.backups(id); codes != nil {
		body["shares"] = codes
	}
	return e.api(token, "POST", "/api/v1/polls/"+id+"/count", body, want, out)
}

// backups are the codes the poll's key ceremony gave its holders; nil when the server
// holds the key.
func (e *env) backups(id string) []string {
	v, ok := backupCodes.Load(id)
	if !ok {
		return nil
	}
	return v.([]string)
}

// organizerKey is the private key of a poll its organizer's device holds: with one seat
// and a quorum of one, the seat's share is the key.
func (e *env) organizerKey(id string) []byte {
	e.t.Helper()
	codes := e.backups(id)
	if len(codes) != 1 {
		e.t.Fatalf("poll %s has %d backup codes, not the organizer's one", id, len(codes))
	}
	_, s, err := elgamal.DecodeShare(id, codes[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return elgamal.ScalarBytes(s)
}
