package store

import "context"

var (
	qColumns = query(`SELECT column_name || ':' || data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name`)
	qColumnDefault = query(`SELECT COALESCE(column_default, '') FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2`)
)

// Columns lists a table's columns as name:type, for the schema's secrecy checks.
func (s *Store) Columns(ctx context.Context, table string) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, qColumns, table)
	return out, err
}

// ColumnDefault returns a column's default expression.
func (s *Store) ColumnDefault(ctx context.Context, table, column string) (string, error) {
	var d string
	err := s.db.GetContext(ctx, &d, qColumnDefault, table, column)
	return d, err
}
