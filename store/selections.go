package store

import (
	"context"

	"minyi/ballot"
	"minyi/records"
)

var (
	qAddSelection = query(`INSERT INTO selections (unit_id, post) VALUES ($1, $2) RETURNING id, created_at`)
	qSelections   = query(`SELECT id, unit_id, post, created_at FROM selections WHERE unit_id = $1 ORDER BY created_at DESC`)
	qSelection    = query(`SELECT id, unit_id, post, created_at FROM selections WHERE id = $1`)
	qSteps        = query(`SELECT id, kind, date, note, COALESCE(poll_id::text, '') AS poll_id FROM selection_steps WHERE selection_id = $1
		ORDER BY date, array_position(ARRAY['动议','民主推荐','考察','讨论决定','任前公示','任职'], kind)`)
	qAddStep = query(`INSERT INTO selection_steps (selection_id, kind, date, note, poll_id) VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid) RETURNING id`)
)

// AddSelection starts a selection for a post of a unit.
func (s *Store) AddSelection(ctx context.Context, sel *records.Selection) error {
	if err := checkID(sel.UnitID, "单位"); err != nil {
		return err
	}
	err := s.db.QueryRowxContext(ctx, qAddSelection, sel.UnitID, sel.Post).Scan(&sel.ID, &sel.CreatedAt)
	if isForeignKeyViolation(err) {
		return ballot.Errorf(ballot.ENOTFOUND, "单位不存在")
	}
	return err
}

// Selections lists a unit's selections, newest first.
func (s *Store) Selections(ctx context.Context, unitID string) ([]records.Selection, error) {
	var out []records.Selection
	err := s.db.SelectContext(ctx, &out, qSelections, unitID)
	return out, err
}

// Selection loads a selection with its steps in order.
func (s *Store) Selection(ctx context.Context, id string) (*records.Selection, error) {
	if err := checkID(id, "纪实"); err != nil {
		return nil, err
	}
	var sel records.Selection
	if err := s.db.GetContext(ctx, &sel, qSelection, id); err != nil {
		return nil, notFound(err, "纪实")
	}
	err := s.db.SelectContext(ctx, &sel.Steps, qSteps, id)
	return &sel, err
}

// AddStep records a step of a selection.
func (s *Store) AddStep(ctx context.Context, selectionID string, st *records.Step) error {
	if st.PollID != "" {
		if err := checkID(st.PollID, "投票活动"); err != nil {
			return err
		}
	}
	err := s.db.GetContext(ctx, &st.ID, qAddStep, selectionID, st.Kind, st.Date, st.Note, st.PollID)
	if err != nil && isInvalidUUID(err) {
		return ballot.Errorf(ballot.ENOTFOUND, "纪实不存在")
	}
	return err
}
