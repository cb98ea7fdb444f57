package server_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"minyi/server"
)

// docWho is how docs/API.md's "who" column names a route's class.
func docWho(r server.Route) string {
	switch r.Access {
	case server.Public:
		return "anyone"
	case server.VoterLink:
		return "voter"
	case server.TellerLink:
		return "teller's link"
	case server.Staff:
		if r.Scope != server.Unscoped {
			return "staff of the unit"
		}
		return "staff"
	case server.Counter:
		return "organizer, teller, admin"
	case server.Organizer:
		return "organizer, admin"
	case server.Admin:
		return "admin"
	}
	return r.Access.String()
}

// documented reads the endpoint tables of docs/API.md: for each route named in a row's
// first cell ("`GET /polls/{id}`"), the row's who. A row naming several routes gives one
// who for all, or one per route separated by " / ".
func documented(t *testing.T, md string) map[string]string {
	t.Helper()
	routeRe := regexp.MustCompile("`([^`]*)`")
	spelled := regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) (/[^\s?]*)`)
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	out := map[string]string{}
	for n, line := range strings.Split(md, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "| `") || len(cells) < 3 {
			continue
		}
		var keys []string
		for _, m := range routeRe.FindAllStringSubmatch(cells[0], -1) {
			if strings.HasPrefix(m[1], "/") {
				t.Errorf("API.md line %d: %q names a route without its method and whole path", n+1, m[1])
				continue
			}
			s := spelled.FindStringSubmatch(m[1])
			if s == nil {
				continue // a body: `{name}`
			}
			keys = append(keys, s[1]+" /api/v1"+param.ReplaceAllString(s[2], ":$1"))
		}
		who := strings.Split(cells[1], " / ")
		if len(who) != 1 && len(who) != len(keys) {
			t.Errorf("API.md line %d: %d routes and %d who", n+1, len(keys), len(who))
			continue
		}
		for i, k := range keys {
			if _, twice := out[k]; twice {
				t.Errorf("API.md line %d: %s is documented twice", n+1, k)
			}
			out[k] = who[min(i, len(who)-1)]
		}
	}
	return out
}

// TestAPIDocumented checks docs/API.md against the route table: every API route is
// documented with the class the table gives it, and every documented route exists.
func TestAPIDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/API.md")
	if err != nil {
		t.Fatal(err)
	}
	docs := documented(t, string(b))
	srv, err := server.New(server.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := map[string]bool{}
	for _, r := range srv.Routes() {
		if !r.API {
			continue
		}
		key := r.Method + " " + r.Path
		api[key] = true
		who, ok := docs[key]
		if !ok {
			t.Errorf("%s is not documented in docs/API.md", key)
			continue
		}
		if want := docWho(r); who != want {
			t.Errorf("docs/API.md says %s is for %q; the route table: %q (%s %s)", key, who, want, r.Access, r.Scope)
		}
	}
	for key := range docs {
		if !api[key] {
			t.Errorf("docs/API.md documents %s, which is not a route", key)
		}
	}
	if len(api) < 40 || len(docs) < 40 {
		t.Fatalf("only %d API routes and %d documented", len(api), len(docs))
	}
}
