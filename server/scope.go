package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/store"
)

// Authorization: the route table (routes.go) names each route's class and the kind of
// object it works on; here are the checks. An object of another unit answers "not found",
// so that its existence does not leak across units.

func canSee(me *store.Session, unitID string) bool {
	return me.Role == store.RoleAdmin || me.UnitID == unitID
}

// unitScope is the unit whose polls the caller lists: their own, or every unit ("") for
// an admin.
func unitScope(me *store.Session) string {
	if me.Role == store.RoleAdmin {
		return ""
	}
	return me.UnitID
}

// canManage and canCount say what a page may offer the caller; the routes behind the
// offers check the same classes.
func canManage(me *store.Session) bool { return Organizer.Allows(me.Role) }

func canCount(me *store.Session) bool { return Counter.Allows(me.Role) }

// Each loader reads the object its route's :id names, refuses one of another unit, and
// leaves it in the request for the handler.
type (
	pollKey      struct{}
	cadreKey     struct{}
	entryKey     struct{}
	selectionKey struct{}
)

func (s *Server) loader(sc Scope) fiber.Handler {
	switch sc {
	case OnPoll:
		return s.loadPoll
	case OnCadre:
		return s.loadCadre
	case OnEntry:
		return s.loadEntry
	case OnSelection:
		return s.loadSelection
	}
	return nil
}
