package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The machine the bench runs on is often shared, and then its rates say little; the CPU
// each side spends on a ballot moves much less with the other load. PostgreSQL runs in
// processes of its own, so its share is read from /proc: the postmaster's and its live
// children's user and system time, and (through the postmaster's cutime and cstime) that
// of the backends that ended and were reaped meanwhile. On a system without /proc, or
// with a cluster the bench cannot see (-url, DATABASE_URL), it is 0.

// benchPGDir is the data directory of the bench's cluster, "" when it has none of its own.
var benchPGDir string

// clockTick is the unit of /proc's times (USER_HZ): 100 a second on every Linux port.
const clockTick = 10 * time.Millisecond

// pgCPU is the CPU the cluster in dir has used so far, user and system.
func pgCPU(dir string) time.Duration {
	if dir == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pm, err := strconv.Atoi(strings.TrimSpace(string(bytes.SplitN(b, []byte("\n"), 2)[0])))
	if err != nil {
		return 0
	}
	f, ok := procStat(pm)
	if !ok {
		return 0
	}
	ticks := f[11] + f[12] + f[13] + f[14] // utime stime cutime cstime
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pm {
			continue
		}
		if c, ok := procStat(pid); ok && c[1] == int64(pm) {
			ticks += c[11] + c[12]
		}
	}
	return time.Duration(ticks) * clockTick
}

// procStat is /proc/pid/stat's numeric fields from the state on, numbered so that
// f[1] is the parent (field 4 of proc(5)) and f[11], f[12] utime and stime (fields 14, 15).
func procStat(pid int) ([]int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	// The command may hold spaces and parentheses: the fields start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, false
	}
	parts := strings.Fields(string(b[i+1:]))
	if len(parts) < 15 {
		return nil, false
	}
	f := make([]int64, 15)
	for k := 1; k < 15; k++ {
		f[k], _ = strconv.ParseInt(parts[k], 10, 64)
	}
	return f, true
}

// pgWAL is the cluster's WAL so far (pg_stat_wal) and its client connections: the WAL a
// ballot costs does not move with the machine's load, and new connections during a
// burst (each a new backend with empty caches) are one of the first burst's costs.
type pgWAL struct {
	Records, FPI, Bytes int64
	Clients             int
}

func readWAL(ctx context.Context, db *sql.DB) (pgWAL, bool) {
	var w pgWAL
	if db == nil {
		return w, false
	}
	err := db.QueryRowContext(ctx, `SELECT wal_records, wal_fpi, wal_bytes::bigint,
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int FROM pg_stat_wal`).Scan(&w.Records, &w.FPI, &w.Bytes, &w.Clients)
	return w, err == nil
}

// benchDB is a connection of the bench's own to the cluster, for pg_stat_wal; nil when
// it could not be opened.
var benchDB *sql.DB
