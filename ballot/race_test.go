package ballot

import "testing"

// withoutRace skips a test in a binary built with -race. The race detector makes this
// package's cryptography about twelve times slower, and a test that casts and counts a
// whole box to check what the count finds tests no goroutine of its own: `make test`
// runs it in the package's pass without -race. The counting code's workers stay under
// the race detector through the lighter tests of the same code that do not call this
// (TestBundleOfTheBoxVerifies, TestSumsRowHoldsOnlyForItsPoll and the TestSumsCount
// family).
func withoutRace(t testing.TB) {
	t.Helper()
	if raceDetector {
		t.Skip("a whole box's cryptography, no concurrency of its own: runs in the pass without -race")
	}
}

// underRace is n in the pass without -race and small in the pass with it: the tests that
// keep the counting code's workers under the race detector need only enough ballots for
// every worker to take some, while the pass without -race checks the whole size.
func underRace(n, small int) int {
	if raceDetector {
		return small
	}
	return n
}
