package server

import (
	"context"
	"time"

	"minyi/ballot"
	"minyi/records"
	"minyi/store"
)

// Actions on selections (选拔任用纪实) shared by the organizer's pages and the API.

// selectionIn is a new selection: the post to fill, in the caller's unit (an admin names it).
type selectionIn struct {
	UnitID string
	Post   string
}

// createSelection starts a selection in the caller's unit.
func (s *Server) createSelection(ctx context.Context, me *store.Session, in selectionIn) (*records.Selection, error) {
	unit, _, err := s.unitFor(ctx, me, in.UnitID, true)
	if err != nil {
		return nil, err
	}
	sel := &records.Selection{UnitID: unit.ID, Post: in.Post}
	if err := sel.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.AddSelection(ctx, sel); err != nil {
		return nil, err
	}
	s.auditBy(ctx, me, "", "selection.create", map[string]string{"post": sel.Post})
	return sel, nil
}

// selectionList is a unit's selections with the units the caller may switch between.
type selectionList struct {
	Unit       store.Unit          `json:"-"`
	Units      []store.Unit        `json:"-"`
	Selections []records.Selection `json:"selections"`
}

// selectionsOf lists the selections of the caller's unit (an admin's choice, the first
// unit when none is named).
func (s *Server) selectionsOf(ctx context.Context, me *store.Session, unitID string) (selectionList, error) {
	unit, units, err := s.unitFor(ctx, me, unitID, false)
	if err != nil {
		return selectionList{}, err
	}
	list, err := s.store.Selections(ctx, unit.ID)
	return selectionList{Unit: unit, Units: units, Selections: nonNil(list)}, err
}

// stepIn is a step as typed or sent: its date as 2026-03-01, and the poll it links, if any.
type stepIn struct {
	Kind   string `json:"kind"`
	Date   string `json:"date"`
	Note   string `json:"note"`
	PollID string `json:"poll_id"`
}

// addStep records a step of a visible selection. A linked poll must be of the
// selection's unit, so a selection cannot cite another unit's vote.
func (s *Server) addStep(ctx context.Context, me *store.Session, sel *records.Selection, in stepIn) (records.Step, error) {
	date, err := time.ParseInLocation("2006-01-02", in.Date, cst)
	if err != nil {
		return records.Step{}, ballot.Errorf(ballot.EINVALID, "请填写日期，格式如 2026-03-01")
	}
	st := records.Step{Kind: in.Kind, Date: date, Note: in.Note, PollID: in.PollID}
	if err := st.Validate(); err != nil {
		return records.Step{}, err
	}
	if st.PollID != "" {
		if p, err := s.store.Poll(ctx, st.PollID); err != nil || p.UnitID != sel.UnitID {
			return records.Step{}, ballot.Errorf(ballot.EINVALID, "请选择本单位的投票活动")
		}
	}
	if err := s.store.AddStep(ctx, sel.ID, &st); err != nil {
		return records.Step{}, err
	}
	s.auditBy(ctx, me, st.PollID, "selection.step", map[string]string{"post": sel.Post, "step": st.Kind})
	return st, nil
}
