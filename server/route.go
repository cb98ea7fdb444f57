package server

import (
	"github.com/gofiber/fiber/v2"
)

// Scope is the kind of object a route's :id names. A scoped route loads it before its
// handler runs and answers "not found" when it belongs to another unit (admins see every
// unit), so that its existence does not leak across units.
type Scope int

const (
	Unscoped Scope = iota
	OnPoll
	OnCadre
	OnEntry     // a filed record entry
	OnSelection // 选拔任用纪实
)

var scopeNames = [...]string{"none", "poll", "cadre", "entry", "selection"}

func (sc Scope) String() string { return scopeNames[sc] }

// Route is one line of the route table: every route of the application is declared once,
// here, with who may use it.
type Route struct {
	Method string
	Path   string
	Access Access
	Scope  Scope
	API    bool // answers JSON errors; a page route redirects to the login and shows error pages

	act     string        // what a refused role may not do (i18n.N("计票")); default "this"
	use     fiber.Handler // runs first, before any check (compressing the assets)
	handler fiber.Handler
}

// register adds the table's routes to the application, each behind the checks its line
// names: the staff session and CSRF token, the object's unit, then the role. The unit
// comes before the role so that an object of another unit is "not found" to every role,
// never "forbidden" to some: a refusal that would tell it exists.
func (s *Server) register(app *fiber.App, rs []Route) {
	for _, r := range rs {
		if r.Scope != Unscoped && !r.Access.staff() {
			// The unit of an object is checked against a signed-in person's.
			panic("route " + r.Method + " " + r.Path + ": an object is loaded for staff only")
		}
		var chain []fiber.Handler
		if r.use != nil {
			chain = append(chain, r.use)
		}
		if r.Access.staff() {
			chain = append(chain, s.requireStaff, s.checkCSRF)
		}
		if load := s.loader(r.Scope); load != nil {
			chain = append(chain, load)
		}
		if r.Access > Staff {
			chain = append(chain, r.Access.require(r.act))
		}
		chain = append(chain, r.handler)
		switch r.Method {
		case fiber.MethodGet:
			app.Get(r.Path, chain...) // and HEAD
		default:
			app.Add(r.Method, r.Path, chain...)
		}
	}
}
