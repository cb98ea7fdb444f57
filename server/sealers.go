package server

import (
	"context"
	"sync"

	"minyi/ballot"
	"minyi/store"
)

// sealers keeps this instance's one sealer per poll key (DESIGN: one ephemeral X25519 key
// per server instance and poll). The ephemeral private key never leaves memory. The key
// of the cache is the poll's public key too: a wiped rehearsal opens again with a new one.
type sealers struct {
	store *store.Store
	mu    sync.Mutex
	m     map[string]*sealer
}

type sealer struct {
	*ballot.Sealer
	keyID string
}

func newSealers(st *store.Store) *sealers {
	return &sealers{store: st, m: map[string]*sealer{}}
}

func (s *sealers) get(ctx context.Context, pollID string, public []byte) (*sealer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := pollID + "\x00" + string(public)
	if x, ok := s.m[key]; ok {
		return x, nil
	}
	bs, err := ballot.NewSealer(pollID, public)
	if err != nil {
		return nil, err
	}
	id, err := s.store.InsertSealKey(ctx, pollID, bs.Ephemeral)
	if err != nil {
		return nil, err
	}
	x := &sealer{Sealer: bs, keyID: id}
	s.m[key] = x
	return x, nil
}
