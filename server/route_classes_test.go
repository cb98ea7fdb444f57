package server_test

import (
	"testing"

	"minyi/server"
)

// Who may use each route, written here apart from the route table: a route given a wider
// or narrower class in the table, or a scope it did not have, fails here. The classes:
// public; voter (a voter's or a teller's link); staff (any signed-in staff, no object);
// unit (staff of the unit of the route's object); count (a teller, organizer or admin of
// that unit); manage (an organizer or admin of that unit); create (an organizer or admin,
// no object); admin.
var routeClasses = map[string]string{
	"GET /static/*": "public", "GET /healthz": "public", "GET /v": "public", "POST /v": "public",
	"GET /receipt": "public", "GET /about": "public", "GET /verify": "public", "POST /verify": "public",
	"GET /login": "public", "GET /lang/:lang": "public",
	"GET /screen/:key": "public", "GET /screen/:key/live": "public", "GET /screen/:key/turnout": "public",
	"GET /v/:token": "voter", "POST /v/:token": "voter", "GET /api/v1/ballot/:token": "voter", "POST /api/v1/ballot/:token": "voter",

	"GET /": "staff", "GET /account": "staff", "POST /account/password": "staff", "POST /account/api-token": "staff",
	"GET /samples/:list": "staff", "GET /api/v1/me": "staff", "GET /api/v1/units": "staff", "GET /api/v1/polls": "staff",
	"GET /cadres": "staff", "GET /records": "staff", "GET /selections": "staff",
	"GET /api/v1/cadres": "staff", "GET /api/v1/selections": "staff",

	"GET /polls/new": "create", "POST /polls": "create", "POST /api/v1/polls": "create",
	"POST /cadres": "create", "POST /api/v1/cadres": "create", "POST /selections": "create", "POST /api/v1/selections": "create",

	"GET /polls/:id": "unit", "GET /polls/:id/live": "unit", "GET /api/v1/polls/:id": "unit", "GET /api/v1/polls/:id/turnout": "unit",
	"GET /polls/:id/tally": "unit", "GET /polls/:id/bundle.json": "unit", "GET /polls/:id/tally.xlsx": "unit",
	"GET /polls/:id/tally.pdf": "unit", "GET /polls/:id/tally.zip": "unit",
	"GET /api/v1/polls/:id/tally": "unit", "GET /api/v1/polls/:id/bundle": "unit", "GET /api/v1/polls/:id/entries": "unit",
	"GET /api/v1/polls/:id/batches": "unit",
	"GET /cadres/:id":               "unit", "GET /api/v1/cadres/:id": "unit",
	"GET /selections/:id": "unit", "GET /selections/:id/export.pdf": "unit", "GET /selections/:id/export.xlsx": "unit",
	"GET /api/v1/selections/:id": "unit",

	"GET /polls/:id/count": "count", "POST /polls/:id/count": "count", "POST /api/v1/polls/:id/count": "count",
	"GET /polls/:id/count/status": "unit", "GET /api/v1/polls/:id/count": "unit",

	"GET /polls/:id/preview": "unit", "GET /polls/:id/paper": "count", "POST /polls/:id/paper": "count",
	"GET /polls/:id/next-round": "manage",
	"POST /polls/:id/screen":    "manage", "POST /polls/:id/open": "manage", "POST /polls/:id/close": "manage",
	"POST /polls/:id/delete": "manage", "POST /polls/:id/rehearsal": "manage", "POST /polls/:id/rehearsal/wipe": "manage",
	"POST /polls/:id/tokens": "manage", "POST /polls/:id/tokens/void": "manage", "POST /polls/:id/tokens/replace": "manage",
	"POST /polls/:id/tokens/paper": "manage", "POST /polls/:id/paper/discard": "manage",
	"POST /polls/:id/reopen": "manage", "POST /polls/:id/expected": "manage", "POST /polls/:id/schedule": "manage",
	"POST /polls/:id/batches/:batch/void": "manage", "POST /polls/:id/file": "manage",
	"POST /polls/:id/year": "manage", "POST /api/v1/polls/:id/year": "manage",
	"POST /selections/:id/steps": "manage", "POST /records/:id/link": "manage",
	"DELETE /api/v1/polls/:id": "manage", "POST /api/v1/polls/:id/open": "manage", "POST /api/v1/polls/:id/close": "manage",
	"POST /api/v1/polls/:id/reopen": "manage", "POST /api/v1/polls/:id/groups/:group/expected": "manage",
	"POST /api/v1/polls/:id/schedule": "manage", "POST /api/v1/polls/:id/tokens/replace": "manage",
	"POST /api/v1/polls/:id/rehearsal": "manage", "POST /api/v1/polls/:id/rehearsal/wipe": "manage",
	"POST /api/v1/polls/:id/tokens": "manage", "POST /api/v1/polls/:id/tokens/void": "manage",
	"POST /api/v1/polls/:id/batches/:batch/void": "manage", "POST /api/v1/polls/:id/tokens/paper": "manage",
	"POST /api/v1/polls/:id/screen": "manage", "POST /api/v1/polls/:id/file": "manage",
	"POST /api/v1/selections/:id/steps": "manage", "POST /api/v1/entries/:id/link": "manage",

	// The voter role also holds a teller's seat link: the link is the capability, as a token is.
	"GET /t/:token": "voter", "GET /t/:token/state": "voter", "POST /t/:token/key": "voter", "POST /t/:token/deal": "voter",
	"POST /t/:token/complain": "voter", "POST /t/:token/ready": "voter", "GET /static/teller/vendor/*": "public",
	"GET /t/:token/count": "voter", "POST /t/:token/partial": "voter",
	"POST /polls/:id/ceremony": "manage", "POST /api/v1/polls/:id/ceremony": "manage",
	"GET /polls/:id/ceremony": "unit", "GET /api/v1/polls/:id/ceremony": "unit",
	"GET /admin/units": "admin", "POST /admin/units": "admin", "GET /admin/staff": "admin", "POST /admin/staff": "admin",
	"GET /admin/deliveries": "admin", "POST /admin/receivers": "admin", "POST /admin/deliveries/:id/retry": "admin",
	"GET /api/v1/staff": "admin", "POST /api/v1/staff": "admin", "POST /api/v1/units": "admin",
}

func init() {
	// The poll's contact line for voters, changed by its organizers.
	routeClasses["POST /polls/:id/contact"] = "manage"
	routeClasses["POST /api/v1/polls/:id/contact"] = "manage"
	// The bulk issue of a survey's codes, streamed.
	routeClasses["POST /polls/:id/codes"] = "manage"
	routeClasses["POST /api/v1/polls/:id/codes"] = "manage"
	// Starting and ending a session.
	routeClasses["POST /login"] = "public"
	routeClasses["POST /api/v1/sessions"] = "public"
	routeClasses["POST /logout"] = "staff"
	routeClasses["DELETE /api/v1/sessions"] = "staff"
}

// classOf names a table line's class and scope in the words above.
func classOf(r server.Route) string {
	scoped := r.Scope != server.Unscoped
	switch {
	case r.Access == server.Public:
		return "public"
	case r.Access == server.VoterLink || r.Access == server.TellerLink:
		return "voter"
	case r.Access == server.Staff && scoped:
		return "unit"
	case r.Access == server.Staff:
		return "staff"
	case r.Access == server.Counter && scoped:
		return "count"
	case r.Access == server.Organizer && scoped:
		return "manage"
	case r.Access == server.Organizer:
		return "create"
	case r.Access == server.Admin:
		return "admin"
	}
	return r.Access.String() + " (unscoped)"
}

func TestRouteClasses(t *testing.T) {
	t.Parallel()
	srv, err := server.New(server.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range srv.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		want, ok := routeClasses[key]
		if !ok {
			t.Errorf("route %s has no class written in routeClasses: say who may use it", key)
			continue
		}
		if got := classOf(r); got != want {
			t.Errorf("route %s: the table gives %q, want %q", key, got, want)
		}
	}
	for key := range routeClasses {
		if !seen[key] {
			t.Errorf("routeClasses names %s, which the table does not have", key)
		}
	}
}
