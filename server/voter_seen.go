package server

import (
	"sync"
	"time"

	"minyi/store"
)

// seenTokens are the tokens whose ballot page this instance has just shown, by their
// keyed hash: their poll, group and run, so that the submit that follows does not look
// the token up in PostgreSQL a second time. It decides nothing about the token's use:
// whether it has voted or was voided stays the batch's read's decision, in the
// transaction that writes the ballot. A token the page did not go through here (another
// instance, a restart, an entry gone) is looked up as before.
type seenTokens struct {
	mu sync.Mutex
	m  map[string]seenToken
}

type seenToken struct {
	info store.TokenInfo
	at   time.Time
}

const (
	// seenTokenTTL is how long a shown page's token is remembered: a voter who takes
	// longer is looked up again, which costs only what it did before.
	seenTokenTTL = 15 * time.Minute
	// seenTokenMax bounds the memory: a hall larger than this at once starts over.
	seenTokenMax = 50000
)

// put remembers a token the ballot page was shown for.
func (s *seenTokens) put(hash []byte, info store.TokenInfo) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]seenToken{}
	}
	if len(s.m) >= seenTokenMax {
		for k, e := range s.m {
			if now.Sub(e.at) >= seenTokenTTL {
				delete(s.m, k)
			}
		}
		if len(s.m) >= seenTokenMax {
			clear(s.m)
		}
	}
	s.m[string(hash)] = seenToken{info: store.TokenInfo{PollID: info.PollID, GroupID: info.GroupID, Rehearsal: info.Rehearsal, State: store.TokenIssued}, at: now}
}

// take is the token's poll, group and run as its page found them, and forgets them: a
// second submit of the token looks it up and finds it used.
func (s *seenTokens) take(hash []byte) (store.TokenInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[string(hash)]
	if !ok {
		return store.TokenInfo{}, false
	}
	delete(s.m, string(hash))
	if time.Since(e.at) >= seenTokenTTL {
		return store.TokenInfo{}, false
	}
	return e.info, true
}
