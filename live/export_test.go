package live

// Queued is how many submissions wait for the batcher: the tests stop it with some queued.
func (b *Batcher) Queued() int { return len(b.in) }
