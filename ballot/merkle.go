package ballot

import "crypto/sha256"

// merkleStream is MerkleRoot of receipts given one at a time, already in sorted order, as
// a version 5 bundle's ballots member lists them: it keeps one hash per level (about 20 for
// a million ballots), where MerkleRoot holds every receipt and every level of the tree.
//
// MerkleRoot pairs each level's nodes from the left and carries an odd last node up as it
// is; the root that gives is the perfect subtrees of n's binary digits, largest first, each
// hashed with all the smaller ones to its right: what a binary counter of subtrees leaves.
type merkleStream struct {
	level []merkleNode // level[k]: a subtree of 2^k leaves waiting for its right sibling
}

type merkleNode struct {
	hash [sha256.Size]byte
	full bool
}

// add puts the next receipt at the right end of the tree.
func (m *merkleStream) add(receipt []byte) {
	var buf [1 + 2*sha256.Size]byte
	buf[0] = 0
	h := sha256.Sum256(append(buf[:1], receipt...))
	for k := 0; ; k++ {
		if k == len(m.level) {
			m.level = append(m.level, merkleNode{})
		}
		if !m.level[k].full {
			m.level[k] = merkleNode{h, true}
			return
		}
		h = m.pair(&buf, m.level[k].hash, h)
		m.level[k].full = false
	}
}

func (m *merkleStream) pair(buf *[1 + 2*sha256.Size]byte, left, right [sha256.Size]byte) [sha256.Size]byte {
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[1+sha256.Size:], right[:])
	return sha256.Sum256(buf[:])
}

// root is the root of the receipts added, as MerkleRoot gives it for them.
func (m *merkleStream) root() []byte {
	var buf [1 + 2*sha256.Size]byte
	var acc [sha256.Size]byte
	started := false
	for k := range m.level {
		if !m.level[k].full {
			continue
		}
		if started {
			acc = m.pair(&buf, m.level[k].hash, acc)
		} else {
			acc, started = m.level[k].hash, true
		}
	}
	if !started {
		h := sha256.Sum256(nil)
		return h[:]
	}
	return acc[:]
}
