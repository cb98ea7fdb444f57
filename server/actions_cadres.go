package server

import (
	"context"
	"strconv"
	"time"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// Actions on the cadre register (干部名册) shared by the organizer's pages and the API.

// cadresIn is register lines to add to a unit, typed in, imported from a sheet or sent
// to the API.
type cadresIn struct {
	UnitID string          `json:"unit_id"`
	Cadres []records.Cadre `json:"cadres"`
}

// cadresAdded is the unit added to and its new lines, with their ids.
type cadresAdded struct {
	Unit   store.Unit      `json:"-"`
	Cadres []records.Cadre `json:"cadres"`
}

// addCadres adds register lines to the caller's unit (an admin names it): all or none.
// The log names the unit, since the entry belongs to no poll.
func (s *Server) addCadres(ctx context.Context, me *store.Session, in cadresIn) (cadresAdded, error) {
	unit, _, err := s.unitFor(ctx, me, in.UnitID, true)
	if err != nil {
		return cadresAdded{}, err
	}
	if len(in.Cadres) == 0 {
		return cadresAdded{}, ballot.Errorf(ballot.EINVALID, "没有要加入的干部")
	}
	for i := range in.Cadres {
		if err := in.Cadres[i].Validate(); err != nil {
			if len(in.Cadres) == 1 {
				return cadresAdded{}, err
			}
			return cadresAdded{}, ballot.Errorf(ballot.EINVALID, "第 %d 位：%s", i+1, ballot.Cause{Err: err})
		}
	}
	if err := s.store.AddCadres(ctx, unit.ID, in.Cadres); err != nil {
		return cadresAdded{}, err
	}
	s.auditBy(ctx, me, "", "cadres.add", map[string]string{"unit": unit.Name, "count": strconv.Itoa(len(in.Cadres))})
	return cadresAdded{Unit: unit, Cadres: in.Cadres}, nil
}

// cadreRegister is a unit's register with the units the caller may switch between.
type cadreRegister struct {
	Unit   store.Unit      `json:"unit"`
	Units  []store.Unit    `json:"-"`
	Cadres []records.Cadre `json:"cadres"`
}

// registerOf reads the register of the caller's unit (an admin's choice, the first unit
// when none is named).
func (s *Server) registerOf(ctx context.Context, me *store.Session, unitID string) (cadreRegister, error) {
	unit, units, err := s.unitFor(ctx, me, unitID, false)
	if err != nil {
		return cadreRegister{}, err
	}
	cs, err := s.store.Cadres(ctx, unit.ID)
	return cadreRegister{Unit: unit, Units: units, Cadres: nonNil(cs)}, err
}

// cadreEntry is a filed result in a cadre's history.
type cadreEntry struct {
	records.Entry
	Expired bool   `json:"expired"` // a recommendation more than a year old
	Age     string `json:"-"`
	Year    int    `json:"-"`
}

// cadreHistory is a cadre's whole history across polls and years.
type cadreHistory struct {
	Cadre   records.Cadre `json:"cadre"`
	Entries []cadreEntry  `json:"entries"`
}

// historyOf reads a visible cadre's history, each entry as of now.
func (s *Server) historyOf(ctx context.Context, cd records.Cadre, now time.Time) (cadreHistory, error) {
	es, err := s.store.CadreEntries(ctx, cd.ID)
	if err != nil {
		return cadreHistory{}, err
	}
	h := cadreHistory{Cadre: cd, Entries: []cadreEntry{}}
	for _, e := range es {
		h.Entries = append(h.Entries, cadreEntry{Entry: e, Expired: e.Expired(now), Age: e.Age(now), Year: e.PollDate.In(cst).Year()})
	}
	return h, nil
}
