package server

import (
	"sync"
	"time"

	xrate "golang.org/x/time/rate"
)

// Rate limits by client address, for failures only: a hall of phones behind one Wi-Fi
// shares an address, so voting and logging in succeed however many do it at once, while
// guessing tokens or passwords from one address is slowed to a crawl. A blocked address
// is refused unknown tokens only, never a valid one (one guesser must not stop the hall
// behind the same NAT); that a refusal then tells unknown from valid gives a guesser
// nothing against 80-bit tokens. Each instance keeps
// its own counts (behind a balancer of N instances a guesser gets N times the budget,
// which at 80 bits per token changes nothing); accounts are locked in the database.

// failureLimiter allows a burst of failures per client, refilled at a steady rate.
type failureLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*clientBucket
	swept   time.Time
}

type clientBucket struct {
	lim  *xrate.Limiter
	seen time.Time
}

func newFailureLimiter(burst int, every time.Duration) *failureLimiter {
	return &failureLimiter{every: every, burst: burst, clients: map[string]*clientBucket{}, swept: time.Now()}
}

// blocked reports whether the client has used up its failures; it costs nothing.
func (l *failureLimiter) blocked(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[client]
	return b != nil && b.lim.Tokens() < 1
}

// fail records a failure.
func (l *failureLimiter) fail(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	b := l.clients[client]
	if b == nil {
		b = &clientBucket{lim: xrate.NewLimiter(xrate.Every(l.every), l.burst)}
		l.clients[client] = b
	}
	b.lim.AllowN(now, 1)
	b.seen = now
	// Forget clients whose bucket has long been full again.
	if full := l.every * time.Duration(l.burst); now.Sub(l.swept) > full {
		for k, c := range l.clients {
			if now.Sub(c.seen) > full {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
}

// retryAfter is how long until the client may fail once more.
func (l *failureLimiter) retryAfter() time.Duration { return l.every }

// The budgets. Tokens: 100 unknown codes at once, then one every 2 s (a hall's typos stay
// far below; a guesser gets 43,000 a day against 2^80). Logins: 10 failures at once, then
// one a minute, from one address; and 5 in a row lock an account for 15 minutes.
const (
	tokenGuessBurst = 100
	tokenGuessEvery = 2 * time.Second
	loginFailBurst  = 10
	loginFailEvery  = time.Minute
	accountLockFail = 5
	accountLockFor  = 15 * time.Minute
)
