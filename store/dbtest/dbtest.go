// Package dbtest gives tests a real, migrated PostgreSQL database: a private cluster
// started the same way as the embedded default (or the server named by
// MINYI_TEST_DATABASE_URL), a migrated template, and a fresh copy of it per test. The
// cluster lives in TempDir: in memory when the machine allows.
// MINYI_TEST_PGCPU=1 prints the CPU the private cluster used, MINYI_TEST_PGSTATS=1 the
// statements it spent its time on.
package dbtest

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lib/pq"

	"minyi/pgembed"
	"minyi/store"
)

var (
	adminURL string
	baseURL  func(db string) string
	seq      atomic.Int64
	// admin creates and drops the tests' databases on connections it keeps: a new
	// PostgreSQL backend costs tens of milliseconds of CPU, and a package makes hundreds of
	// databases.
	admin *sql.DB
	// copyFiles asks PostgreSQL 15 and later to copy the template's files rather than write
	// every page of it to the WAL: the copy is throwaway, and this takes a third of the CPU.
	copyFiles string
)

const template = "minyi_template"

// Main starts the cluster for a test binary, migrates the template, runs the tests and
// stops the cluster. Call it from TestMain: os.Exit(dbtest.Main(m)).
func Main(m *testing.M) int {
	ctx := context.Background()
	// Fuzzing (`go test -fuzz`) runs one target, in worker processes the fuzzer starts and
	// kills at will: the targets need no database, and a cluster per worker would be left
	// running by every worker killed.
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return m.Run()
	}
	var stop func()
	if u := os.Getenv("MINYI_TEST_DATABASE_URL"); u != "" {
		adminURL = u
		baseURL = func(db string) string { return replaceDB(u, db) }
		stop = func() {}
	} else {
		dir, err := os.MkdirTemp(TempDir(), "minyi-testpg-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		os.Chmod(dir, 0o755)
		opts := pgembed.Options{Throwaway: true}
		if os.Getenv("MINYI_TEST_PGSTATS") != "" {
			opts.Settings = []string{"shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track_utility=on"}
		}
		e, err := pgembed.Start(ctx, dir, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
			return 1
		}
		adminURL, baseURL = e.URL("postgres"), e.URL
		stop = func() {
			if os.Getenv("MINYI_TEST_PGCPU") != "" {
				reportClusterCPU(e.Dir)
			}
			if os.Getenv("MINYI_TEST_PGSTATS") != "" {
				reportStatements()
			}
			e.Stop()
			os.RemoveAll(dir)
		}
	}
	defer stop()
	if err := prepareTemplate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	var err error
	if admin, err = sql.Open("postgres", adminURL); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	defer admin.Close()
	admin.SetMaxIdleConns(4)
	var version int
	if err := admin.QueryRowContext(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&version); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	if version >= 150000 {
		copyFiles = " STRATEGY FILE_COPY"
	}
	return m.Run()
}

func replaceDB(url, db string) string {
	// postgres://user@host/db?params → swap the path
	i := strings.Index(url, "://")
	rest := url[i+3:]
	slash := strings.Index(rest, "/")
	q := ""
	if j := strings.Index(rest, "?"); j >= 0 {
		q = rest[j:]
		rest = rest[:j]
	}
	if slash >= 0 {
		rest = rest[:slash]
	}
	return url[:i+3] + rest + "/" + db + q
}

func prepareTemplate(ctx context.Context) error {
	if err := pgembed.DropDatabase(ctx, adminURL, template); err != nil {
		return err
	}
	if err := pgembed.CreateDatabase(ctx, adminURL, template, ""); err != nil {
		return err
	}
	s, err := store.Open(ctx, baseURL(template))
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Migrate(ctx)
}

// URL creates a fresh migrated database for the test, dropped when it ends, and returns
// its connection string.
func URL(t testing.TB) string {
	t.Helper()
	if adminURL == "" {
		t.Fatal("dbtest: call dbtest.Main from TestMain")
	}
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), seq.Add(1))
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)+" TEMPLATE "+pq.QuoteIdentifier(template)+copyFiles); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
	})
	return baseURL(name)
}

// New returns a store on a fresh migrated database.
func New(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), URL(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reportStatements prints the statements that took the test cluster longest, summed over
// every test's database (pg_stat_statements, loaded when MINYI_TEST_PGSTATS is set): which
// tests make PostgreSQL work, and at what. The times are the server's, waits on locks
// included; the calls and rows tell a busy loop from one heavy query.
func reportStatements() {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return
	}
	rows, err := db.Query(`SELECT calls, total_exec_time, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 140)
		FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30`)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return
	}
	defer rows.Close()
	fmt.Fprintln(os.Stderr, "dbtest: statements by time       calls     ms      rows")
	for rows.Next() {
		var calls, n int64
		var ms float64
		var q string
		if err := rows.Scan(&calls, &ms, &n, &q); err != nil {
			fmt.Fprintln(os.Stderr, "dbtest:", err)
			return
		}
		fmt.Fprintf(os.Stderr, "dbtest: %9d %9.0f %9d  %s\n", calls, ms, n, q)
	}
}

// reportClusterCPU prints the CPU the test cluster's processes have used so far: the
// postmaster's own and its reaped backends' (from its /proc entry), and its children's
// still running. The cluster is a daemon, so `time` around `go test` never sees it; set
// MINYI_TEST_PGCPU=1 to see what a package's tests cost PostgreSQL.
func reportClusterCPU(dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return
	}
	pid := strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	ticks := func(statPath string, withChildren bool) (ppid string, n int64) {
		raw, err := os.ReadFile(statPath)
		if err != nil {
			return "", 0
		}
		s := string(raw)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// after the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15)
		last := 13
		if withChildren {
			last = 15
		}
		for i := 11; i <= last; i++ {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			n += v
		}
		return f[1], n
	}
	_, total := ticks("/proc/"+pid+"/stat", true)
	ents, _ := os.ReadDir("/proc")
	for _, d := range ents {
		if pp, n := ticks("/proc/"+d.Name()+"/stat", false); pp == pid {
			total += n
		}
	}
	// Linux counts in USER_HZ, 100 a second on every platform Go supports.
	fmt.Fprintf(os.Stderr, "dbtest: PostgreSQL used %.1f s of CPU\n", float64(total)/100)
}
