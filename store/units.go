package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"minyi/ballot"
)

// Unit is a 单位: polls and staff belong to one.
type Unit struct {
	ID   string `db:"id" json:"id"`
	Name string `db:"name" json:"name"`
}

var (
	qCreateUnit = query(`INSERT INTO units (name) VALUES ($1) RETURNING id`)
	qUnits      = query(`SELECT id, name FROM units ORDER BY name`)
	qUnitByName = query(`SELECT id, name FROM units WHERE name = $1`)
)

// CreateUnit adds a unit.
func (s *Store) CreateUnit(ctx context.Context, name string) (Unit, error) {
	u := Unit{Name: strings.TrimSpace(name)}
	if n := utf8.RuneCountInString(u.Name); n == 0 || n > 100 {
		return u, ballot.Errorf(ballot.EINVALID, "单位名称应为1到100个字")
	}
	err := s.db.GetContext(ctx, &u.ID, qCreateUnit, u.Name)
	if isUniqueViolation(err) {
		return u, ballot.Errorf(ballot.ECONFLICT, "单位“%s”已存在", u.Name)
	}
	return u, err
}

// Units lists all units.
func (s *Store) Units(ctx context.Context) ([]Unit, error) {
	var out []Unit
	err := s.db.SelectContext(ctx, &out, qUnits)
	return out, err
}

// UnitByName finds a unit by its name.
func (s *Store) UnitByName(ctx context.Context, name string) (Unit, error) {
	var u Unit
	err := s.db.GetContext(ctx, &u, qUnitByName, name)
	return u, notFound(err, "单位")
}
