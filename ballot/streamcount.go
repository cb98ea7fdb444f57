package ballot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash"
	"iter"
	"slices"
	"time"

	"minyi/ballot/elgamal"
)

// The count streamed. A survey's box of a million ballots is about 17 GB: the count
// cannot hold it. It reads the box twice instead, in one snapshot of the database. The
// first pass reads of each ballot only its row id, its group and two hashes the database
// works out (of its marks, as its receipt, and of the whole ballot), its length and its
// format byte: a small record (BoxPlan), about 90 bytes. Sorted, the records are the
// bundle's order (SortBox); a repeated ballot is found next to its copies there, and the
// kept sums are matched against the groups' tags. The second pass reads the ballots
// whole, a chunk at a time, in that order: their proofs checked where a group must be
// checked, their texts taken out, the bundle's records hashed and their receipts put in
// the Merkle root. What is held is the records, the groups' sums and the texts (which
// CheckCountPoints bounds), never the box.

// BoxRow is what the first pass reads of one ballot.
type BoxRow struct {
	ID    [16]byte // the ballot's row, to read it whole in the second pass
	Group string
	// Receipt is the SHA-256 of the ballot's marks cut or filled with zeros to their
	// length (a record's receipt, the bundle's sort key); Whole of the whole ballot.
	Receipt, Whole [sha256.Size]byte
	Size           int
	Format         byte // the ballot's first byte, 0 for an empty one
}

// boxRec is a BoxRow kept for the count: the group by its place in BoxPlan.groups.
type boxRec struct {
	id             [16]byte
	receipt, whole [sha256.Size]byte
	size           int32
	group          uint16
	format         byte
	// repeat: an earlier ballot in the bundle's order has this one's receipt; copied:
	// another ballot anywhere in the box has it.
	repeat, copied bool
}

// BoxPlan is the first pass's records of a box, sorted into the bundle's order.
type BoxPlan struct {
	k      *BoxKey
	recs   []boxRec
	groups []string // the poll's groups, then any other group a ballot names
	index  map[string]int
	sorted bool
	// digest: the second pass works out the box's digest too (WithDigest).
	digest bool
}

// WithDigest has the second pass work out the box's digest (BoxDigest) as well, which a
// count on the tellers' devices compares at its finish; it hashes every ballot whole
// once more, which a count by the server has no need of.
func (p *BoxPlan) WithDigest() *BoxPlan {
	p.digest = true
	return p
}

// NewBoxPlan starts the records of a box of about n ballots.
func (k *BoxKey) NewBoxPlan(n int) *BoxPlan {
	p := &BoxPlan{k: k, recs: make([]boxRec, 0, max(n, 0)), index: map[string]int{}}
	for _, g := range k.poll.Groups {
		p.index[g.ID] = len(p.groups)
		p.groups = append(p.groups, g.ID)
	}
	return p
}

// Add keeps the record of one ballot, in any order.
func (p *BoxPlan) Add(r BoxRow) error {
	gi, ok := p.index[r.Group]
	if !ok {
		if len(p.groups) > 0xffff {
			return errors.New("ballot: the box names too many voter groups")
		}
		gi = len(p.groups)
		p.index[r.Group] = gi
		p.groups = append(p.groups, r.Group)
	}
	if r.Size < 0 || r.Size > 1<<30 {
		return errors.New("ballot: a ballot of an impossible length")
	}
	p.recs = append(p.recs, boxRec{id: r.ID, receipt: r.Receipt, whole: r.Whole, size: int32(r.Size), group: uint16(gi), format: r.Format})
	p.sorted = false
	return nil
}

// MarksSize is the length of a ballot's marks, which its receipt covers.
func (k *BoxKey) MarksSize() int { return k.marks }

// Len is how many ballots the plan holds.
func (p *BoxPlan) Len() int { return len(p.recs) }

// marksHash is the SHA-256 of a ballot's marks as Receipt and Marks take them: a ballot
// shorter than its marks is all marks, so the hash of its whole bytes.
func (p *BoxPlan) marksHash(r *boxRec) [sha256.Size]byte {
	if int(r.size) < p.k.marks {
		return r.whole
	}
	return r.receipt
}

// Sort puts the records in the bundle's order (SortBox: by receipt, then group, then the
// hash of the whole ballot) and finds the repeats: two ballots of one marks hash have one
// receipt, so they lie in one run of equal receipts, which is a single record but for a
// copy.
func (p *BoxPlan) Sort() {
	slices.SortStableFunc(p.recs, func(a, b boxRec) int {
		if c := bytes.Compare(a.receipt[:], b.receipt[:]); c != 0 {
			return c
		}
		if c := compareStrings(p.groups[a.group], p.groups[b.group]); c != 0 {
			return c
		}
		return bytes.Compare(a.whole[:], b.whole[:])
	})
	for i := 0; i < len(p.recs); {
		j := i + 1
		for j < len(p.recs) && p.recs[j].receipt == p.recs[i].receipt {
			j++
		}
		for a := i; a < j; a++ {
			ha := p.marksHash(&p.recs[a])
			for b := i; b < j; b++ {
				if b != a && p.marksHash(&p.recs[b]) == ha {
					p.recs[a].copied = true
					if b < a {
						p.recs[a].repeat = true
					}
				}
			}
		}
		i = j
	}
	p.sorted = true
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// IDs are the row ids of the ballots from place from to place to (not included), in the
// bundle's order: the second pass reads them in these chunks.
func (p *BoxPlan) IDs(from, to int) [][16]byte {
	out := make([][16]byte, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, p.recs[i].id)
	}
	return out
}

// Receipts are the receipt codes of the box's ballots in the bundle's order, a copy's
// as often as it is there.
func (p *BoxPlan) Receipts() iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range p.recs {
			h := p.marksHash(&p.recs[i])
			if !yield(ReceiptCode(h[:])) {
				return
			}
		}
	}
}

// BoxFile is what the second pass works out of the box as the bundle lists it: its
// ballots member (count, record size, hash), the Merkle root of its receipts, and the
// box's digest (BoxDigest) for a count on the tellers' devices (WithDigest).
type BoxFile struct {
	File       BallotsFile
	MerkleRoot []byte
	Digest     []byte
}

// errBoxMoved is the second pass finding a ballot that is not the one the first pass read.
var errBoxMoved = Errorf(EINTERNAL, "票箱在读取时变动")

// Sum is the count's second pass: box must yield the plan's ballots whole, in the plan's
// order (IDs). It adds them as Sum does (SumKept when key is given: the kept sums rows of
// the poll closed for the close-th time) and works out the bundle's record of the box.
// A ballot that is not the one the plan read is an error.
func (p *BoxPlan) Sum(box iter.Seq2[SealedBallot, error], turnout []Turnout, key SumsKey, rows []SumsRow, close int) (*BoxSums, *BoxFile, error) {
	if !p.sorted {
		p.Sort()
	}
	k := p.k
	var fast map[string]*keptGroup
	var notes []string
	if key != nil {
		inBox := map[string]*groupInBox{}
		for _, g := range k.poll.Groups {
			inBox[g.ID] = &groupInBox{}
		}
		for i := range p.recs {
			r := &p.recs[i]
			if int(r.group) < len(k.poll.Groups) {
				g := p.groups[r.group]
				inBox[g].add(key, k, g, p.marksHash(r), r.copied, int(r.size), r.format)
			}
		}
		fast, notes = k.decideKept(inBox, key, rows, close)
	}
	w := p.walk(box)
	s := k.sum(func(yield func(boxEntry) bool) {
		for sb, r := range w.ballots {
			if !yield(boxEntry{group: sb.Group, marks: sb.Sealed, texts: true, receipt: p.marksHash(r), hashed: true,
				planned: true, repeat: r.repeat}) {
				return
			}
		}
	}, turnout, fast)
	f, err := w.finish()
	if err != nil {
		return nil, nil, err
	}
	s.Notes = notes
	return s, f, nil
}

// Record is the second pass of a count whose sums were worked out before (a count on
// the tellers' devices, finished): box must yield the plan's ballots whole in its order;
// it works out the bundle's record of the box and its digest, and adds nothing.
func (p *BoxPlan) Record(box iter.Seq2[SealedBallot, error]) (*BoxFile, error) {
	if !p.sorted {
		p.Sort()
	}
	w := p.walk(box)
	for range w.ballots {
	}
	return w.finish()
}

// boxWalk reads the second pass: each ballot checked against its record, and the
// bundle's ballots member, Merkle root and the box's digest worked out as it goes.
type boxWalk struct {
	p       *BoxPlan
	box     iter.Seq2[SealedBallot, error]
	index   map[string]int
	records hash.Hash
	merkle  merkleStream
	digest  *boxDigest
	n       int
	err     error
}

func (p *BoxPlan) walk(box iter.Seq2[SealedBallot, error]) *boxWalk {
	w := &boxWalk{p: p, box: box, index: p.k.groupIndex(), records: sha256.New()}
	if p.digest {
		w.digest = newBoxDigest()
	}
	return w
}

// ballots yields the box's ballots with their records; it stops at the first that is
// not the plan's, or at an error reading, which finish then returns.
func (w *boxWalk) ballots(yield func(SealedBallot, *boxRec) bool) {
	p, k := w.p, w.p.k
	var record []byte
	for sb, err := range w.box {
		if err == nil && w.n >= len(p.recs) {
			err = errBoxMoved
		}
		if err != nil {
			w.err = err
			return
		}
		r := &p.recs[w.n]
		if sb.Group != p.groups[r.group] || len(sb.Sealed) != int(r.size) {
			w.err = errBoxMoved
			return
		}
		record = k.appendRecord(record[:0], w.index, sb)
		receipt := sha256.Sum256(record[recordHead:])
		if receipt != r.receipt {
			w.err = errBoxMoved
			return
		}
		w.records.Write(record)
		w.merkle.add(receipt[:])
		if w.digest != nil {
			w.digest.add(sb)
		}
		w.n++
		if !yield(sb, r) {
			return
		}
	}
}

func (w *boxWalk) finish() (*BoxFile, error) {
	if w.err == nil && w.n != len(w.p.recs) {
		w.err = errBoxMoved
	}
	if w.err != nil {
		return nil, w.err
	}
	f := &BoxFile{
		File:       BallotsFile{Count: w.n, RecordSize: w.p.k.recordSize(), SHA256: hex.EncodeToString(w.records.Sum(nil))},
		MerkleRoot: w.merkle.root(),
	}
	if w.digest != nil {
		f.Digest = w.digest.sum()
	}
	return f, nil
}

// NewBundle5Of is NewBundle5 for a box summed by BoxPlan.Sum, which worked out its
// ballots member and Merkle root as it read it.
func (k *BoxKey) NewBundle5Of(turnout []Turnout, box *BoxFile, s *BoxSums, partials []elgamal.Partial,
	opened []string, publicShares [][]byte, quorum int, t *Tally, software string, at time.Time) (*Bundle, error) {
	b := &Bundle{Version: BundleVersion5, Software: software, CountedAt: at.UTC().Truncate(time.Second), Poll: *k.poll, Turnout: turnout, Tally: t}
	rec, err := k.boxRecord(s, partials, opened, publicShares, quorum)
	if err != nil {
		return nil, err
	}
	b.MerkleRoot = hex.EncodeToString(box.MerkleRoot)
	file := box.File
	rec.File = &file
	b.Box = rec
	return b, nil
}

// merkleStream is MerkleRoot of receipts added in sorted order, holding one node per
// level: MerkleRoot pairs each level's nodes left to right and carries an odd last one up,
// so the finished subtrees are those of the binary expansion of the count, and what is
// left at the end is folded from the smallest up.
type merkleStream struct {
	nodes  [][sha256.Size]byte
	levels []int
}

func (m *merkleStream) add(receipt []byte) {
	node := sha256.Sum256(append([]byte{0}, receipt...))
	level := 0
	for n := len(m.nodes); n > 0 && m.levels[n-1] == level; n = len(m.nodes) {
		node = merklePair(m.nodes[n-1], node)
		m.nodes, m.levels = m.nodes[:n-1], m.levels[:n-1]
		level++
	}
	m.nodes, m.levels = append(m.nodes, node), append(m.levels, level)
}

func (m *merkleStream) root() []byte {
	if len(m.nodes) == 0 {
		h := sha256.Sum256(nil)
		return h[:]
	}
	node := m.nodes[len(m.nodes)-1]
	for i := len(m.nodes) - 2; i >= 0; i-- {
		node = merklePair(m.nodes[i], node)
	}
	return node[:]
}

func merklePair(a, b [sha256.Size]byte) [sha256.Size]byte {
	buf := make([]byte, 0, 1+2*sha256.Size)
	buf = append(append(append(buf, 1), a[:]...), b[:]...)
	return sha256.Sum256(buf)
}

// boxDigest is BoxDigest worked out a ballot at a time.
type boxDigest struct{ h hash.Hash }

func newBoxDigest() *boxDigest {
	d := &boxDigest{h: sha256.New()}
	d.h.Write([]byte("minyi box digest v1\x00"))
	return d
}

func (d *boxDigest) add(b SealedBallot) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b.Group)))
	d.h.Write(n[:])
	d.h.Write([]byte(b.Group))
	binary.BigEndian.PutUint64(n[:], uint64(len(b.Sealed)))
	d.h.Write(n[:])
	d.h.Write(b.Sealed)
}

func (d *boxDigest) sum() []byte { return d.h.Sum(nil) }
