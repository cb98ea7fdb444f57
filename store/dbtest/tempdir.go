package dbtest

import (
	"os"
	"sync"
)

// minFree is the room a memory file system must have left for the tests' clusters to go
// there: a package's clusters hold a few hundred megabytes at most (the template, the
// databases of the tests running, the WAL kept between checkpoints).
const minFree = 2 << 30

var tempDir = sync.OnceValue(func() string {
	if d := os.Getenv("MINYI_TEST_TMPDIR"); d != "" {
		return d
	}
	if d := memoryDir(); d != "" {
		return d
	}
	return os.TempDir()
})

// TempDir is where the tests put their PostgreSQL clusters and what else they write and
// throw away: /dev/shm when it is a memory file system with room to spare, the system's
// temporary directory otherwise, or MINYI_TEST_TMPDIR when set. A test database is
// hundreds of small files, created with it and deleted when its test ends: a disk file
// system spends several times the CPU of the copy itself finding and freeing their
// inodes, and more the more files the machine has just deleted.
func TempDir() string { return tempDir() }
