package live

import (
	"context"
	"sync"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// Run writes batches until ctx ends, then writes what is queued and refuses the rest.
func (b *Batcher) Run(ctx context.Context) {
	writers := make(chan struct{}, batchWriters)
	var wg sync.WaitGroup
	for {
		select {
		case <-ctx.Done():
			b.Stop()
			wg.Wait()
			for {
				select {
				case r := <-b.in:
					b.flush([]castRequest{r})
				default:
					return
				}
			}
		case r := <-b.in:
			batch := []castRequest{r}
			timer := time.NewTimer(batchWait)
		collect:
			for len(batch) < batchMax {
				select {
				case r := <-b.in:
					batch = append(batch, r)
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
			writers <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				b.flush(batch)
				<-writers
			}()
		}
	}
}

func (b *Batcher) flush(batch []castRequest) {
	items := make([]store.CastItem, len(batch))
	for i, r := range batch {
		items[i] = r.item
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	errs, err := b.st.CastBatch(ctx, items)
	b.written(len(items), time.Since(start))
	for _, it := range items {
		it.Opening.Wipe()
	}
	for i, r := range batch {
		if err != nil {
			r.done <- ballot.Errorf(ballot.ERETRY, "网络或服务器繁忙，选票没有提交成功，请再次提交")
			continue
		}
		r.done <- errs[i]
	}
}
