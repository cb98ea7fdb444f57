package main

import (
	"os"
	"runtime/pprof"
)

// profileCPU writes a CPU profile to path until stop is called; an empty path profiles
// nothing. The bench and verify both offer one, to find where a slow run spends its time.
func profileCPU(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
