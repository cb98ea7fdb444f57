package store

// SetFoldLocked sets what FoldOpenSums calls once it holds its locks, until the test ends.
func SetFoldLocked(f func()) func() {
	foldLocked = f
	return func() { foldLocked = nil }
}
