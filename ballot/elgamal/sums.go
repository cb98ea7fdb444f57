package elgamal

import (
	"errors"
	"math/bits"
	"sync"

	r255 "github.com/bwesterb/go-ristretto"
)

// The kept sums of a batch (ballot.SumsKey.BatchRow) encrypt, for every cell of the
// poll's layout, the batch's count of marks under the sum of its randomness: two
// multiplications by secret scalars a cell, and the encoding of both points, on the
// vote path for every batch. They are done here with go-ristretto, the implementation
// under circl's Ristretto255, directly: its constant-time table for K (signed digits,
// eight precomputed points a row) does in a fraction of the time what fixedBase does
// through circl's interface, and nothing of the sums needs a circl element, only bytes.
// The result is the same encoding Encrypt(pk, m, r).AppendBinary writes.

// SumScalar is the sum of some cells' randomness, kept as go-ristretto's scalar.
type SumScalar struct{ s r255.Scalar }

// Add adds the canonical 32-byte scalar enc into the sum; a non-canonical one is refused.
func (x *SumScalar) Add(enc []byte) error {
	if len(enc) != ScalarSize {
		return ErrEncoding
	}
	var b [ScalarSize]byte
	copy(b[:], enc)
	var r r255.Scalar
	if !r.SetBytesStrict(&b) {
		return ErrEncoding
	}
	x.s.Add(&x.s, &r)
	clear(b[:])
	r.SetZero()
	return nil
}

// Wipe clears the sum: it opens the marks of the cells it adds.
func (x *SumScalar) Wipe() { x.s.SetZero() }

// sumsTable is the constant-time go-ristretto table of K, made on first use.
type sumsTable struct {
	once  sync.Once
	table *r255.ScalarMultTable
	err   error
}

func (pk *PublicKey) r255Table() (*r255.ScalarMultTable, error) {
	pk.sums.once.Do(func() {
		var enc [PointSize]byte
		copy(enc[:], pk.Bytes())
		var k r255.Point
		if !k.SetBytes(&enc) {
			pk.sums.err = errors.New("elgamal: the key does not decode")
			return
		}
		pk.sums.table = new(r255.ScalarMultTable)
		pk.sums.table.Compute(&k)
	})
	return pk.sums.table, pk.sums.err
}

// AppendSumEncryption appends the encoding of Encrypt(pk, m, r) for r the sum x:
// A = r·G ‖ B = r·K + m·G. The count m is secret but its bound is not (a row's count of
// ballots bounds each of its cells' marks): m·G is worked out in time that depends on
// the bound only, by doubling and adding over the bound's bits, a few additions where
// a multiplication by a full scalar would take a hundred.
func (pk *PublicKey) AppendSumEncryption(out []byte, m, bound uint64, x *SumScalar) ([]byte, error) {
	if m > bound {
		return out, errors.New("elgamal: a count above its bound")
	}
	t, err := pk.r255Table()
	if err != nil {
		return out, err
	}
	var a, b, mg, plus, g r255.Point
	a.ScalarMultBase(&x.s)
	b.ScalarMultTable(t, &x.s)
	g.SetBase()
	mg.SetZero()
	for i := bits.Len64(bound) - 1; i >= 0; i-- {
		mg.Double(&mg)
		plus.Add(&mg, &g)
		mg.ConditionalSet(&plus, int32(m>>i&1))
	}
	b.Add(&b, &mg)
	var enc [PointSize]byte
	a.BytesInto(&enc)
	out = append(out, enc[:]...)
	b.BytesInto(&enc)
	return append(out, enc[:]...), nil
}
