//go:build !race

package ballot

const raceDetector = false
