// Package pgembed runs the private PostgreSQL cluster of `make run`, the tests and the
// fault drills, from the machine's own binaries.
package pgembed

import (
	"context"
	"fmt"
	"io"
	"syscall"
	"time"
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
	// Settings are further server settings, name=value, given as it starts (tests that
	// measure the cluster load pg_stat_statements this way).
	Settings []string
}

// embeddedPort names the socket file; the socket lives in the cluster's own directory.
const embeddedPort = 15432

// URL is the connection string for a database of the cluster.
func (e *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://minyi@/%s?host=%s&port=%d&sslmode=disable", database, e.Socket, e.Port)
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
