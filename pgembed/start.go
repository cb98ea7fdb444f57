package pgembed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Start starts (or reuses, if still running from an earlier start) the private
// cluster in dir, creating it on first use. When run as root it runs PostgreSQL as the
// unprivileged "postgres" user (or "nobody"), since initdb refuses root.
func Start(ctx context.Context, dir string, opt Options) (*Cluster, error) {
	e, err := startIn(ctx, dir, opt, func(e *Cluster, log io.Writer) error {
		fmt.Fprintf(log, "creating a private PostgreSQL cluster in %s\n", e.Dir)
		if out, err := e.run(ctx, "initdb", "-D", e.Dir, "-U", "minyi", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"); err != nil {
			return fmt.Errorf("initdb failed: %v\n%s%s", err, out, rootHint(e.Dir))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := e.CreateDatabase(ctx, "minyi", ""); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// StartStandby starts a streaming replica of primary in dir, copied from it on first use
// (pg_basebackup): a hot standby that answers reads and follows the primary's commits, as
// a CloudNativePG cluster's replicas do behind its -ro service.
func StartStandby(ctx context.Context, dir string, primary *Cluster, opt Options) (*Cluster, error) {
	return startIn(ctx, dir, opt, func(e *Cluster, log io.Writer) error {
		fmt.Fprintf(log, "copying the PostgreSQL cluster in %s to a standby in %s\n", primary.Dir, e.Dir)
		conn := fmt.Sprintf("host=%s port=%d user=minyi", primary.Socket, primary.Port)
		if out, err := e.run(ctx, "pg_basebackup", "-D", e.Dir, "-d", conn, "-R", "-X", "stream", "-c", "fast"); err != nil {
			return fmt.Errorf("pg_basebackup failed: %v\n%s", err, out)
		}
		// The primary's socket lives in its data directory: the copy took the socket's
		// lock file, which would stop the standby's own socket.
		locks, _ := filepath.Glob(filepath.Join(e.Dir, ".s.PGSQL.*.lock"))
		for _, l := range locks {
			os.Remove(l)
		}
		return nil
	})
}

// startIn starts the cluster in dir, made by create when dir holds none yet.
func startIn(ctx context.Context, dir string, opt Options, create func(e *Cluster, log io.Writer) error) (*Cluster, error) {
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	e, err := prepare(dir)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "PG_VERSION")); os.IsNotExist(err) {
		if err := create(e, opt.Log); err != nil {
			return nil, err
		}
	}
	if err := e.start(ctx, opt); err != nil {
		return nil, err
	}
	return e, nil
}

// prepare makes the directories of a cluster in dir, owned by the user it will run as.
func prepare(dir string) (*Cluster, error) {
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
	return e, nil
}

// start starts the cluster's server, or finds it already running.
func (e *Cluster) start(ctx context.Context, opt Options) error {
	if _, err := e.run(ctx, "pg_ctl", "status", "-D", e.Dir); err == nil {
		fmt.Fprintf(opt.Log, "reusing the private PostgreSQL already running in %s\n", e.Dir)
		return nil
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -p %d -c max_connections=200", e.Socket, e.Port)
	if opt.Throwaway {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	for _, set := range opt.Settings {
		opts += " -c " + set
	}
	out, err := e.run(ctx, "pg_ctl", "start", "-D", e.Dir, "-w", "-t", "120", "-s", "-l", filepath.Join(e.Dir, "server.log"), "-o", opts)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(e.Dir, "server.log"))
		return fmt.Errorf("start PostgreSQL: %v\n%s\n%s", err, out, lastLines(log, 15))
	}
	e.owned = true
	return nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
