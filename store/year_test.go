package store_test

import (
	"database/sql"
	"strings"
	"testing"

	"minyi/migrations"
	"minyi/store"
	"minyi/store/dbtest"
)

// Migration 00015 gives the polls made before it their assessment year as the builder
// would: the title's year, else the year before for a 年度考核 made in January–March (China
// time), else the year made.
func TestMigrationProposesYears(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	s, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.CreateUnit(ctx, "某局")
	if err != nil {
		t.Fatal(err)
	}
	db, _ := sql.Open("postgres", url)
	defer db.Close()
	for _, p := range []struct{ title, made string }{
		{"2025年度局领导班子民主测评", "2026-01-10 09:00+08"},
		{"年度考核民主测评", "2026-03-31 20:00+08"},
		{"年度考核民主测评", "2026-04-01 09:00+08"},
		{"民主推荐", "2026-01-10 09:00+08"},
		{"年度考核民主测评", "2025-12-31 17:30+00"}, // 1 January 2026 in China
	} {
		if _, err := db.Exec(`INSERT INTO polls (unit_id, title, definition, created_at, year) VALUES ($1, $2, '{}', $3, 0)`, u.ID, p.title, p.made); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := migrations.FS.ReadFile("00015_assessment_year.sql")
	if err != nil {
		t.Fatal(err)
	}
	sqlText := string(raw)
	update := sqlText[strings.Index(sqlText, "UPDATE polls"):]
	update = update[:strings.Index(update, ";")]
	if _, err := db.Exec(update); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT year FROM polls ORDER BY created_at, title`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var y int
		rows.Scan(&y)
		got = append(got, y)
	}
	// by created_at: 2025-12-31 17:30Z (2026-01-01 CST), 2026-01-10 ×2 (title order), 03-31, 04-01
	want := []int{2025, 2025, 2026, 2025, 2026}
	if len(got) != len(want) {
		t.Fatalf("years %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("years %v, want %v", got, want)
		}
	}
}
