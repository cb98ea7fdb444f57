package server

import (
	"github.com/gofiber/fiber/v2"

	"minyi/ballot"
	"minyi/store"
)

// Access is who may use a route. The staff classes are checked from the session's role;
// a voter's or a teller's link carries its capability in its token, which the route's
// handler resolves (and refuses) itself.
type Access int

const (
	Public     Access = iota // anyone
	VoterLink                // whoever holds the voter's token in the path
	TellerLink               // whoever holds a teller's seat token in the path
	Staff                    // any signed-in staff member
	Counter                  // a teller, an organizer or an admin
	Organizer                // an organizer or an admin
	Admin                    // an admin
)

var accessNames = [...]string{"public", "voter-link", "teller-link", "staff", "counter", "organizer", "admin"}

func (a Access) String() string { return accessNames[a] }

// staff is whether the class needs a signed-in staff member.
func (a Access) staff() bool { return a >= Staff }

// Allows is whether a staff member of the role is in the class.
func (a Access) Allows(r store.Role) bool {
	switch a {
	case Staff:
		return true
	case Counter:
		return r == store.RoleTeller || r == store.RoleOrganizer || r == store.RoleAdmin
	case Organizer:
		return r == store.RoleOrganizer || r == store.RoleAdmin
	case Admin:
		return r == store.RoleAdmin
	}
	return false
}

// require refuses a signed-in staff member whose role is not in the class.
func (a Access) require(act string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !a.Allows(meOf(c).Role) {
			return a.refusal(act)
		}
		return c.Next()
	}
}

// refusal names who may do what a route does (act, a message of the catalogue, or
// nothing for "this"), one sentence a class so that each reads whole in English.
func (a Access) refusal(act string) error {
	switch {
	case a == Counter && act == "":
		return ballot.Errorf(ballot.EFORBIDDEN, "只有组织者、监票人或管理员可以进行此操作")
	case a == Counter:
		return ballot.Errorf(ballot.EFORBIDDEN, "只有组织者、监票人或管理员可以%s", act)
	case a == Organizer && act == "":
		return ballot.Errorf(ballot.EFORBIDDEN, "只有组织者或管理员可以进行此操作")
	case a == Organizer:
		return ballot.Errorf(ballot.EFORBIDDEN, "只有组织者或管理员可以%s", act)
	case act == "":
		return ballot.Errorf(ballot.EFORBIDDEN, "只有管理员可以进行此操作")
	}
	return ballot.Errorf(ballot.EFORBIDDEN, "只有管理员可以%s", act)
}
