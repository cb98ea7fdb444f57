package ballot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"testing"
)

// The streamed root is MerkleRoot's for every count of receipts, including the odd ones
// whose last nodes are carried up a level, and a receipt changed or left out changes it.
func TestMerkleStreamIsMerkleRoot(t *testing.T) {
	t.Parallel()
	var receipts [][]byte
	for i := range 300 {
		h := sha256.Sum256(binary.BigEndian.AppendUint32(nil, uint32(i)))
		receipts = append(receipts, h[:])
	}
	slices.SortFunc(receipts, bytes.Compare)
	for n := 0; n <= len(receipts); n++ {
		var m merkleStream
		for _, r := range receipts[:n] {
			m.add(r)
		}
		if got, want := m.root(), MerkleRoot(receipts[:n]); !bytes.Equal(got, want) {
			t.Fatalf("%d receipts: streamed root %x, MerkleRoot %x", n, got, want)
		}
	}
	for _, n := range []int{1, 2, 7, 64, 255} {
		var m merkleStream
		for i, r := range receipts[:n] {
			if i == n/2 {
				r = slices.Clone(r)
				r[0] ^= 1
			}
			m.add(r)
		}
		if bytes.Equal(m.root(), MerkleRoot(receipts[:n])) {
			t.Fatalf("%d receipts, one changed: the same root", n)
		}
	}
}
