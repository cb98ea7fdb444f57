package ballot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	mrand "math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
)

// planRow is what the database's first pass gives of a ballot (store.CountBox).
func planRow(k *BoxKey, id uuid.UUID, b SealedBallot) BoxRow {
	padded := make([]byte, k.marks)
	copy(padded, b.Sealed)
	return BoxRow{ID: id, Group: b.Group, Receipt: sha256.Sum256(padded), Whole: sha256.Sum256(b.Sealed), Size: len(b.Sealed), Format: formatOf(b.Sealed)}
}

// streamedBox is a box as the store holds it: ballots by row id, added to the plan in
// the rows' order (not the bundle's), and read back in the plan's order.
type streamedBox struct {
	byID map[uuid.UUID]SealedBallot
	plan *BoxPlan
}

func newStreamedBox(t *testing.T, k *BoxKey, box []SealedBallot, rng *mrand.Rand) *streamedBox {
	t.Helper()
	sb := &streamedBox{byID: map[uuid.UUID]SealedBallot{}, plan: k.NewBoxPlan(len(box)).WithDigest()}
	ids := make([]uuid.UUID, len(box))
	for i, b := range box {
		ids[i] = uuid.New()
		sb.byID[ids[i]] = b
	}
	for _, i := range rng.Perm(len(box)) {
		if err := sb.plan.Add(planRow(k, ids[i], box[i])); err != nil {
			t.Fatal(err)
		}
	}
	sb.plan.Sort()
	return sb
}

// read yields the plan's ballots in its order, chunk ids at a time; skip leaves out the
// ballots at those places, as a box read wrong would.
func (sb *streamedBox) read(chunk int, skip ...int) iter.Seq2[SealedBallot, error] {
	return func(yield func(SealedBallot, error) bool) {
		for from := 0; from < sb.plan.Len(); from += chunk {
			for j, id := range sb.plan.IDs(from, min(from+chunk, sb.plan.Len())) {
				if slices.Contains(skip, from+j) {
					continue
				}
				if !yield(sb.byID[uuid.UUID(id)], nil) {
					return
				}
			}
		}
	}
}

func sumsBytes(t *testing.T, s *BoxSums) []byte {
	t.Helper()
	var out []byte
	for _, row := range s.Sums {
		for _, c := range row {
			b, err := c.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
	}
	return out
}

// The count streamed in chunks counts what the count of the box held whole counts, and
// writes the same bundle record: the same places rejected (a copy of a ballot, the same
// ballot moved to another group, a ballot cut short, a ballot of a group the poll does not
// have), the same groups taken from their kept sums, the same sums, receipts, records'
// hash, Merkle root and digest; with the kept sums and without.
func TestBoxPlanCountsWhatTheWholeBoxCounts(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, _, k, box, kept, rows := keptPoll(t, true)
	turnout := turnoutOf(kept)
	rng := mrand.New(mrand.NewPCG(31, 7))
	other := p.Groups[0].ID
	if box[1].Group == other {
		other = p.Groups[1].ID
	}
	box = append(box,
		box[0], // a copy
		SealedBallot{Group: other, Sealed: box[1].Sealed},                    // moved to another group
		SealedBallot{Group: box[2].Group, Sealed: box[2].Sealed[:k.marks-5]}, // cut short
		SealedBallot{Group: uuid.NewString(), Sealed: box[3].Sealed},         // a group the poll does not have
	)
	for _, key := range []SumsKey{testSumsKey, nil} {
		t.Run(fmt.Sprint("kept sums ", key != nil), func(t *testing.T) {
			whole := slices.Clone(box)
			k.SortBox(whole)
			var want *BoxSums
			if key != nil {
				want = k.SumKept(whole, turnout, key, rows, 1)
			} else {
				want = k.Sum(whole, turnout)
			}
			sb := newStreamedBox(t, k, box, rng)
			got, file, err := sb.plan.Sum(sb.read(3), turnout, key, rows, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Rejected) < 4 || !reflect.DeepEqual(got.Rejected, want.Rejected) || got.Checked != want.Checked ||
				!reflect.DeepEqual(got.Notes, want.Notes) || got.Ballots != want.Ballots ||
				!reflect.DeepEqual(got.Sizes, want.Sizes) || !reflect.DeepEqual(got.Pool, want.Pool) || len(got.Texts) != len(want.Texts) {
				t.Fatalf("streamed: rejected %v, %d checked, notes %q, %d ballots, %d texts\nwhole: rejected %v, %d checked, notes %q, %d ballots, %d texts",
					got.Rejected, got.Checked, got.Notes, got.Ballots, len(got.Texts), want.Rejected, want.Checked, want.Notes, want.Ballots, len(want.Texts))
			}
			if key != nil && want.Checked == len(whole) {
				t.Fatalf("every ballot was checked: the kept sums were not taken, so they were not compared")
			}
			if !bytes.Equal(sumsBytes(t, got), sumsBytes(t, want)) {
				t.Fatal("the streamed count's sums differ from the whole box's")
			}
			b, err := k.NewBundle5(turnout, whole, want, nil, make([]string, len(want.Texts)), nil, 1, nil, "minyi test", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if file.File != *b.Box.File || hex.EncodeToString(file.MerkleRoot) != b.MerkleRoot || !bytes.Equal(file.Digest, BoxDigest(whole)) {
				t.Fatalf("the streamed record of the box %+v, root %x differs from the whole box's %+v, root %s", file.File, file.MerkleRoot, *b.Box.File, b.MerkleRoot)
			}
			var receipts []string
			for _, b := range whole {
				receipts = append(receipts, ReceiptCode(k.Receipt(b.Sealed)))
			}
			if got := slices.Collect(sb.plan.Receipts()); !reflect.DeepEqual(got, receipts) {
				t.Fatalf("the plan's receipts differ from the sorted box's")
			}
			rec, err := sb.plan.Record(sb.read(5))
			if err != nil || !reflect.DeepEqual(rec, file) {
				t.Fatalf("the record of the box alone differs from the count's (%v)", err)
			}
		})
	}
}

// A second pass that is not the box the first pass read fails the count: a ballot left
// out at a chunk's end or in the last partial chunk, or one read in another's place.
func TestBoxPlanRefusesABoxReadWrong(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	_, _, k, box, kept, rows := keptPoll(t, true)
	turnout := turnoutOf(kept)
	sb := newStreamedBox(t, k, box, mrand.New(mrand.NewPCG(32, 1)))
	n := sb.plan.Len()
	if n < 10 {
		t.Fatalf("a box of %d ballots is too small to test", n)
	}
	for _, skip := range []int{0, 3, n - 1} {
		if _, _, err := sb.plan.Sum(sb.read(4, skip), turnout, testSumsKey, rows, 1); err == nil {
			t.Fatalf("a box of %d ballots read without the one at %d was counted", n, skip)
		}
		if _, err := sb.plan.Record(sb.read(4, skip)); err == nil {
			t.Fatalf("a box of %d ballots read without the one at %d was recorded", n, skip)
		}
	}
	swapped := func(yield func(SealedBallot, error) bool) {
		for i, id := range sb.plan.IDs(0, n) {
			if i == 2 {
				id = sb.plan.IDs(3, 4)[0]
			}
			if !yield(sb.byID[uuid.UUID(id)], nil) {
				return
			}
		}
	}
	if _, _, err := sb.plan.Sum(swapped, turnout, testSumsKey, rows, 1); err == nil {
		t.Fatal("a box read with one ballot in another's place was counted")
	}
}

// The Merkle root worked out a receipt at a time is MerkleRoot's, for every size.
func TestMerkleStreamIsMerkleRoot(t *testing.T) {
	t.Parallel()
	for n := range 70 {
		var receipts [][]byte
		var m merkleStream
		for i := range n {
			r := sha256.Sum256([]byte{byte(i)})
			receipts = append(receipts, r[:])
		}
		slices.SortFunc(receipts, bytes.Compare)
		for _, r := range receipts {
			m.add(r)
		}
		if got, want := m.root(), MerkleRoot(receipts); !bytes.Equal(got, want) {
			t.Fatalf("%d receipts: root %x, MerkleRoot %x", n, got, want)
		}
	}
}
