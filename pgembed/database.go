package pgembed

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// CreateDatabase creates a database if it does not exist, optionally from a template.
func (e *Cluster) CreateDatabase(ctx context.Context, name, template string) error {
	return CreateDatabase(ctx, e.URL("postgres"), name, template)
}

// CreateDatabase creates a database on the server of adminURL if it does not exist.
func CreateDatabase(ctx context.Context, adminURL, name, template string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if exists {
		return nil
	}
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		q += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	_, err = db.ExecContext(ctx, q)
	return err
}

// DropDatabase drops a database, ending its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
	return err
}
