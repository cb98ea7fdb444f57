package store_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"minyi/ballot"
	"minyi/pgembed"
	"minyi/store"
	"minyi/store/dbtest"
)

// A counted poll's box is read from the replica once it has replayed the count, and from
// the primary while it has not, or when it is down: the same ballots either way. The
// replica is a real hot standby of a cluster of the test's own, streaming from it.
func TestCountedBoxFromTheReplica(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp(dbtest.TempDir(), "minyi-replica-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // PostgreSQL runs as its own user
	primary, err := pgembed.Start(ctx, dir+"/primary", pgembed.Options{Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { primary.Stop() })
	s, err := store.Open(ctx, primary.URL("minyi"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
	standby, err := pgembed.StartStandby(ctx, dir+"/standby", primary, pgembed.Options{Throwaway: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { standby.Stop() })
	if err := s.SetReadReplica(ctx, primary.URL("minyi")); err == nil {
		t.Fatal("the primary's own address was taken for a replica")
	}
	if err := s.SetReadReplica(ctx, standby.URL("minyi")); err != nil {
		t.Fatal(err)
	}
	onStandby, err := sql.Open("postgres", standby.URL("minyi"))
	if err != nil {
		t.Fatal(err)
	}
	defer onStandby.Close()

	unit := samplePoll(t, s).UnitID
	counted := func(n int) (string, [][]byte) {
		p := &ballot.Poll{UnitID: unit, Title: "年度民主测评", Groups: []ballot.Group{{Name: "职工代表", Expected: 30}},
			Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: []ballot.Subject{{Name: "张三", Post: "局长"}}}}}}
		p.Normalize()
		if err := s.CreatePoll(ctx, p, ""); err != nil {
			t.Fatal(err)
		}
		hs, _ := openPollOf(t, s, p, n)
		var cast [][]byte
		for _, h := range hs {
			sealed := make([]byte, 120)
			rand.Read(sealed)
			if err := s.Cast(ctx, item(h, p.ID, p.Groups[0].ID, sealed)); err != nil {
				t.Fatal(err)
			}
			cast = append(cast, sealed)
		}
		if err := s.ClosePoll(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveTally(ctx, &ballot.Tally{PollID: p.ID, Ballots: n}, "", &ballot.Signed{}, nil); err != nil {
			t.Fatal(err)
		}
		return p.ID, cast
	}
	replayed := func(pollID string) {
		t.Helper()
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
			var n int
			if err := onStandby.QueryRow(`SELECT count(*) FROM tallies WHERE poll_id = $1`, pollID).Scan(&n); err == nil && n == 1 {
				return
			}
		}
		t.Fatal("the standby has not replayed the count in 30 s")
	}
	read := func(pollID string, want [][]byte, reads, behind int64) {
		t.Helper()
		var got [][]byte
		for b, err := range s.CountedBox(ctx, pollID, 32) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, b.Sealed)
		}
		sort := func(bs [][]byte) {
			slices.SortFunc(bs, func(a, b []byte) int { return slices.Compare(a, b) })
		}
		sort(got)
		sort(want)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("the box read holds %d ballots, not the %d cast", len(got), len(want))
		}
		if r, b := s.ReplicaReads(); r != reads || b != behind {
			t.Fatalf("boxes read from the replica %d, from the primary with the replica behind %d; want %d and %d", r, b, reads, behind)
		}
	}

	first, firstBox := counted(5)
	replayed(first)
	read(first, firstBox, 1, 0)

	// The standby stops replaying: a poll counted since is read from the primary, until
	// the standby has caught up.
	if _, err := onStandby.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	second, secondBox := counted(4)
	read(second, secondBox, 1, 1)
	if _, err := onStandby.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	replayed(second)
	read(second, secondBox, 2, 1)

	// The standby frozen (its processes stopped, as a machine that no longer answers):
	// the primary serves once the replica has had its two seconds.
	thaw := freeze(t, standby.Dir)
	start := time.Now()
	read(first, firstBox, 2, 2)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a frozen replica held the read %v", took)
	}
	thaw()

	// The standby down: the primary serves.
	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	read(first, firstBox, 2, 3)
}

// freeze stops the processes of the PostgreSQL cluster in dir (SIGSTOP) and gives what
// starts them again.
func freeze(t *testing.T, dir string) (thaw func()) {
	t.Helper()
	pid, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	postmaster := strings.TrimSpace(strings.SplitN(string(pid), "\n", 2)[0])
	pids := []string{postmaster}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(f) > 1 && f[1] == postmaster {
			pids = append(pids, e.Name())
		}
	}
	signal := func(sig syscall.Signal) {
		for _, p := range pids {
			n, _ := strconv.Atoi(p)
			syscall.Kill(n, sig)
		}
	}
	signal(syscall.SIGSTOP)
	thawed := false
	thaw = func() {
		if !thawed {
			thawed = true
			signal(syscall.SIGCONT)
		}
	}
	t.Cleanup(thaw)
	return thaw
}
