// Package records will hold cadres, selection processes (选拔任用纪实) and the filing of
// certified tallies into them, as RULES.md describes. Like ballot, it imports no SQL or
// HTTP package.
package records
