// Package pgembed runs the private PostgreSQL cluster of `make run`, the tests and the
// fault drills, from the machine's own binaries.
package pgembed

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lib/pq"
)

// Cluster is a private PostgreSQL cluster started from the machine's own binaries
// (DESIGN: embedded default). It listens on a Unix socket in a directory of its own only,
// never on a TCP port, so it cannot clash with a system server on 5432.
type Cluster struct {
	Dir    string // data directory
	Socket string // socket directory
	Port   int    // names the socket file only
	bin    string
	cred   *syscall.Credential
	owned  bool // started by us, so ours to stop
}

// Options tune the cluster.
type Options struct {
	// Throwaway trades durability for speed (tests): fsync and synchronous commit off.
	Throwaway bool
	// Log receives the cluster's progress lines; nil discards them.
	Log io.Writer
}

// embeddedPort names the socket file; the socket lives in the cluster's own directory.
const embeddedPort = 15432

// Bin finds the directory of the PostgreSQL server binaries: $MINYI_PG_BIN, the
// newest /usr/lib/postgresql/*/bin, or initdb on PATH.
func Bin() (string, error) {
	if d := os.Getenv("MINYI_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", fmt.Errorf("PostgreSQL server binaries not found (no initdb): install them with `apt-get install postgresql` (make run does this), or set DATABASE_URL")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start starts (or reuses, if still running from an earlier start) the private
// cluster in dir, creating it on first use. When run as root it runs PostgreSQL as the
// unprivileged "postgres" user (or "nobody"), since initdb refuses root.
func Start(ctx context.Context, dir string, opt Options) (*Cluster, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	e := &Cluster{Dir: dir, Port: embeddedPort, bin: bin, Socket: dir}
	if len(dir)+len("/.s.PGSQL.15432.lock") > 100 { // Unix socket paths are limited to ~107 bytes
		sum := sha256.Sum256([]byte(dir))
		e.Socket = filepath.Join(os.TempDir(), "minyi-pg-"+hex.EncodeToString(sum[:6]))
	}
	// The parents stay searchable (PostgreSQL may run as another user); the cluster's own
	// directory is private to it.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, err
	}
	if err := os.MkdirAll(e.Socket, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if e.cred, err = unprivileged(); err != nil {
			return nil, err
		}
		for _, d := range []string{dir, e.Socket} {
			if err := os.Chown(d, int(e.cred.Uid), int(e.cred.Gid)); err != nil {
				return nil, err
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); os.IsNotExist(err) {
		fmt.Fprintf(opt.Log, "creating a private PostgreSQL cluster in %s\n", dir)
		if out, err := e.run(ctx, "initdb", "-D", dir, "-U", "minyi", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"); err != nil {
			return nil, fmt.Errorf("initdb failed: %v\n%s%s", err, out, rootHint(dir))
		}
	}
	if _, err := e.run(ctx, "pg_ctl", "status", "-D", dir); err == nil {
		fmt.Fprintf(opt.Log, "reusing the private PostgreSQL already running in %s\n", dir)
	} else {
		opts := fmt.Sprintf("-k %s -c listen_addresses='' -p %d -c max_connections=200", e.Socket, e.Port)
		if opt.Throwaway {
			opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		}
		out, err := e.run(ctx, "pg_ctl", "start", "-D", dir, "-w", "-t", "120", "-s", "-l", filepath.Join(dir, "server.log"), "-o", opts)
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return nil, fmt.Errorf("start PostgreSQL: %v\n%s\n%s", err, out, lastLines(log, 15))
		}
		e.owned = true
	}
	if err := e.CreateDatabase(ctx, "minyi", ""); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

func unprivileged() (*syscall.Credential, error) {
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("running as root, but no unprivileged user (postgres or nobody) to run PostgreSQL as")
}

func rootHint(dir string) string {
	if os.Geteuid() != 0 {
		return ""
	}
	return fmt.Sprintf("\n(PostgreSQL runs as an unprivileged user; every parent directory of %s must be searchable by it)", dir)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (e *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(e.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: e.cred, Setpgid: true}
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// URL is the connection string for a database of the cluster.
func (e *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://minyi@/%s?host=%s&port=%d&sslmode=disable", database, e.Socket, e.Port)
}

// CreateDatabase creates a database if it does not exist, optionally from a template.
func (e *Cluster) CreateDatabase(ctx context.Context, name, template string) error {
	return CreateDatabase(ctx, e.URL("postgres"), name, template)
}

// CreateDatabase creates a database on the server of adminURL if it does not exist.
func CreateDatabase(ctx context.Context, adminURL, name, template string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if exists {
		return nil
	}
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name)
	if template != "" {
		q += " TEMPLATE " + pq.QuoteIdentifier(template)
	}
	_, err = db.ExecContext(ctx, q)
	return err
}

// DropDatabase drops a database, ending its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
	return err
}

// Stop shuts the cluster down if this process started it.
func (e *Cluster) Stop() error {
	if !e.owned {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := e.run(ctx, "pg_ctl", "stop", "-D", e.Dir, "-m", "fast", "-w", "-s")
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %v: %s", err, out)
	}
	return nil
}
