//go:build unix

package ballot

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used, all threads. On a shared machine the
// wall time of a benchmark says how busy the machine is; this says what the code costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
