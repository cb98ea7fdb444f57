package store_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/lib/pq"

	"minyi/ballot"
	"minyi/store"
)

// A poll opened in a partition of the box that another poll's ballots fill, and that was
// analyzed before the new poll's slots were drawn (as autovacuum does between two polls),
// has ballots put into its slots by their row, each read once: the planner, expecting one
// row for the new poll, may read every row of the poll for each slot found by its id (a
// burst there took four times the database's CPU a ballot).
func TestBatchFillReadsEachSlotOnce(t *testing.T) {
	t.Parallel()
	s, db, a, hs, _ := openPoll(t, 300)
	g := a.Groups[0].ID
	for k := 0; k < len(hs); k += 100 {
		var items []store.CastItem
		for _, h := range hs[k : k+100] {
			items = append(items, item(h, a.ID, g, bytes.Repeat([]byte{7}, 120)))
		}
		if errs, err := s.CastBatch(ctx, items); err != nil || errs[0] != nil {
			t.Fatalf("votes into the first poll: %v %v", errs, err)
		}
	}
	var part string
	if err := db.QueryRow(`SELECT tableoid::regclass::text FROM ballots WHERE poll_id = $1 LIMIT 1`, a.ID).Scan(&part); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE ` + part); err != nil {
		t.Fatal(err)
	}
	// A second poll whose slots fall in the same partition (one in eight does).
	var b string
	for try := 0; b == ""; try++ {
		if try == 100 {
			t.Fatalf("no poll of 100 fell in %s", part)
		}
		p := &ballot.Poll{UnitID: a.UnitID, Title: "年度民主测评", Groups: []ballot.Group{{Name: "职工代表", Expected: 30}},
			Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}}}}
		p.Normalize()
		if err := s.CreatePoll(ctx, p, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenPoll(ctx, p.ID, 2, bytes.Repeat([]byte{1}, 32), nil, []byte("w")); err != nil {
			t.Fatal(err)
		}
		if err := s.AddSlots(ctx, p.ID, 1000, 120); err != nil {
			t.Fatal(err)
		}
		var in string
		if err := db.QueryRow(`SELECT tableoid::regclass::text FROM ballots WHERE poll_id = $1 LIMIT 1`, p.ID).Scan(&in); err != nil {
			t.Fatal(err)
		}
		if in == part {
			b = p.ID
			g = p.Groups[0].ID
		}
	}
	const n = 20
	gs, ns, offs, lens := make([]string, n), make([][]byte, n), make([]int64, n), make([]int64, n)
	for k := range n {
		gs[k], ns[k], offs[k], lens[k] = g, nul(hashes(1)[0]), int64(1+120*k), 120
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var plan []byte
	if err := tx.QueryRow(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+store.BatchFill, b, "00000000-0000-0000-0000-000000000000", n,
		pq.Array(gs), bytes.Repeat([]byte{9}, 120*n), pq.ByteaArray(ns), pq.Array(offs), pq.Array(lens)).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var out []struct{ Plan planNode }
	if err := json.Unmarshal(plan, &out); err != nil {
		t.Fatal(err)
	}
	read, removed := out[0].Plan.sum()
	if out[0].Plan.Plans == nil || removed > 0 || read > 40*n {
		t.Fatalf("filling %d slots read %d buffers and passed over %d rows, want each slot read once:\n%s", n, read, removed, plan)
	}
}

// planNode is a node of EXPLAIN's JSON: the buffers it read and the rows its filters
// passed over, with its children's.
type planNode struct {
	Hit     int64      `json:"Shared Hit Blocks"`
	Read    int64      `json:"Shared Read Blocks"`
	Removed int64      `json:"Rows Removed by Join Filter"`
	Filter  int64      `json:"Rows Removed by Filter"`
	Plans   []planNode `json:"Plans"`
}

// sum is the top node's buffers (its children's included) and the rows every node's
// filters passed over.
func (p planNode) sum() (buffers, removed int64) {
	removed = p.Removed + p.Filter
	for _, c := range p.Plans {
		_, r := c.sum()
		removed += r
	}
	return p.Hit + p.Read, removed
}
