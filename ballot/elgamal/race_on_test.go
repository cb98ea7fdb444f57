//go:build race

package elgamal

const raceDetector = true
