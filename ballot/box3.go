package ballot

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/big"
	"runtime"
	"slices"
	"sync"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
)

// The homomorphic box (box 3). A ballot is the poll's Layout filled in: every cell an
// exponential ElGamal ciphertext of 0 or 1 under the poll's key, with a proof that it is
// 0 or 1, and every line a proof that its marks stay within the line's limit. Then the
// ballot's texts (write-ins, free answers), each sealed to the same key in a slot of its
// own fixed size, empty slots too. Every ballot of a poll has one length.
//
//	3 ‖ line 1 ‖ … ‖ line n ‖ text slot 1 ‖ … ‖ text slot m
//
// The proofs are bound to the poll, its key and the voter group: a ballot moved to another
// group in the database no longer verifies. Nothing here decrypts a ballot: the count adds
// the ciphertexts per result row and cell (Sum) and only those sums, and the texts taken
// out of their ballots and shuffled, are decrypted, by the tellers' partial decryptions.

const formatV3 = 3

// BoxKey is what encrypts and sums the ballots of one poll under one public key.
type BoxKey struct {
	poll   *Poll
	pk     *elgamal.PublicKey
	public []byte
	layout Layout
	index  map[string]int // form and line to the line's place in layout
	slots  []textSlot
	marks  int // bytes of the format byte and the lines
	size   int
}

// textSlot is a place for one text in every ballot: a write-in box or a free answer.
type textSlot struct {
	Form, Line string
	Size       int  // bytes of text it holds
	byGroup    bool // a write-in: counted per result row
}

// NewBoxKey makes the box key of a poll from its public key.
func NewBoxKey(p *Poll, public []byte) (*BoxKey, error) {
	pk, err := elgamal.ParsePublicKey(public)
	if err != nil {
		return nil, fmt.Errorf("poll public key: %w", err)
	}
	k := &BoxKey{poll: p, pk: pk, public: public, slots: p.textSlots()}
	k.layout, k.index = p.layout()
	k.marks = 1
	for _, l := range k.layout.Lines {
		k.marks += elgamal.LineSize(len(l.Labels), l.Limit)
	}
	k.size = k.marks
	for _, s := range k.slots {
		k.size += elgamal.SealedTextSize(s.Size)
	}
	return k, nil
}

// Size is the length of every ballot of the poll.
func (k *BoxKey) Size() int { return k.size }

// Layout is the cells every ballot of the poll fills.
func (k *BoxKey) Layout() Layout { return k.layout }

// Receipt is the receipt of a ballot: a hash of its marks' ciphertexts and proofs, which
// the certified bundle lists. Its texts are not covered: they leave their ballot at the
// count.
func (k *BoxKey) Receipt(b []byte) []byte {
	h := sha256.Sum256(b[:min(len(b), k.marks)])
	return h[:]
}

// context binds every proof of a ballot to the poll, its key and the voter group.
func (k *BoxKey) context(groupID string) []byte {
	h := sha256.New()
	h.Write([]byte("minyi box v3\x00" + k.poll.ID + "\x00" + groupID + "\x00"))
	h.Write(k.public)
	return h.Sum(nil)
}

// textContext binds a sealed text to the poll, its key and the form and line it answers.
func (k *BoxKey) textContext(s textSlot) []byte {
	h := sha256.New()
	h.Write([]byte("minyi text v3\x00" + k.poll.ID + "\x00" + s.Form + "\x00" + s.Line + "\x00"))
	h.Write(k.public)
	return h.Sum(nil)
}

// Judge is CheckGroup and Marks at once for a ballot a voter of the group submits, in the
// layout the key keeps: the door's spoilt lines (refusing them stays the caller's), and the
// cells and texts to Encrypt.
func (k *BoxKey) Judge(groupID string, b *Ballot) ([]Spoilt, []uint8, []Text, error) {
	return k.poll.judge(k.layout, k.index, groupID, b)
}

// Prepared is the randomness and the proofs of one ballot of a voter group, and the
// randomness of its text slots, worked out ahead (the slow part of encrypting), to be
// filled in once.
type Prepared struct {
	group string
	ctx   []byte // the key's context for the group: a ballot prepared under another key is refused
	lines []*elgamal.PreparedLine
	texts []*elgamal.PreparedText
}

// Group is the voter group the ballot was prepared for.
func (pb *Prepared) Group() string { return pb.group }

// Prepare works out a ballot's randomness and proofs for a voter group.
func (k *BoxKey) Prepare(groupID string, rnd io.Reader) *Prepared {
	ctx := k.context(groupID)
	pb := &Prepared{group: groupID, ctx: ctx, lines: make([]*elgamal.PreparedLine, len(k.layout.Lines)),
		texts: make([]*elgamal.PreparedText, len(k.slots))}
	for i, l := range k.layout.Lines {
		pb.lines[i] = elgamal.PrepareLine(k.pk, ctx, len(l.Labels), l.Limit, rnd)
	}
	for i := range k.slots {
		pt, err := elgamal.PrepareText(k.pk, rnd)
		if err != nil {
			panic(err) // the system's randomness failed: nothing can be sealed
		}
		pb.texts[i] = pt
	}
	return pb
}

// ErrOtherKey is Encrypt's refusal of a ballot prepared under another poll key or poll: its
// proofs would not verify, and the ballot would be lost at the count.
var ErrOtherKey = errors.New("ballot: prepared under another key")

// Encrypt fills a prepared ballot with a ballot's cells (Marks) and seals its texts. It
// costs no point multiplication: every point and encoding was worked out by Prepare. A
// prepared ballot is used once.
func (k *BoxKey) Encrypt(pb *Prepared, cells []uint8, texts []Text) ([]byte, error) {
	return k.encrypt(pb, cells, texts, nil)
}

// encrypt is Encrypt, writing each cell's randomness into o when it is given.
func (k *BoxKey) encrypt(pb *Prepared, cells []uint8, texts []Text, o *Opening) ([]byte, error) {
	if len(cells) != k.layout.Cells {
		return nil, fmt.Errorf("ballot has %d cells, the poll %d", len(cells), k.layout.Cells)
	}
	if !bytes.Equal(pb.ctx, k.context(pb.group)) || len(pb.lines) != len(k.layout.Lines) || len(pb.texts) != len(k.slots) {
		return nil, ErrOtherKey
	}
	slotted, err := k.slotTexts(texts)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, k.size)
	out = append(out, formatV3)
	for i, l := range k.layout.Lines {
		marks := cells[l.Offset : l.Offset+len(l.Labels)]
		if o == nil {
			out, err = pb.lines[i].AppendFill(out, marks)
		} else {
			// An empty slice at the line's place in o.r, whose capacity runs on to the
			// end: the line appends its cells' randomness there, in o.r itself, with
			// no copy to clear afterwards.
			r := o.r[l.Offset*elgamal.ScalarSize : l.Offset*elgamal.ScalarSize]
			out, _, err = pb.lines[i].AppendFillOpening(out, marks, r)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(out) != k.marks {
		return nil, fmt.Errorf("encrypted marks are %d bytes, want %d", len(out), k.marks)
	}
	for i, s := range k.slots {
		if out, err = pb.texts[i].Seal(out, k.textContext(s), []byte(slotted[i]), s.Size); err != nil {
			return nil, err
		}
	}
	if len(out) != k.size {
		return nil, fmt.Errorf("encrypted ballot is %d bytes, want %d", len(out), k.size)
	}
	return out, nil
}

// slotTexts puts each text in the next free slot of its form and line.
func (k *BoxKey) slotTexts(texts []Text) ([]string, error) {
	out := make([]string, len(k.slots))
	used := make([]bool, len(k.slots))
	for _, t := range texts {
		placed := false
		for i, s := range k.slots {
			if !used[i] && s.Form == t.Form && s.Line == t.Line {
				if len(t.Text) > s.Size {
					return nil, Errorf(EINVALID, "填写的文字过长，请删减后重新提交")
				}
				out[i], used[i], placed = t.Text, true, true
				break
			}
		}
		if !placed {
			return nil, fmt.Errorf("no text slot left for form %s line %s", t.Form, t.Line)
		}
	}
	return out, nil
}

// BoxSums is a box added up: one ciphertext per result row and cell, the ballots that
// failed, and the texts taken out of their ballots, shuffled.
type BoxSums struct {
	Rows ResultGroups
	// Sizes are every ballot each voter group put in the box; Pool the ballots of each
	// group that were counted, at most the group's used tokens: the pooling of small
	// groups is decided on Pool, so ballots that fail or that no token cast cannot keep a
	// small group apart.
	Sizes, Pool []int
	Sums        [][]elgamal.Ciphertext // [row][cell]
	Ballots     int
	Rejected    []int // places (from 0) in the box of the ballots that failed or repeat another
	Texts       []SealedText
	// Over names the groups with more counted ballots than used tokens; BadTexts counts
	// the texts that did not open (Decrypt).
	Over     []string
	BadTexts int
	// Checked counts the ballots whose proofs were checked one by one or in a batch; the
	// others were added from the sums kept as they were sealed (SumKept). Notes say why a
	// voter group was checked although the box had kept sums for it.
	Checked int
	Notes   []string
}

// SealedText is a text taken out of its ballot: the result row it is counted in (a
// write-in; MergedGroup for the pooled row) or none (a free answer), and the sealed bytes.
type SealedText struct {
	Group  string
	Slot   int
	Sealed []byte
}

// Sum checks every ballot of a box (length, format, every proof, bound to its group) and
// adds the ciphertexts of those that pass per result row and cell, on every core. Small
// groups are pooled (ResultGroups) before anything is added, so no sum of a small group
// alone is ever formed. A ballot that fails is left out and reported by its place. The
// texts leave their ballots here, shuffled.
func (k *BoxKey) Sum(box []SealedBallot, turnout []Turnout) *BoxSums {
	return k.sum(func(yield func(boxEntry) bool) {
		for _, b := range box {
			if !yield(boxEntry{group: b.Group, marks: b.Sealed, texts: true}) {
				return
			}
		}
	}, turnout, nil)
}

// boxEntry is a ballot to add: its group and its bytes, whole (texts true) or its marks
// only, as a certified bundle lists them.
type boxEntry struct {
	group  string
	marks  []byte
	texts  bool
	broken bool // not of the poll's length when it was listed: unreadable
	// receipt is the SHA-256 of marks when the caller has it already (hashed).
	receipt [sha256.Size]byte
	hashed  bool
	// ordered: the box comes in receipt order (a bundle's, whose order is checked apart),
	// so a repeat follows what it repeats and is found without a map of every receipt.
	ordered bool
	// planned says the caller found the repeats already (BoxPlan, from the receipts
	// sorted): repeat is then whether an earlier ballot has this one's receipt.
	planned, repeat bool
}

// sum adds the ballots box yields, in place order. It holds only the chunks being
// checked, so a bundle's ballots can be read from a file as they are added. The voter
// groups in fast are added from their kept sums: their ballots' texts are taken out and
// their proofs not checked (SumKept decided they match the sums).
func (k *BoxKey) sum(box iter.Seq[boxEntry], turnout []Turnout, fast map[string]*keptGroup) *BoxSums {
	p := k.poll
	index := map[string]int{}
	for i, g := range p.Groups {
		index[g.ID] = i
	}
	s := &BoxSums{Sizes: make([]int, len(p.Groups)), Pool: make([]int, len(p.Groups))}
	contexts := map[string][]byte{}
	for _, g := range p.Groups {
		contexts[g.ID] = k.context(g.ID)
	}
	type placed struct {
		at int
		boxEntry
	}
	type groupText struct {
		group int
		text  SealedText
	}
	type part struct {
		sums     [][]elgamal.Ciphertext // per voter group
		counted  []int
		rejected []int
		texts    []groupText
	}
	workers := runtime.GOMAXPROCS(0)
	chunks := make(chan []placed, workers)
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pt := &parts[w]
			pt.sums = make([][]elgamal.Ciphertext, len(p.Groups))
			pt.counted = make([]int, len(p.Groups))
			add := func(e placed, lines []elgamal.Line, texts [][]byte) {
				gi := index[e.group]
				if pt.sums[gi] == nil {
					pt.sums[gi] = make([]elgamal.Ciphertext, k.layout.Cells)
					for c := range pt.sums[gi] {
						pt.sums[gi][c] = elgamal.Zero()
					}
				}
				pt.counted[gi]++
				for li, l := range k.layout.Lines {
					for c := range l.Labels {
						acc := &pt.sums[gi][l.Offset+c]
						acc.Add(*acc, lines[li].Cells[c])
					}
				}
				for ti, t := range texts {
					// A copy: the text alone is kept, not the ballot it was cut from.
					pt.texts = append(pt.texts, groupText{gi, SealedText{Slot: ti, Sealed: bytes.Clone(t)}})
				}
			}
			// The proofs are checked a chunk at a time, every group's in one batch (each
			// bound to its group's context): one multi-scalar multiplication of a
			// chunk's thousands of points, where a batch per group would make hundreds of
			// small ones. A batch that fails is checked again ballot by ballot, to name
			// the bad ones.
			for chunk := range chunks {
				// The chunks already keep every core busy: one core per batch.
				batch := elgamal.NewBatch(k.pk, nil).OnOneCore()
				lines := make([][]elgamal.Line, len(chunk))
				texts := make([][][]byte, len(chunk))
				bad := make([]bool, len(chunk))
				for n, e := range chunk {
					var err error
					lines[n], texts[n], err = k.parseInto(batch.Within(contexts[e.group]), e.marks, e.texts)
					bad[n] = err != nil
				}
				if !batch.Verify() {
					for n, e := range chunk {
						if !bad[n] {
							bad[n] = !k.verify(lines[n], contexts[e.group])
						}
					}
				}
				for n, e := range chunk {
					if bad[n] {
						pt.rejected = append(pt.rejected, e.at)
					} else {
						add(e, lines[n], texts[n])
					}
				}
			}
		}()
	}
	// A ballot repeated byte for byte is counted once: the copies are not ballots anyone
	// cast (each cast encrypts with fresh randomness).
	seen := map[[sha256.Size]byte]bool{}
	var last [sha256.Size]byte
	var rejected []int
	var chunk []placed
	var fastTexts []groupText
	fastCounted := make([]int, len(p.Groups))
	for e := range box {
		at := s.Ballots
		s.Ballots++
		gi, ok := index[e.group]
		if ok {
			s.Sizes[gi]++
		}
		h := e.receipt
		if !e.hashed {
			h = sha256.Sum256(k.Marks(e.marks))
		}
		repeat := e.repeat
		switch {
		case e.planned:
		case e.ordered:
			repeat, last = at > 0 && h == last, h
		default:
			repeat, seen[h] = seen[h], true
		}
		if !ok || repeat || e.broken {
			rejected = append(rejected, at)
			continue
		}
		if fast[e.group] != nil {
			fastCounted[gi]++
			// SumKept took this group only if each of its ballots has the full length.
			for ti, t := range k.sealedTexts(e.marks) {
				fastTexts = append(fastTexts, groupText{gi, SealedText{Slot: ti, Sealed: bytes.Clone(t)}})
			}
			continue
		}
		s.Checked++
		if chunk = append(chunk, placed{at, e}); len(chunk) == checkChunk {
			chunks <- chunk
			chunk = nil
		}
	}
	if len(chunk) > 0 {
		chunks <- chunk
	}
	close(chunks)
	wg.Wait()
	groupSums := make([][]elgamal.Ciphertext, len(p.Groups))
	counted := fastCounted
	texts := fastTexts
	for gi, g := range p.Groups {
		if kg := fast[g.ID]; kg != nil {
			groupSums[gi] = kg.sums
		}
	}
	s.Rejected = rejected
	for _, pt := range parts {
		for gi, row := range pt.sums {
			counted[gi] += pt.counted[gi]
			if row == nil {
				continue
			}
			if groupSums[gi] == nil {
				groupSums[gi] = row
				continue
			}
			for c := range row {
				groupSums[gi][c].Add(groupSums[gi][c], row[c])
			}
		}
		s.Rejected = append(s.Rejected, pt.rejected...)
		texts = append(texts, pt.texts...)
	}
	slices.Sort(s.Rejected)
	used := make([]int, len(p.Groups))
	for _, tu := range turnout {
		if i, ok := index[tu.Group]; ok {
			used[i] = tu.Used
		}
	}
	for i, g := range p.Groups {
		s.Pool[i] = min(counted[i], used[i])
		if counted[i] > used[i] {
			s.Over = append(s.Over, g.Name)
		}
	}
	// The rows are decided before any sum of a group is used; a small group's sum is
	// only ever added into its pooled row.
	s.Rows = p.ResultGroups(s.Pool)
	s.Sums = make([][]elgamal.Ciphertext, len(s.Rows.Groups))
	for r := range s.Sums {
		s.Sums[r] = make([]elgamal.Ciphertext, k.layout.Cells)
		for c := range s.Sums[r] {
			s.Sums[r][c] = elgamal.Zero()
		}
	}
	for gi, gs := range groupSums {
		if gs == nil {
			continue
		}
		row := s.Sums[s.Rows.Of[gi]]
		for c := range gs {
			row[c].Add(row[c], gs[c])
		}
	}
	for _, t := range texts {
		st := t.text
		if k.slots[st.Slot].byGroup {
			st.Group = s.Rows.Groups[s.Rows.Of[t.group]].ID
		}
		s.Texts = append(s.Texts, st)
	}
	shuffle(len(s.Texts), func(i, j int) { s.Texts[i], s.Texts[j] = s.Texts[j], s.Texts[i] })
	return s
}

// checkChunk is how many ballots a worker checks in one batch per group.
const checkChunk = 64

// parseInto reads a ballot and adds all its proofs to a batch of its group's context;
// withTexts says whether its text slots follow the marks.
func (k *BoxKey) parseInto(b *elgamal.Batch, raw []byte, withTexts bool) ([]elgamal.Line, [][]byte, error) {
	size := k.marks
	if withTexts {
		size = k.size
	}
	if len(raw) != size || raw[0] != formatV3 {
		return nil, nil, fmt.Errorf("ballot of %d bytes, want %d", len(raw), size)
	}
	lines := make([]elgamal.Line, len(k.layout.Lines))
	at := 1
	for i, l := range k.layout.Lines {
		n := elgamal.LineSize(len(l.Labels), l.Limit)
		line, err := b.AddLineBytes(raw[at:at+n], len(l.Labels), l.Limit)
		if err != nil {
			return nil, nil, err
		}
		lines[i] = line
		at += n
	}
	if !withTexts {
		return lines, nil, nil
	}
	return lines, k.sealedTexts(raw), nil
}

// sealedTexts cuts a ballot of the poll's full length into its sealed text slots, which
// follow its marks.
func (k *BoxKey) sealedTexts(raw []byte) [][]byte {
	texts := make([][]byte, len(k.slots))
	at := k.marks
	for i, s := range k.slots {
		n := elgamal.SealedTextSize(s.Size)
		texts[i] = raw[at : at+n]
		at += n
	}
	return texts
}

// verify checks a ballot's proofs one by one, to find the bad ballot of a failed batch.
func (k *BoxKey) verify(lines []elgamal.Line, ctx []byte) bool {
	for i, l := range k.layout.Lines {
		if !elgamal.VerifyLine(k.pk, lines[i], l.Limit, ctx) {
			return false
		}
	}
	return true
}

// Marks is the marks part of a ballot: what its receipt covers and a bundle lists.
func (k *BoxKey) Marks(b []byte) []byte { return b[:min(len(b), k.marks)] }

// PreparedSize is about the memory a prepared ballot takes: its lines' encodings and
// scalars (elgamal.PreparedLineSize), each line's key and context, and per text slot its
// two encodings, with what holds them.
func (k *BoxKey) PreparedSize() int {
	n := 256
	for _, l := range k.layout.Lines {
		n += elgamal.PreparedLineSize(len(l.Labels), l.Limit) + 192
	}
	return n + 160*len(k.slots)
}

// Points are what the tellers decrypt: the first half of every sum, then the key point of
// every text, in this order.
func (s *BoxSums) Points() ([]group.Element, error) {
	var out []group.Element
	for _, row := range s.Sums {
		for _, c := range row {
			out = append(out, c.A)
		}
	}
	for _, t := range s.Texts {
		p, err := elgamal.TextPoint(t.Sealed)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Decrypt turns the combined partial decryptions of Points into the sums' values and
// what every text opened to (in the order of s.Texts, empty for an empty slot). A sum
// beyond the ballots it adds, or a text that does not open, is an error: the box or a
// decryption was tampered with.
func (k *BoxKey) Decrypt(s *BoxSums, combined []group.Element) ([][]int, []string, error) {
	cells := len(s.Sums) * k.layout.Cells
	if len(combined) != cells+len(s.Texts) {
		return nil, nil, fmt.Errorf("%d decryptions for %d points", len(combined), cells+len(s.Texts))
	}
	var flat []elgamal.Ciphertext
	for _, row := range s.Sums {
		flat = append(flat, row...)
	}
	values, err := elgamal.DecryptSums(flat, combined[:cells], s.Ballots)
	if err != nil {
		return nil, nil, err
	}
	rows := make([][]int, len(s.Sums))
	for r := range rows {
		rows[r] = values[r*k.layout.Cells : (r+1)*k.layout.Cells]
	}
	opened := make([]string, len(s.Texts))
	for i, t := range s.Texts {
		// A text that does not open (its bytes changed in the database: no proof covers
		// them) is left out and noted; it stops nothing else.
		plain, err := elgamal.OpenText(t.Sealed, combined[cells+i], k.textContext(k.slots[t.Slot]))
		if err != nil {
			s.BadTexts++
			continue
		}
		opened[i] = string(plain)
	}
	return rows, opened, nil
}

// Texts are the opened texts that say something, with their form, line and group.
func (k *BoxKey) Texts(s *BoxSums, opened []string) []Text {
	var out []Text
	for i, t := range s.Texts {
		if opened[i] != "" {
			slot := k.slots[t.Slot]
			out = append(out, Text{Form: slot.Form, Line: slot.Line, Group: t.Group, Text: opened[i]})
		}
	}
	return out
}

// CountBox is the tally of a box from its sums and opened texts; s is in SortBox order.
func (k *BoxKey) CountBox(turnout []Turnout, s *BoxSums, rows [][]int, texts []Text) *Tally {
	t := CountPooled(k.poll, turnout, s.Sizes, s.Pool, rows, texts, len(s.Rejected))
	t.BoxChecks = s.Notes
	for _, g := range s.Over {
		t.Notes = append(t.Notes, fmt.Sprintf(noteGroupOver, g))
	}
	if s.BadTexts > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf(noteBadTexts, s.BadTexts))
	}
	// The unreadable ballots are named by their place in the bundle's list.
	t.Unreadable = nil
	for _, r := range s.Rejected {
		t.Unreadable = append(t.Unreadable, r+1)
	}
	t.noteUnreadable()
	return t
}

// shuffle is a uniform shuffle with the system's randomness.
func shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			panic(err)
		}
		swap(i, int(j.Int64()))
	}
}
