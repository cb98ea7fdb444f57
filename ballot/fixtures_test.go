package ballot

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
)

// The tests of a counted box would each seal their own ballots, and sealing is most of what
// the package's tests cost. A box is sealed once a test process instead, and every test
// that asks for it gets its own copy of what it may change: the ballots (their bytes and
// groups), the plain ballots (checking one writes into it) and the kept rows. The poll, its
// box key and the tellers' shares are only read, so they are handed out as they are.

// fixtureTB stands in for a test while a shared fixture is built: no one test owns that
// work, so a failure in it panics, and shared hands it to every test that asks.
type fixtureTB struct{ testing.TB }

func (fixtureTB) Helper()                        {}
func (fixtureTB) Fatal(args ...any)              { panic(fmt.Sprint(args...)) }
func (fixtureTB) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
func (fixtureTB) Error(args ...any)              { panic(fmt.Sprint(args...)) }
func (fixtureTB) Errorf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// shared builds a fixture at most once a process, on the first test that asks for it;
// a build that failed fails each test that asks.
func shared[T any](build func(t testing.TB) T) func(t testing.TB) T {
	once := sync.OnceValues(func() (v T, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("building a shared fixture: %v", r)
			}
		}()
		return build(fixtureTB{}), nil
	})
	return func(t testing.TB) T {
		t.Helper()
		v, err := once()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// cloneBox copies a box down to each ballot's bytes.
func cloneBox(box []SealedBallot) []SealedBallot {
	out := make([]SealedBallot, len(box))
	for i, b := range box {
		out[i] = SealedBallot{Group: b.Group, Sealed: slices.Clone(b.Sealed)}
	}
	return out
}

// clonePlain copies plain ballots down to their lines: checking a ballot (Marks, Count)
// writes the voter's unit into its forms and cleans its write-ins.
func clonePlain(plain []PlainBallot) []PlainBallot {
	out := make([]PlainBallot, len(plain))
	for i, pb := range plain {
		out[i] = pb
		out[i].Ballot.Forms = make([]FilledForm, len(pb.Ballot.Forms))
		for j, ff := range pb.Ballot.Forms {
			ff.Lines = maps.Clone(ff.Lines)
			for l, v := range ff.Lines {
				ff.Lines[l] = slices.Clone(v)
			}
			out[i].Ballot.Forms[j] = ff
		}
	}
	return out
}

// cloneRows copies kept rows down to their bytes.
func cloneRows(rows []SumsRow) []SumsRow {
	out := make([]SumsRow, len(rows))
	for i, r := range rows {
		out[i] = r
		out[i].Tags, out[i].Sums, out[i].MAC = slices.Clone(r.Tags), slices.Clone(r.Sums), slices.Clone(r.MAC)
	}
	return out
}
