//go:build race

package ballot

const raceDetector = true
