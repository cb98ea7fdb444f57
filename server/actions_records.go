package server

import (
	"context"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// Actions on the cadre records shared by the organizer's pages and the API: the unit an
// action works in, linking a filed entry, the big-screen link (filing a counted poll is
// in actions_file.go).

// unitFor is the unit an action works in, and the units the caller may switch between. A
// non-admin works in their own unit whatever the request names. An admin names the unit;
// a page only looks when none is named lands on the first unit, but a change (write) must
// name it, so that nothing is added to a unit the admin did not choose.
func (s *Server) unitFor(ctx context.Context, me *store.Session, want string, write bool) (store.Unit, []store.Unit, error) {
	if me.Role != store.RoleAdmin {
		want = me.UnitID
	}
	units, err := s.store.Units(ctx)
	if err != nil {
		return store.Unit{}, nil, err
	}
	if want == "" {
		if write {
			return store.Unit{}, nil, ballot.Errorf(ballot.EINVALID, "请指定单位（unit_id）")
		}
		if len(units) > 0 {
			want = units[0].ID
		}
	}
	for _, u := range units {
		if u.ID == want {
			if me.Role != store.RoleAdmin {
				units = []store.Unit{u}
			}
			return u, units, nil
		}
	}
	return store.Unit{}, nil, ballot.Errorf(ballot.ENOTFOUND, "单位不存在")
}

// entryLinked is a correction made by linking: the entry it corrects, the cadre it now
// names, and the new entry's id.
type entryLinked struct {
	Entry    records.Entry `json:"-"`
	Cadre    records.Cadre `json:"-"`
	ID       string        `json:"entry_id"`
	Corrects string        `json:"corrects"`
}

// linkEntry names the cadre of a filed entry the caller may see (a write-in, or a name the
// register did not have): a new entry citing the original, which stays. The cadre must be
// of the entry's unit. The log names the cadre with their post, as two cadres may share a
// name.
func (s *Server) linkEntry(ctx context.Context, me *store.Session, e records.Entry, cadreID string) (entryLinked, error) {
	cd, err := s.store.Cadre(ctx, cadreID)
	if err != nil {
		return entryLinked{}, err
	}
	if cd.UnitID != e.UnitID {
		// Answered as a cadre that does not exist: another unit's register is not to be
		// probed through this form.
		return entryLinked{}, ballot.Errorf(ballot.ENOTFOUND, "干部不存在")
	}
	id, err := s.store.LinkEntry(ctx, e.ID, cd.ID, me.ID, deliveryPayload)
	if err != nil {
		return entryLinked{}, err
	}
	s.auditBy(ctx, me, e.PollID, "entry.link", map[string]string{"name": e.Name, "cadre": cadreLabel(cd)})
	return entryLinked{Entry: e, Cadre: cd, ID: id, Corrects: e.ID}, nil
}

// cadreLabel is a cadre as the log names them: the name, and the post where there is one.
func cadreLabel(cd records.Cadre) string {
	if cd.Post == "" {
		return cd.Name
	}
	return cd.Name + "（" + cd.Post + "）"
}

// screenLink is a poll's big-screen link.
type screenLink struct {
	URL string `json:"url"`
}

// createScreen makes (once) a poll's big-screen link, under base: where the projector
// reaches this server.
func (s *Server) createScreen(ctx context.Context, me *store.Session, p *store.PollInfo, base string) (screenLink, error) {
	key, err := s.store.ScreenKey(ctx, p.ID)
	if err != nil {
		return screenLink{}, err
	}
	s.auditBy(ctx, me, p.ID, "screen.create", nil)
	return screenLink{URL: base + "/screen/" + key}, nil
}
