package elgamal

import "testing"

// withoutRace skips a test in a binary built with -race: the detector makes the group's
// arithmetic about twelve times slower, and a test of arithmetic alone (decrypting large
// counts, a tampered sum) starts no goroutine. `make test` runs the package once without
// -race too; the multi-scalar multiplication's workers stay under the detector through
// TestMSMMatchesPlainSum and the batch tests.
func withoutRace(t testing.TB) {
	t.Helper()
	if raceDetector {
		t.Skip("arithmetic alone, no concurrency: runs in the pass without -race")
	}
}
