package live

import (
	"crypto/rand"
	"time"

	"minyi/ballot"
	"minyi/store"
)

// prepared takes a prepared ballot for the group, or prepares one now.
func (k *Key) prepared(groupID string) *ballot.Prepared {
	if gp, ok := k.groups[groupID]; ok {
		gp.lastTake.Store(time.Now().UnixNano())
		select {
		case pb := <-gp.ch:
			return pb
		default:
		}
	}
	return k.Prepare(groupID, rand.Reader)
}

// Judgement is a submitted ballot as the door read it: its spoilt lines and, for a box-3
// poll, its cells and texts in the key's layout, read once.
type Judgement struct {
	Spoilt []ballot.Spoilt
	key    *Key
	cells  []uint8
	texts  []ballot.Text
}

// Keyed says the ballot was read in a box key's layout, so Seal seals it.
func (j Judgement) Keyed() bool { return j.key != nil }

// Seal fills a prepared ballot of the group with the cells and texts read at the door;
// see Keyed.
func (j Judgement) Seal(groupID string) ([]byte, []byte, *ballot.Opening, error) {
	return j.key.seal(groupID, j.cells, j.texts)
}

// Judge checks a ballot a voter of the group submits with the rule that will count it.
func (ps *Pools) Judge(p *store.PollInfo, groupID string, b *ballot.Ballot) (Judgement, error) {
	if p.Box != store.BoxHomomorphic {
		spoilt, err := p.CheckGroup(groupID, b)
		return Judgement{Spoilt: spoilt}, err
	}
	k, err := ps.openBoxKey(p)
	if err != nil {
		return Judgement{}, err
	}
	j := Judgement{key: k}
	j.Spoilt, j.cells, j.texts, err = k.Judge(groupID, b)
	return j, err
}

// openBoxKey is the poll's box key, its pools filling while the poll is open.
func (ps *Pools) openBoxKey(p *store.PollInfo) (*Key, error) {
	k, err := ps.Key(p)
	if err != nil {
		return nil, err
	}
	if p.State == ballot.Open {
		ps.startFilling(k, p)
	}
	return k, nil
}

// seal fills a prepared ballot of the group with the cells and texts read at the door,
// and gives the ballot's bytes, its receipt, and its opening for the batch's kept sums.
func (k *Key) seal(groupID string, cells []uint8, texts []ballot.Text) ([]byte, []byte, *ballot.Opening, error) {
	sealed, o, err := k.EncryptOpening(k.prepared(groupID), cells, texts)
	if err != nil {
		return nil, nil, nil, err
	}
	return sealed, o.Receipt(), o, nil
}

// Encrypt turns a checked ballot of a box-3 poll into its ciphertexts and receipt.
func (ps *Pools) Encrypt(p *store.PollInfo, groupID string, b *ballot.Ballot) ([]byte, []byte, *ballot.Opening, error) {
	k, err := ps.openBoxKey(p)
	if err != nil {
		return nil, nil, nil, err
	}
	cells, texts, err := p.Marks(groupID, b)
	if err != nil {
		return nil, nil, nil, err
	}
	return k.seal(groupID, cells, texts)
}
