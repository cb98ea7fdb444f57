package store

// SetFoldLocked sets what FoldOpenSums calls once it holds its locks, until the test ends.
func SetFoldLocked(f func()) func() {
	foldLocked = f
	return func() { foldLocked = nil }
}

// BatchFill is the statement that fills a batch's empty slots of a poll from a point of
// their id order on.
var BatchFill = qBatchFillFrom
