//go:build race

package server_test

// raceDetector says whether the test binary is built with -race.
const raceDetector = true
