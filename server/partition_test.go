package server_test

import (
	"bytes"
	"database/sql"
	"sort"
	"strings"
	"testing"

	"minyi/ballot"
	"minyi/store"
)

// boxRows lists a poll's rows of the box as id, group, nullifier and sealed bytes, sorted.
func boxRows(t *testing.T, db *sql.DB, pollID string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id::text || coalesce(group_id::text, '-') || encode(coalesce(nullifier, ''), 'hex') || encode(sha256(sealed), 'hex')
		FROM ballots WHERE poll_id = $1`, pollID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		rows.Scan(&r)
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// pollTables says how each table of the box is stored: 'r' a plain table, 'p' partitioned.
func pollTables(t *testing.T, db *sql.DB) string {
	t.Helper()
	var kinds string
	if err := db.QueryRow(`SELECT string_agg(relname || ':' || relkind::text, ' ' ORDER BY relname) FROM pg_class
		WHERE relname IN ('ballots', 'spent', 'receipts') AND relnamespace = 'public'::regnamespace`).Scan(&kinds); err != nil {
		t.Fatal(err)
	}
	return kinds
}

// Migration 00030 partitions the box by poll. A database holding an open poll (with
// ballots, empty slots and nullifiers) and a counted one (its box certified, its receipts)
// is taken back to the plain tables and up again: every row is where it was, the open poll
// still refuses the token that voted and takes the others, closes and counts, and the
// counted poll's bundle still verifies with every ballot in it.
func TestMigrationPartitionsTheBox(t *testing.T) {
	e := newEnv(t)
	db, err := sql.Open("postgres", e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	_, before := countedBundle(e)
	var counted struct{ ID string }
	if err := db.QueryRow(`SELECT poll_id FROM tallies`).Scan(&counted.ID); err != nil {
		t.Fatal(err)
	}
	receipt := ""
	if err := db.QueryRow(`SELECT code FROM receipts WHERE poll_id = $1`, counted.ID).Scan(&receipt); err != nil {
		t.Fatal(err)
	}

	open := e.evaluation("张三", "李四")
	codes := e.tokens(open, 3)
	e.openPoll(open.ID)
	if st, body := e.vote(codes[0], form("优秀", "称职")); st != 200 || !strings.Contains(body, "回执码") {
		t.Fatalf("vote before the migration: %d", st)
	}
	openBox, countedBox := boxRows(t, db, open.ID), boxRows(t, db, counted.ID)
	if len(openBox) < 3 || len(countedBox) != 1 {
		t.Fatalf("box before: %d rows of the open poll (a ballot and slots), %d of the counted", len(openBox), len(countedBox))
	}

	// Back to the schema before the partitions, the rows moved back with it.
	m, err := store.Open(ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.MigrateTo(ctx, 29); err != nil {
		t.Fatal(err)
	}
	if k := pollTables(t, db); k != "ballots:r receipts:r spent:r" {
		t.Fatalf("before 00030 the box is in %s, want plain tables", k)
	}
	if got := boxRows(t, db, open.ID); strings.Join(got, ",") != strings.Join(openBox, ",") {
		t.Fatalf("down: the open poll's box has %d rows, want the %d it had", len(got), len(openBox))
	}

	if err := m.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if k := pollTables(t, db); k != "ballots:p receipts:p spent:p" {
		t.Fatalf("after 00030 the box is in %s, want partitioned tables", k)
	}
	if got := boxRows(t, db, open.ID); strings.Join(got, ",") != strings.Join(openBox, ",") {
		t.Fatalf("up: the open poll's box has %d rows, want the %d it had", len(got), len(openBox))
	}
	if got := boxRows(t, db, counted.ID); strings.Join(got, ",") != strings.Join(countedBox, ",") {
		t.Fatalf("up: the counted poll's box has %d rows, want the %d it had", len(got), len(countedBox))
	}
	// A poll's rows lie in one partition.
	var parts int
	if err := db.QueryRow(`SELECT count(DISTINCT tableoid) FROM ballots WHERE poll_id = $1`, open.ID).Scan(&parts); err != nil || parts != 1 {
		t.Fatalf("the open poll's rows lie in %d partitions (%v), want 1", parts, err)
	}

	// The counted poll: its bundle, read from the moved box, verifies with its ballot.
	after := e.api(e.admin, "GET", "/api/v1/polls/"+counted.ID+"/bundle", nil, 200, nil)
	checks, b, _ := checkBundle(t, after)
	if !ballot.Verified(checks) || b.BallotCount() != 1 {
		t.Fatalf("the counted poll's bundle after the migration: %+v, %d ballots", checks, b.BallotCount())
	}
	if at, err := ballot.FindReceipt(bytes.NewReader(after), int64(len(after)), receipt); err != nil || at != 1 {
		t.Fatalf("the counted receipt %s in the bundle after the migration: %d %v", receipt, at, err)
	}
	if _, page := e.get(nil, "/receipt?code="+receipt); !strings.Contains(page, "该回执在以下投票活动的计票结果中") {
		t.Fatal("a counted receipt is no longer found after the migration")
	}
	if len(before) == 0 {
		t.Fatal("no bundle before the migration")
	}

	// The open poll: the token that voted is refused, the others vote, and it counts.
	if _, body := e.vote(codes[0], form("不称职", "不称职")); !strings.Contains(body, "已投票") {
		t.Fatal("the token that voted before the migration votes again")
	}
	for _, c := range codes[1:] {
		if st, body := e.vote(c, form("称职", "优秀")); st != 200 || !strings.Contains(body, "回执码") {
			t.Fatalf("vote after the migration: %d", st)
		}
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+open.ID+"/close", nil, 200, nil)
	e.countPoll(open.ID, nil)
	var res tally
	e.api(e.admin, "GET", "/api/v1/polls/"+open.ID+"/tally", nil, 200, &res)
	if res.Tally.Ballots != 3 {
		t.Fatalf("the open poll counted %d ballots after the migration, want 3", res.Tally.Ballots)
	}
	raw := e.api(e.admin, "GET", "/api/v1/polls/"+open.ID+"/bundle", nil, 200, nil)
	if checks, b, _ := checkBundle(t, raw); !ballot.Verified(checks) || b.BallotCount() != 3 {
		t.Fatalf("the open poll's bundle: %+v, %d ballots", checks, b.BallotCount())
	}
}
