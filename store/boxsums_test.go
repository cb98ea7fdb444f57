package store_test

import (
	"strings"
	"testing"

	"minyi/store/dbtest"
)

// A row of kept sums holds, like a ballot row, nothing that names an instance, a run or a
// moment: a random id, the poll, the group, and what its ballots add up to.
func TestBoxSumsTableHasNoLinkColumns(t *testing.T) {
	s := dbtest.New(t)
	cols, err := s.Columns(ctx, "box_sums")
	if err != nil {
		t.Fatal(err)
	}
	want := "group_id:uuid id:uuid mac:bytea n:integer poll_id:uuid sums:bytea tags:bytea"
	if got := strings.Join(cols, " "); got != want {
		t.Fatalf("box_sums columns = %q, want exactly %q", got, want)
	}
}
