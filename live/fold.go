package live

import "context"

// The rows of kept sums of an open poll are folded as it goes (store.FoldOpenSums): a
// group with more than foldKeep rows has up to foldMost of them folded into one at each
// poolCheck. In a quiet hall a batch holds one ballot, and a close that decoded a row per
// voter would take longer than its budget; in a burst a batch holds many, so the rows
// grow slowly and the bounded fold takes little of a core.
const (
	foldKeep = 32
	foldMost = 512
)

// foldOpenSums folds an open poll's rows, on one of the cores the pools may use, and not
// while the instance drains. Every instance with the poll open does so; they never wait
// on each other nor fold one row twice.
func (ps *Pools) foldOpenSums(ctx context.Context, pollID string) {
	if ps.draining() {
		return
	}
	select {
	case <-ctx.Done():
		return
	case ps.sem <- struct{}{}:
	}
	defer func() { <-ps.sem }()
	if _, err := ps.st.FoldOpenSums(ctx, pollID, foldKeep, foldMost); err != nil && ctx.Err() == nil {
		ps.log.Error("fold kept sums", "poll", pollID, "err", err)
	}
}
