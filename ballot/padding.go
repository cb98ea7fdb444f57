package ballot

// PlainSize is a placeholder bound until the per-kind bound lands.
func (p *Poll) PlainSize() int { return 4096 }
