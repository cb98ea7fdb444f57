package server

// The tests make an account and log it in for nearly every server they start: at the real
// cost (19 MiB, two passes) the hashing and the collection of its memory were a large part
// of the package's CPU. The tests hash at a test-sized cost; the parameters are read back
// from each hash, so checking works the same way.
func init() {
	argonTime, argonMemory = 1, 64
	dummyHash, _ = HashPassword("not a password")
}
