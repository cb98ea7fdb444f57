//go:build race

package server_test

// raceDetector: the binary is built with -race.
const raceDetector = true
