package live

import (
	"context"

	"minyi/store"
)

// Listen feeds the hub from the notifications of every instance until ctx ends; also, when
// given, hears of each change before the hub does (a cache to drop the poll from).
func (h *Hub[V]) Listen(ctx context.Context, st *store.Store, also func(pollID string)) error {
	return st.Listen(ctx, func(pollID string) {
		if also != nil {
			also(pollID)
		}
		h.Publish(pollID)
	})
}
