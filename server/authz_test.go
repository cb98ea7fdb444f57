package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/records"
	"minyi/server"
	"minyi/store"
)

// The access matrix: every route of the route table (server.Routes, the table App
// registers and nothing else) is tried by every role: anonymous, a voter (holding a valid
// token and a teller's seat link), an evaluator, a teller, an organizer of another unit,
// the organizer of the poll's unit, and an admin. What each class of the table means is
// written here again, apart from the server's own checks, so that a check letting the
// wrong role through fails the walk.

var roles = []string{"anonymous", "voter", "evaluator", "teller", "other-organizer", "organizer", "admin"}

// Who is let through, by class, before the unit of the route's object is looked at.
var classes = map[server.Access][]string{
	server.Public:     roles,
	server.VoterLink:  {"voter"},
	server.TellerLink: {"voter"},
	server.Staff:      {"evaluator", "teller", "other-organizer", "organizer", "admin"},
	server.Counter:    {"teller", "other-organizer", "organizer", "admin"},
	server.Organizer:  {"other-organizer", "organizer", "admin"},
	server.Admin:      {"admin"},
}

// allowed is who may use the route: its class, less the organizer of another unit when
// the route works on an object (every object of the world is of the first unit).
func allowed(r server.Route) []string {
	who, ok := classes[r.Access]
	if !ok {
		panic("no roles for class " + r.Access.String())
	}
	if r.Scope != server.Unscoped {
		who = slices.DeleteFunc(slices.Clone(who), func(role string) bool { return role == "other-organizer" })
	}
	return who
}

// Routes that end or start a session are tried elsewhere (the login and lockout tests):
// walking them would log the walker out.
var notWalked = map[string]string{
	"POST /login": "login form (TestLoginLockout, the browser tests)", "POST /api/v1/sessions": "login (TestLoginLockout)",
	"POST /logout": "ends the walker's session", "DELETE /api/v1/sessions": "ends the walker's token",
}

// world is what the routes' parameters name: a counted poll of unit A with its tokens,
// screen key, filed entries, a cadre and a selection.
type world struct {
	poll, group, batch, key, token, spare, cadre, selection, entry, delivery, static string
	seat                                                                             string // a teller's link into a draft poll's ceremony
}

// worlds numbers the worlds' cadres; the walks run side by side.
var worlds atomic.Int64

// The parts of a world. A change is tried on a world of its own, made of the parts its
// path and fields name: the others would be made for nothing, and a filed entry alone is a
// poll opened, voted, closed, counted and filed.
type part int

const (
	onPoll      part = 1 << iota // the open poll: its group, batch, screen key and tokens
	onCadre                      // a cadre of the unit
	onSelection                  // a selection of the unit
	onEntry                      // a second poll, counted and filed: its entry and delivery
	onSeat                       // a teller's seat in a draft poll's ceremony
	onStatic                     // the stylesheet's content-hashed address
	wholeWorld  = onPoll | onCadre | onSelection | onEntry | onSeat | onStatic
)

// needs is what the route's path and fields name of a world (see path and fields).
func needs(r server.Route) part {
	route := r.Path
	var n part
	switch {
	case r.Scope == server.OnCadre:
		n |= onCadre
	case r.Scope == server.OnSelection:
		n |= onSelection
	case r.Scope == server.OnEntry, strings.Contains(route, "/deliveries/"):
		n |= onEntry
	case strings.Contains(route, ":id"):
		n |= onPoll
	}
	switch {
	case strings.HasPrefix(route, "/t/"):
		n |= onSeat
	case strings.Contains(route, ":token"), strings.Contains(route, ":key"), strings.Contains(route, ":batch"), strings.Contains(route, ":group"):
		n |= onPoll
	}
	if strings.HasPrefix(route, "/static/") {
		n |= onStatic
	}
	for k := range (world{}).fields(route) {
		if k == "cadre_id" {
			n |= onCadre
		} else {
			n |= onPoll
		}
	}
	return n
}

func (e *env) world(t *testing.T) world { return e.worldOf(t, wholeWorld) }

// worldOf makes the parts of a world that n names.
func (e *env) worldOf(t *testing.T, n part) world {
	t.Helper()
	var w world
	if n&onPoll != 0 {
		e.worldPoll(t, &w)
	}
	if n&onCadre != 0 {
		if err := e.st.AddCadres(ctx, e.unitID, []records.Cadre{{Name: fmt.Sprintf("干部%d", worlds.Add(1)), Gender: "男", BirthYear: 1975, Post: "副局长"}}); err != nil {
			t.Fatal(err)
		}
		var cadres struct{ Cadres []struct{ ID, Name string } }
		e.api(e.admin, "GET", "/api/v1/cadres?unit="+e.unitID, nil, 200, &cadres)
		w.cadre = cadres.Cadres[len(cadres.Cadres)-1].ID
	}
	if n&onSelection != 0 {
		var sel struct{ ID string }
		e.api(e.admin, "POST", "/api/v1/selections", map[string]string{"post": "副局长", "unit_id": e.unitID}, 201, &sel)
		w.selection = sel.ID
	}
	if n&onEntry != 0 {
		e.worldEntry(t, &w)
	}
	if n&onStatic != 0 {
		_, page := e.get(nil, "/login")
		w.static = regexp.MustCompile(`/static/[^"]+\.css`).FindString(page)
	}
	if n&onSeat != 0 {
		w.seat = strings.TrimPrefix(e.seatLinks(e.tellerPoll(1, "甲", "乙").ID)[0], e.base+"/t/")
	}
	return w
}

// worldPoll makes the world's open poll, two of its four voters voted.
func (e *env) worldPoll(t *testing.T, w *world) {
	t.Helper()
	p := e.evaluation("张三", "李四")
	w.poll, w.group = p.ID, p.Groups[0].ID
	codes := e.tokens(p, 4)
	w.token, w.spare = strings.ReplaceAll(codes[0], "-", ""), codes[3]
	e.openPoll(p.ID)
	for _, c := range codes[1:3] {
		e.api("", "POST", "/api/v1/ballot/"+c, map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}, "s2": {"优秀"}}}}}}, 200, nil)
	}
	var batches struct{ Batches []struct{ ID string } }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/batches", nil, 200, &batches)
	w.batch = batches.Batches[0].ID
	var err error
	if w.key, err = e.st.ScreenKey(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
}

// worldEntry makes the world's filed entry, waiting in the outbox.
func (e *env) worldEntry(t *testing.T, w *world) {
	t.Helper()
	// A second poll, counted and filed, gives the record entries.
	q := e.evaluation("张三")
	c := e.tokens(q, 1)
	e.openPoll(q.ID)
	e.api("", "POST", "/api/v1/ballot/"+c[0], map[string]any{"ballot": map[string]any{"forms": []map[string]any{{"form": "f1", "lines": map[string][]string{"s1": {"称职"}}}}}}, 200, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+q.ID+"/close", nil, 200, nil)
	e.countPoll(q.ID, nil)
	e.api(e.admin, "POST", "/api/v1/polls/"+q.ID+"/file", nil, 200, nil)
	var entries struct{ Entries []struct{ ID string } }
	e.api(e.admin, "GET", "/api/v1/polls/"+q.ID+"/entries", nil, 200, &entries)
	w.entry = entries.Entries[0].ID
	pending, err := e.st.PendingDeliveries(ctx)
	if err != nil || len(pending) == 0 {
		t.Fatalf("no delivery to retry: %v", err)
	}
	w.delivery = pending[0].ID
}

// kindOf names the worlds a change may be tried on: the parts n and the state the route
// needs (see state).
func kindOf(n part, route string) string {
	return fmt.Sprintf("%d %t %t", n, strings.HasSuffix(route, "/count"), strings.HasSuffix(route, "/file"))
}

// state readies a world for a change that needs it: the box closed to be counted, counted
// to be filed.
func (e *env) state(w world, route string) {
	switch {
	case strings.HasSuffix(route, "/count"):
		e.api(e.admin, "POST", "/api/v1/polls/"+w.poll+"/close", nil, 200, nil)
	case strings.HasSuffix(route, "/file"):
		e.api(e.admin, "POST", "/api/v1/polls/"+w.poll+"/close", nil, 200, nil)
		e.countPoll(w.poll, nil)
	}
}

// fields are what a change's form or JSON body names, so that those allowed get past the
// check of their input to the action itself.
func (w world) fields(route string) map[string]string {
	switch {
	case strings.HasSuffix(route, "/tokens/void"), strings.HasSuffix(route, "/tokens/replace"), strings.HasSuffix(route, "/tokens/paper"):
		return map[string]string{"code": w.spare}
	case strings.HasSuffix(route, "/link"):
		return map[string]string{"cadre_id": w.cadre}
	}
	return nil
}

// countedWorld closes and counts the world's poll, for the routes that read a tally.
func (e *env) countedWorld(t *testing.T) world {
	w := e.world(t)
	e.api(e.admin, "POST", "/api/v1/polls/"+w.poll+"/close", nil, 200, nil)
	e.countPoll(w.poll, nil)
	return w
}

func (w world) path(r server.Route, role string) string {
	route := r.Path
	p := route
	id := w.poll
	switch {
	case r.Scope == server.OnCadre:
		id = w.cadre
	case r.Scope == server.OnSelection:
		id = w.selection
	case r.Scope == server.OnEntry:
		id = w.entry
	case strings.Contains(route, "/deliveries/"):
		id = w.delivery
	}
	token := w.token
	if role != "voter" {
		t, _ := ballot.NewToken()
		token = string(t)
	}
	if strings.HasPrefix(route, "/t/") {
		token = w.seat
		if role != "voter" {
			token = string(ceremony.NewSeatToken())
		}
	}
	for _, r := range []struct{ param, value string }{{":id", id}, {":token", token}, {":key", w.key}, {":batch", w.batch}, {":group", w.group}, {":list", "subjects"}, {":lang", "en"},
		{"/static/teller/vendor/*", "/static/teller/vendor/noble-curves-2.4.0/ed25519.js"}, {"/static/*", w.static}} {
		p = strings.Replace(p, r.param, r.value, 1)
	}
	return p
}

// caller is one role's way in: a browser session (pages, with the CSRF token of its
// pages) and a bearer token (the API).
type caller struct {
	client *http.Client
	csrf   string
	bearer string
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (e *env) callers(t *testing.T) map[string]caller {
	unitB, err := e.st.CreateUnit(ctx, "乙单位")
	if err != nil {
		t.Fatal(err)
	}
	// A receiver that never answers: filed entries wait in the outbox, to be retried.
	if err := e.st.AddReceiver(ctx, &store.Receiver{Name: "干部信息系统", URL: "http://127.0.0.1:9/", Secret: "s", Active: true}); err != nil {
		t.Fatal(err)
	}
	e.addStaff("evaluator", store.RoleEvaluator, e.unitID)
	e.addStaff("teller", store.RoleTeller, e.unitID)
	e.addStaff("orgb", store.RoleOrganizer, unitB.ID)
	e.addStaff("orga", store.RoleOrganizer, e.unitID)
	out := map[string]caller{"anonymous": {client: &http.Client{CheckRedirect: noRedirect}}, "voter": {client: &http.Client{CheckRedirect: noRedirect}}}
	for role, user := range map[string]string{"evaluator": "evaluator", "teller": "teller", "other-organizer": "orgb", "organizer": "orga", "admin": "admin"} {
		client, csrf := e.browser(user)
		client.CheckRedirect = noRedirect
		out[role] = caller{client: client, csrf: csrf, bearer: e.login(user)}
	}
	return out
}

// try sends the request as the role and reports whether it got past authorization, with
// what it got.
func (e *env) try(c caller, method, path string, fields map[string]string) (bool, string) {
	var body io.Reader
	api := strings.HasPrefix(path, "/api/")
	if method != "GET" {
		if api {
			b, _ := json.Marshal(fields)
			body = bytes.NewReader(b)
		} else {
			form := url.Values{"_csrf": {c.csrf}}
			for k, v := range fields {
				form.Set(k, v)
			}
			body = strings.NewReader(form.Encode())
		}
	}
	req, _ := http.NewRequest(method, e.base+path, body)
	if api {
		req.Header.Set("Content-Type", "application/json")
		if c.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+c.bearer)
		}
	} else if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasSuffix(path, "/live") {
		req.Header.Set("Accept", "text/event-stream")
	}
	res, err := c.client.Do(req)
	if err != nil {
		return false, "no answer: " + err.Error()
	}
	defer res.Body.Close()
	if strings.HasSuffix(path, "/live") && res.StatusCode == 200 {
		return true, "200 stream"
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	got := fmt.Sprintf("%d %s", res.StatusCode, res.Header.Get("Location"))
	if m := regexp.MustCompile(`"code":"([a-z_]+)"`).FindSubmatch(b); m != nil {
		got += string(m[1])
	}
	switch res.StatusCode {
	case 401, 403, 404:
		// 403 result_sealed / 404 token_unknown name a state or an input, not a refusal
		// of the caller; the worlds below avoid them for those who may pass.
		return false, got
	case 302, 303:
		return !strings.HasPrefix(res.Header.Get("Location"), "/login"), got
	}
	return true, got
}

// refusedByAction tells from try's answer that the request got past authorization and
// the action refused it, for its input or the world's state, so it changed nothing.
func refusedByAction(got string) bool {
	return regexp.MustCompile(`^4\d\d `).MatchString(got) && !regexp.MustCompile(`^40[134] `).MatchString(got)
}

// TestRouteTable checks that the application serves the table's routes and nothing else,
// and that each route's kind agrees with its path.
func TestRouteTable(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]bool{}
	for _, r := range srv.Routes() {
		key := r.Method + " " + r.Path
		if table[key] {
			t.Errorf("route %s is in the table twice", key)
		}
		table[key] = true
		if r.API != strings.HasPrefix(r.Path, "/api/") {
			t.Errorf("route %s: API is %v", key, r.API)
		}
		if (r.Scope != server.Unscoped) != strings.Contains(r.Path, "/:id") && !strings.Contains(r.Path, "/deliveries/") {
			t.Errorf("route %s names an object but loads none, or loads one it does not name (scope %q)", key, r.Scope)
		}
	}
	served := map[string]bool{}
	for _, r := range srv.App().GetRoutes(true) {
		if r.Method == "HEAD" || r.Method == "USE" {
			continue
		}
		key := r.Method + " " + r.Path
		served[key] = true
		if !table[key] {
			t.Errorf("route %s is served but not in the route table", key)
		}
	}
	for key := range table {
		if !served[key] {
			t.Errorf("route %s of the table is not served", key)
		}
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	callers := e.callers(t)
	srv, err := server.New(server.Config{}, e.st)
	if err != nil {
		t.Fatal(err)
	}
	var routes []server.Route
	for _, r := range srv.Routes() {
		if _, skip := notWalked[r.Method+" "+r.Path]; !skip {
			routes = append(routes, r)
		}
	}
	if len(routes) < 100 {
		t.Fatalf("only %d routes walked", len(routes))
	}
	reads := e.countedWorld(t)
	// A change is made on a world no change has been made on, so that one role's success
	// does not decide the next one's answer; tallies are read from a counted one. A
	// change its action refused (its input or the world's state, past authorization)
	// left the world as it was: the next change needing the same parts in the same state
	// is tried on it.
	untouched := map[string]world{}
	walked := 0
	for _, r := range routes {
		key := r.Method + " " + r.Path
		allowed := allowed(r)
		for _, role := range roles {
			w := reads
			change := r.Method != "GET" && slices.Contains(allowed, role)
			kind := kindOf(needs(r), r.Path)
			if change {
				var ok bool
				if w, ok = untouched[kind]; ok {
					delete(untouched, kind)
				} else {
					w = e.worldOf(t, needs(r))
					e.state(w, r.Path)
				}
			}
			ok, got := e.try(callers[role], r.Method, w.path(r, role), w.fields(r.Path))
			walked++
			if change && refusedByAction(got) {
				untouched[kind] = w
			}
			// A server error or no answer is neither allowed nor refused: the route is broken
			// for that role, and a broken route proves nothing about who may use it.
			if !regexp.MustCompile(`^[1-4]\d\d `).MatchString(got) {
				t.Errorf("%s as %s: got %s, a failure rather than an answer", key, role, got)
				continue
			}
			if ok != slices.Contains(allowed, role) {
				t.Errorf("%s (%s %s) as %s: got %s, want it %s", key, r.Access, r.Scope, role, got, map[bool]string{true: "allowed", false: "refused"}[!ok])
			}
		}
	}
	t.Logf("%d routes × %d roles = %d requests", len(routes), len(roles), walked)
}

// Every state change made with a browser session carries the page's CSRF token: without
// it the change is refused and nothing happens; and a browser's cookie alone opens no API
// call that changes anything (the API takes bearer tokens only).
func TestCSRFOnEveryChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	callers := e.callers(t)
	admin := callers["admin"]
	srv, err := server.New(server.Config{}, e.st)
	if err != nil {
		t.Fatal(err)
	}
	// The voter's and the public forms change nothing a forged post could abuse: a vote
	// needs its token, a login its password (its form has its own cookie-bound token).
	exempt := map[string]bool{"POST /v": true, "POST /v/:token": true, "POST /verify": true, "POST /login": true,
		"POST /api/v1/sessions": true, "POST /api/v1/ballot/:token": true}
	checked := 0
	// A refused request changes nothing (the snapshot below checks it), so the next route
	// that needs the same parts in the same state is tried on the same world.
	worlds := map[string]world{}
	for _, r := range srv.Routes() {
		key := r.Method + " " + r.Path
		if r.Method == "GET" || exempt[key] {
			continue
		}
		n := needs(r) | onPoll | onSelection // and what the snapshot reads
		kind := kindOf(n, r.Path)
		w, ok := worlds[kind]
		if !ok {
			w = e.worldOf(t, n)
			e.state(w, r.Path)
			worlds[kind] = w
		}
		before := e.snapshot(t, w)
		forged := caller{client: admin.client} // the session cookie, no token, no bearer
		if ok, got := e.try(forged, r.Method, w.path(r, "admin"), w.fields(r.Path)); ok {
			t.Errorf("%s with the admin's cookie and no CSRF token: %s", key, got)
		}
		if after := e.snapshot(t, w); after != before {
			t.Errorf("%s without a CSRF token changed things:\n%s\n%s", key, before, after)
		}
		checked++
	}
	t.Logf("%d state-changing routes refused without a CSRF token", checked)
}

// snapshot is what a forged request could have changed.
func (e *env) snapshot(t *testing.T, w world) string {
	t.Helper()
	var p struct {
		State   string
		Turnout json.RawMessage
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+w.poll, nil, 200, &p)
	var staff, units, cadres, sels json.RawMessage
	e.api(e.admin, "GET", "/api/v1/staff", nil, 200, &staff)
	e.api(e.admin, "GET", "/api/v1/units", nil, 200, &units)
	e.api(e.admin, "GET", "/api/v1/cadres?unit="+e.unitID, nil, 200, &cadres)
	e.api(e.admin, "GET", "/api/v1/selections/"+w.selection, nil, 200, &sels)
	return fmt.Sprintf("%s %s %s %s %s %s", p.State, p.Turnout, staff, units, cadres, sels)
}
