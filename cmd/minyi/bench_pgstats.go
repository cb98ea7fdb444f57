package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// With -pgstats the bench's own cluster starts with pg_stat_statements loaded, and each
// burst prints the statements PostgreSQL ran for it: their time (waits included, so it
// grows with the machine's load) beside what the load does not move, the rows, buffers
// and WAL a ballot. It says which of the vote path's statements a ballot's database CPU
// goes to.

// pgStatsSettings are the cluster's settings for -pgstats.
var pgStatsSettings = []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all", "track_io_timing=on"}

// benchPGStats is where -pgstats prints each burst's statements; nil without it.
var benchPGStats io.Writer

// resetStatements starts a burst's statistics afresh; false when the cluster has no
// pg_stat_statements (started before without -pgstats, or not the bench's own).
func resetStatements(ctx context.Context, db *sql.DB) bool {
	if db == nil || benchPGStats == nil {
		return false
	}
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		fmt.Fprintln(benchPGStats, "pgstats:", err)
		return false
	}
	if _, err := db.ExecContext(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		fmt.Fprintln(benchPGStats, "pgstats: pg_stat_statements is not loaded (a cluster left running from before -pgstats?):", err)
		return false
	}
	return true
}

// printStatements prints the statements since resetStatements, the costliest first, per
// ballot of the burst.
func printStatements(ctx context.Context, db *sql.DB, ballots int) {
	rows, err := db.QueryContext(ctx, `SELECT calls, rows, total_exec_time, total_plan_time,
			shared_blks_hit + shared_blks_read, shared_blks_dirtied, wal_records, wal_fpi, wal_bytes::bigint,
			left(regexp_replace(query, '\s+', ' ', 'g'), 110)
		FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
		ORDER BY total_exec_time DESC LIMIT 15`)
	if err != nil {
		fmt.Fprintln(benchPGStats, "pgstats:", err)
		return
	}
	defer rows.Close()
	n := float64(max(1, ballots))
	fmt.Fprintf(benchPGStats, "the burst's statements, a ballot (%d ballots): calls, rows, exec ms, plan ms, buffers, dirtied, WAL records, full pages, WAL bytes\n", ballots)
	for rows.Next() {
		var calls, nrows, blks, dirtied, walRec, fpi, walBytes int64
		var exec, plan float64
		var q string
		if err := rows.Scan(&calls, &nrows, &exec, &plan, &blks, &dirtied, &walRec, &fpi, &walBytes, &q); err != nil {
			fmt.Fprintln(benchPGStats, "pgstats:", err)
			return
		}
		fmt.Fprintf(benchPGStats, "  %6.3f %6.2f %7.4f %7.4f %7.1f %6.2f %6.2f %5.2f %7.0f  %s\n",
			float64(calls)/n, float64(nrows)/n, exec/n, plan/n, float64(blks)/n, float64(dirtied)/n, float64(walRec)/n, float64(fpi)/n, float64(walBytes)/n, q)
	}
}

// pgProcs is the CPU of each process of the cluster in dir so far, by pid, with its title
// (client backend, walwriter, autovacuum worker …); the postmaster's line holds its own
// and that of its children that ended.
func pgProcs(dir string) map[int]pgProc {
	out := map[int]pgProc{}
	if dir == "" {
		return out
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return out
	}
	pm, err := strconv.Atoi(strings.TrimSpace(string(bytes.SplitN(b, []byte("\n"), 2)[0])))
	if err != nil {
		return out
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, ok := procStat(pid)
		if !ok || (pid != pm && f[1] != int64(pm)) {
			continue
		}
		p := pgProc{title: "postmaster and the processes that ended", user: f[11], sys: f[12]}
		if pid == pm {
			p.user, p.sys = f[11]+f[13], f[12]+f[14]
		} else if cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil {
			p.title = pgTitle(string(cmd))
		}
		out[pid] = p
	}
	return out
}

type pgProc struct {
	title     string
	user, sys int64 // clock ticks
}

// pgTitle is a process's kind from its title: "postgres: minyi minyi [local] UPDATE" is
// a client backend, whatever it runs.
func pgTitle(cmd string) string {
	t := strings.TrimPrefix(strings.TrimRight(cmd, "\x00"), "postgres: ")
	if i := strings.Index(t, "[local]"); i >= 0 || strings.Contains(t, "minyi minyi") {
		return "client backends"
	}
	if i := strings.IndexAny(t, "\x00"); i >= 0 {
		t = t[:i]
	}
	return t
}

// printProcs prints what each kind of the cluster's processes spent between two
// snapshots, a ballot.
func printProcs(before, after map[int]pgProc, ballots int) {
	type sum struct{ user, sys int64 }
	by := map[string]*sum{}
	for pid, a := range after {
		b := before[pid] // a process started since counts from zero
		s := by[a.title]
		if s == nil {
			s = &sum{}
			by[a.title] = s
		}
		s.user += a.user - b.user
		s.sys += a.sys - b.sys
	}
	titles := make([]string, 0, len(by))
	for t := range by {
		titles = append(titles, t)
	}
	sort.Slice(titles, func(i, j int) bool {
		return by[titles[i]].user+by[titles[i]].sys > by[titles[j]].user+by[titles[j]].sys
	})
	n := float64(max(1, ballots))
	ms := func(ticks int64) float64 {
		return float64((time.Duration(ticks) * clockTick).Microseconds()) / 1000 / n
	}
	fmt.Fprintf(benchPGStats, "the cluster's CPU a ballot, by process (user + system ms):\n")
	for _, t := range titles {
		if s := by[t]; s.user+s.sys > 0 {
			fmt.Fprintf(benchPGStats, "  %6.3f + %6.3f  %s\n", ms(s.user), ms(s.sys), t)
		}
	}
}
