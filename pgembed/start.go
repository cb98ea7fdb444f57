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
		for _, set := range opt.Settings {
			opts += " -c " + set
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

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
