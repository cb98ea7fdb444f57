package dbtest

import (
	"fmt"
	"os"
)

// Chromium is the browser the tests drive: MINYI_CHROMIUM when set, else Debian's
// chromium as its headless shell (chromium-headless-shell, the same engine without the
// desktop browser around it: half the CPU a test's pages cost), else Debian's chromium.
func Chromium() (string, error) {
	paths := []string{"/usr/bin/chromium-headless-shell", "/usr/bin/chromium"}
	if p := os.Getenv("MINYI_CHROMIUM"); p != "" {
		paths = []string{p}
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not found at %v: run `make test`, which installs Debian's chromium-headless-shell", paths)
}
