package ballot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"minyi/ballot/elgamal"
)

// The box's sums kept as ballots are sealed. Checking every proof of a large box costs
// more than the count's budget (docs/PERFORMANCE.md, "The count's floor"); the instance
// that seals a ballot knows it is well formed, and knows each cell's randomness r and
// value m. So each batch of ballots of one (poll, voter group) leaves beside its ballots
// one row: how many, the sum of their tags (a keyed hash of each receipt), and the sum of
// their ciphertexts cell by cell, computed as ((Σr)·G, (Σr)·K + (Σm)·G) without decoding
// a point; a MAC under a key from the server secret covers the row. At close the rows of
// a group are folded into one. The count takes a group's sums from its rows, without
// checking the proofs of its ballots, only when the rows' MACs hold and their count and
// tags match the group's ballots in the box; otherwise it checks that group's ballots in
// full, as before, and says so.

// Opening is what the sealing of one ballot knows of its cells: per cell the randomness
// and the value. With it the ballot's marks can be read, so it lives in memory only, for
// as long as its batch is written, and is never stored or logged.
type Opening struct {
	key     *BoxKey
	group   string
	receipt []byte
	r       []byte // elgamal.ScalarSize bytes a cell, in layout order
	m       []uint8
}

// Receipt is the sealed ballot's receipt, worked out once when it was sealed.
func (o *Opening) Receipt() []byte { return o.receipt }

// Group is the voter group of the opened ballot.
func (o *Opening) Group() string { return o.group }

// Wipe clears the opening once its batch is written: what is left of it in memory then
// opens nothing.
func (o *Opening) Wipe() {
	if o != nil {
		clear(o.r)
		clear(o.m)
	}
}

// Poll is the poll of the opened ballot.
func (o *Opening) Poll() string { return o.key.poll.ID }

// Key is the poll key the ballot was sealed to: a row adds ballots of one key only.
func (o *Opening) Key() []byte { return o.key.public }

// EncryptOpening is Encrypt that also gives the ballot's Opening.
func (k *BoxKey) EncryptOpening(pb *Prepared, cells []uint8, texts []Text) ([]byte, *Opening, error) {
	o := &Opening{key: k, group: pb.group, r: make([]byte, len(cells)*elgamal.ScalarSize), m: append([]uint8(nil), cells...)}
	out, err := k.encrypt(pb, cells, texts, o)
	if err != nil {
		return nil, nil, err
	}
	o.receipt = k.Receipt(out)
	return out, o, nil
}

// SumsKey keys the rows of kept sums: the tags of the ballots and the rows' MACs. It is
// derived from the server secret, the same on every instance, so a row names no instance.
type SumsKey []byte

// SumsRow is the kept sums of some ballots of one voter group of a poll: a batch's while
// the poll is open, the whole group's once it is closed.
type SumsRow struct {
	ID    string `db:"id"`
	Group string `db:"group_id"`
	N     int    `db:"n"`
	Tags  []byte `db:"tags"` // Σ Tag mod 2^256 over the ballots, little-endian
	Sums  []byte `db:"sums"` // the summed ciphertexts in layout cell order
	MAC   []byte `db:"mac"`
}

// Tag is a ballot's tag: HMAC over the poll, its public key, the group and the ballot's
// receipt. The key is in it because a rehearsal reset keeps the poll's and groups' ids
// under a new key: a ballot sealed to the old key must not pass for one of the new. Tags
// are added mod 2^256, so a row holds the tags of any number of ballots in 32 bytes.
func (key SumsKey) Tag(pollID string, public []byte, groupID string, receipt []byte) [32]byte {
	m := hmac.New(sha256.New, key)
	writeFields(m, "minyi box tag v2", pollID, string(public), groupID, string(receipt))
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// MAC is the row's MAC: over the poll, its public key and every field of the row. A batch
// row (close 0) and a folded row have labels of their own, and a folded row names the
// close it was folded at (polls.closes): a folded row kept from an earlier close, put
// back after the poll was opened again and closed, then holds for no later close, nor
// as a batch row.
func (key SumsKey) MAC(pollID string, public []byte, close int, r *SumsRow) []byte {
	m := hmac.New(sha256.New, key)
	if close == 0 {
		writeFields(m, "minyi box batch row v2", pollID, string(public), r.Group, r.ID, strconv.Itoa(r.N), string(r.Tags), string(r.Sums))
	} else {
		writeFields(m, "minyi box folded row v2", pollID, string(public), strconv.Itoa(close), r.Group, r.ID, strconv.Itoa(r.N), string(r.Tags), string(r.Sums))
	}
	return m.Sum(nil)
}

// Holds says whether the row's MAC is the key's, for a batch row (close 0) or a row
// folded at the given close.
func (key SumsKey) Holds(pollID string, public []byte, close int, r *SumsRow) bool {
	return len(r.Tags) == 32 && hmac.Equal(r.MAC, key.MAC(pollID, public, close, r))
}

// writeFields writes each field with its length first, so no two lists of fields hash
// alike.
func writeFields(w interface{ Write([]byte) (int, error) }, fields ...string) {
	var n [8]byte
	for _, f := range fields {
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		w.Write(n[:])
		w.Write([]byte(f))
	}
}

// addTags adds b into a, mod 2^256.
func addTags(a *[32]byte, b []byte) {
	var carry uint64
	for i := 0; i < 32; i += 8 {
		x := binary.LittleEndian.Uint64(a[i:])
		y := binary.LittleEndian.Uint64(b[i:])
		var s uint64
		s, carry = bits.Add64(x, y, carry)
		binary.LittleEndian.PutUint64(a[i:], s)
	}
}

// BatchRow is the row of a batch's ballots of one voter group, from their openings (all
// of one poll key and group, at least one), under a new random id.
func (key SumsKey) BatchRow(ops []*Opening) (SumsRow, error) {
	if len(ops) == 0 {
		return SumsRow{}, errors.New("ballot: no ballots to sum")
	}
	k, g := ops[0].key, ops[0].group
	cells := k.layout.Cells
	rs := make([]elgamal.SumScalar, cells)
	ms := make([]uint64, cells)
	// What the sums open is the batch's marks: best effort in a collected runtime, but
	// no copy of them is left here once the row is made.
	defer func() {
		for c := range rs {
			rs[c].Wipe()
		}
		clear(ms)
	}()
	var tags [32]byte
	for _, o := range ops {
		if o.key.poll.ID != k.poll.ID || !bytes.Equal(o.key.public, k.public) || o.group != g ||
			len(o.m) != cells || len(o.r) != cells*elgamal.ScalarSize {
			return SumsRow{}, errors.New("ballot: openings of other keys or groups in one row")
		}
		for c := range cells {
			if err := rs[c].Add(o.r[c*elgamal.ScalarSize : (c+1)*elgamal.ScalarSize]); err != nil {
				return SumsRow{}, err
			}
			ms[c] += uint64(o.m[c])
		}
		t := key.Tag(k.poll.ID, k.public, g, o.receipt)
		addTags(&tags, t[:])
	}
	sums := make([]byte, 0, cells*elgamal.CiphertextSize)
	for c := range cells {
		var err error
		if sums, err = k.pk.AppendSumEncryption(sums, ms[c], uint64(len(ops)), &rs[c]); err != nil {
			return SumsRow{}, err
		}
	}
	row := SumsRow{ID: uuid.NewString(), Group: g, N: len(ops), Tags: tags[:], Sums: sums}
	row.MAC = key.MAC(k.poll.ID, k.public, 0, &row)
	return row, nil
}

// decodeSums reads a row's summed ciphertexts, on every core for many rows.
func decodeSums(rows []SumsRow) ([][]elgamal.Ciphertext, error) {
	out := make([][]elgamal.Ciphertext, len(rows))
	errs := make([]error, len(rows))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(rows))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(rows); i += workers {
				b := rows[i].Sums
				if len(b)%elgamal.CiphertextSize != 0 {
					errs[i] = fmt.Errorf("kept sums of %d bytes", len(b))
					continue
				}
				cs := make([]elgamal.Ciphertext, len(b)/elgamal.CiphertextSize)
				for c := range cs {
					if cs[c], errs[i] = elgamal.ParseCiphertext(b[c*elgamal.CiphertextSize : (c+1)*elgamal.CiphertextSize]); errs[i] != nil {
						break
					}
				}
				out[i] = cs
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// keptGroup is a voter group's rows added up: how many ballots, their tags, their sums.
type keptGroup struct {
	n    int
	tags [32]byte
	sums []elgamal.Ciphertext
}

// addRows adds rows (of one group, each already found to hold) into one.
func addRows(rows []SumsRow, cells int) (*keptGroup, error) {
	decoded, err := decodeSums(rows)
	if err != nil {
		return nil, err
	}
	kg := &keptGroup{sums: make([]elgamal.Ciphertext, cells)}
	for c := range kg.sums {
		kg.sums[c] = elgamal.Zero()
	}
	for i, r := range rows {
		if len(decoded[i]) != cells {
			return nil, fmt.Errorf("kept sums of %d cells, the poll %d", len(decoded[i]), cells)
		}
		kg.n += r.N
		addTags(&kg.tags, r.Tags)
		for c := range kg.sums {
			kg.sums[c].Add(kg.sums[c], decoded[i][c])
		}
	}
	return kg, nil
}

// Fold adds the rows of one voter group that hold into one row under a new id, so that no
// row says which batch a ballot came in or when, and binds it to the close `to`. The rows
// it takes are batch rows and the row folded at the close `from` (at a close, the one
// before it, if the poll was opened again; for a paper ballot entered after close, the
// same close). It returns the folded row and the ids of the rows it replaces; other rows
// are left as they are (the count then finds them and checks the group in full). ok is
// false when no row holds.
func (key SumsKey) Fold(pollID string, public []byte, groupID string, rows []SumsRow, from, to int) (folded SumsRow, replaced []string, ok bool, err error) {
	var good []SumsRow
	for i := range rows {
		r := &rows[i]
		if r.Group == groupID && (key.Holds(pollID, public, 0, r) || from > 0 && key.Holds(pollID, public, from, r)) {
			good = append(good, *r)
			replaced = append(replaced, r.ID)
		}
	}
	if len(good) == 0 {
		return SumsRow{}, nil, false, nil
	}
	cells := len(good[0].Sums) / elgamal.CiphertextSize
	kg, err := addRows(good, cells)
	if err != nil {
		return SumsRow{}, nil, false, err
	}
	folded = SumsRow{ID: uuid.NewString(), Group: groupID, N: kg.n, Tags: kg.tags[:]}
	for _, c := range kg.sums {
		if folded.Sums, err = c.AppendBinary(folded.Sums); err != nil {
			return SumsRow{}, nil, false, err
		}
	}
	folded.MAC = key.MAC(pollID, public, to, &folded)
	return folded, replaced, true, nil
}

// kept reads the rows of a closed poll per voter group. A group is kept when its rows
// are one row folded at the poll's current close; stale names the groups whose rows are
// a batch row or a row folded at an earlier close (which a close would have replaced, so
// it was put back), or more than one row, and altered those with a row that holds for
// nothing (altered in the database).
func (k *BoxKey) kept(key SumsKey, rows []SumsRow, close int) (kept map[string]*keptGroup, stale, altered map[string]bool) {
	byGroup := map[string][]SumsRow{}
	stale, altered = map[string]bool{}, map[string]bool{}
	for i := range rows {
		r := &rows[i]
		switch {
		case len(r.Sums) != k.layout.Cells*elgamal.CiphertextSize:
			altered[r.Group] = true
		case close > 0 && key.Holds(k.poll.ID, k.public, close, r):
			byGroup[r.Group] = append(byGroup[r.Group], *r)
		case k.holdsElsewhere(key, r, close):
			stale[r.Group] = true
		default:
			altered[r.Group] = true
		}
	}
	kept = map[string]*keptGroup{}
	for g, rs := range byGroup {
		if len(rs) > 1 {
			stale[g] = true
		}
		if altered[g] || stale[g] {
			continue
		}
		kg, err := addRows(rs, k.layout.Cells)
		if err != nil {
			altered[g] = true
			continue
		}
		kept[g] = kg
	}
	return kept, stale, altered
}

// holdsElsewhere says whether the row holds as a batch row or as one folded at a close
// before this one.
func (k *BoxKey) holdsElsewhere(key SumsKey, r *SumsRow, close int) bool {
	for c := range max(close, 1) {
		if key.Holds(k.poll.ID, k.public, c, r) {
			return true
		}
	}
	return false
}

// SumKept is Sum with the sums kept as the box's ballots were sealed, for a poll closed
// for the close-th time (polls.closes). A voter group whose one row was folded at that
// close and holds, whose count equals its ballots in the box and whose tags equal the sum
// of its ballots' tags (none repeated, none of another length or format) is added from
// its row: its ballots' proofs are not checked again, only their texts taken out. Every
// other group is checked ballot by ballot as Sum does, and BoxSums.Notes says why. The
// rows were written by the instances that sealed the ballots and checked what they
// sealed; `minyi verify` still checks every proof of the certified box.
func (k *BoxKey) SumKept(box []SealedBallot, turnout []Turnout, key SumsKey, rows []SumsRow, close int) *BoxSums {
	p := k.poll
	inBox := map[string]*groupInBox{}
	for _, g := range p.Groups {
		inBox[g.ID] = &groupInBox{}
	}
	receipts := make([][sha256.Size]byte, len(box))
	times := map[[sha256.Size]byte]int{}
	for i, b := range box {
		receipts[i] = sha256.Sum256(k.Marks(b.Sealed))
		times[receipts[i]]++
	}
	for i, b := range box {
		if t, ok := inBox[b.Group]; ok {
			t.add(key, k, b.Group, receipts[i], times[receipts[i]] > 1, len(b.Sealed), formatOf(b.Sealed))
		}
	}
	fast, notes := k.decideKept(inBox, key, rows, close)
	s := k.sum(func(yield func(boxEntry) bool) {
		for i, b := range box {
			if !yield(boxEntry{group: b.Group, marks: b.Sealed, texts: true, receipt: receipts[i], hashed: true}) {
				return
			}
		}
	}, turnout, fast)
	s.Notes = notes
	return s
}

// groupInBox is what the box holds of one voter group, to be matched with its kept sums:
// how many ballots, the sum of their tags, and whether one of them repeats another or
// is not of the poll's length and format.
type groupInBox struct {
	n    int
	tags [32]byte
	bad  bool
}

// add takes a ballot of the group in: receipt is the SHA-256 of its marks (Receipt).
func (t *groupInBox) add(key SumsKey, k *BoxKey, group string, receipt [sha256.Size]byte, repeated bool, size int, format byte) {
	t.n++
	tag := key.Tag(k.poll.ID, k.public, group, receipt[:])
	addTags(&t.tags, tag[:])
	if repeated || size != k.size || format != formatV3 {
		t.bad = true
	}
}

// decideKept names the voter groups whose kept sums match what the box holds of them
// (SumKept), and says why each other group with ballots is checked in full.
func (k *BoxKey) decideKept(inBox map[string]*groupInBox, key SumsKey, rows []SumsRow, close int) (map[string]*keptGroup, []string) {
	kept, stale, altered := k.kept(key, rows, close)
	fast := map[string]*keptGroup{}
	var notes []string
	for _, g := range k.poll.Groups {
		t, kg := inBox[g.ID], kept[g.ID]
		switch {
		case altered[g.ID]:
			notes = append(notes, fmt.Sprintf(noteRecordChanged, g.Name))
		case stale[g.ID]:
			notes = append(notes, fmt.Sprintf(noteRecordReplaced, g.Name))
		case kg == nil && t.n == 0:
		case kg == nil:
			notes = append(notes, fmt.Sprintf(noteNoRecord, g.Name, t.n))
		case kg.n > t.n:
			notes = append(notes, fmt.Sprintf(noteFewer, g.Name, kg.n-t.n, kg.n, t.n))
		case kg.n < t.n:
			notes = append(notes, fmt.Sprintf(noteMore, g.Name, t.n-kg.n, kg.n, t.n))
		case kg.tags != t.tags || t.bad:
			notes = append(notes, fmt.Sprintf(noteMismatch, g.Name))
		default:
			fast[g.ID] = kg
		}
	}
	return fast, notes
}

// formatOf is a ballot's format byte, 0 for an empty one.
func formatOf(sealed []byte) byte {
	if len(sealed) == 0 {
		return 0
	}
	return sealed[0]
}
