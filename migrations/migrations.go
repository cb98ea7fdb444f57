// Package migrations holds the numbered SQL migrations, embedded in the binary and applied
// by goose under an advisory lock.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
