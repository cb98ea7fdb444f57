package pgembed

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

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
