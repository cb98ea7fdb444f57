package ballot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"time"

	"minyi/ballot/elgamal"
)

// BundleVersion4 is the certified record of a homomorphic box. It lists no plain ballot:
// every ballot's encrypted marks with their proofs (in the order of their receipts), the
// sums per result row and cell, the texts apart in a random order with what they opened
// to, the tellers' public shares and their partial decryptions of the sums with proofs,
// and the tally. Verify adds the ciphertexts again, checks every proof, decrypts the sums
// from the partial decryptions and recounts.
const BundleVersion4 = "minyi-tally/4"

// BoxRecord is the homomorphic box of a bundle.
type BoxRecord struct {
	PublicKey    []byte          `json:"public_key"`
	PublicShares [][]byte        `json:"public_shares"` // s_j·G of teller j (from 1)
	Quorum       int             `json:"quorum"`
	Ballots      []BoxBallot     `json:"ballots"`
	Sums         [][]byte        `json:"sums"` // per result row, its cells' ciphertexts end to end
	Texts        []BoxText       `json:"texts,omitempty"`
	Partials     []PartialRecord `json:"partials"`
	// File is what a version 5 manifest says of its ballots, which are apart (Ballots empty).
	File *BallotsFile `json:"ballots_file,omitempty"`
}

// BoxBallot is a ballot's encrypted marks and proofs with its voter group (the proofs
// are bound to it).
type BoxBallot struct {
	Group string `json:"group"`
	Marks []byte `json:"marks"`
}

// BoxText is a text taken out of its ballot: sealed, and as it opened (empty ones are
// listed too: every ballot carries every slot).
type BoxText struct {
	Group  string `json:"group"`
	Form   string `json:"form"`
	Line   string `json:"line"`
	Sealed []byte `json:"sealed"`
	Text   string `json:"text,omitempty"`
}

// PartialRecord is a teller's partial decryption of every point (the sums' first halves,
// then the texts' key points), end to end, with its proof.
type PartialRecord struct {
	Teller int    `json:"teller"`
	D      []byte `json:"d"`
	Proof  []byte `json:"proof"`
}

// CountContext binds the tellers' partial decryptions to the poll and its key.
func (k *BoxKey) CountContext() []byte {
	return k.context("\x00count")
}

// SortBox puts a box in the order of its ballots' receipts: the order the bundle lists
// them in, and the places of unreadable ballots refer to. Ballots of one receipt (copies)
// follow by group, then by the hash of their bytes, so that the order is the box's alone
// and a bundle written again from the database lists the ballots in the same places.
func (k *BoxKey) SortBox(box []SealedBallot) {
	type key struct{ receipt, whole [sha256.Size]byte }
	keys := make(map[*SealedBallot]key, len(box))
	for i := range box {
		keys[&box[i]] = key{k.recordReceipt(box[i].Sealed), sha256.Sum256(box[i].Sealed)}
	}
	order := make([]int, len(box))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := &box[order[i]], &box[order[j]]
		ka, kb := keys[a], keys[b]
		if c := bytes.Compare(ka.receipt[:], kb.receipt[:]); c != 0 {
			return c < 0
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return bytes.Compare(ka.whole[:], kb.whole[:]) < 0
	})
	sorted := make([]SealedBallot, len(box))
	for i, o := range order {
		sorted[i] = box[o]
	}
	copy(box, sorted)
}

// NewBundle4 assembles the bundle of a homomorphic count. box is in SortBox order.
func (k *BoxKey) NewBundle4(turnout []Turnout, box []SealedBallot, s *BoxSums, partials []elgamal.Partial,
	opened []string, publicShares [][]byte, quorum int, t *Tally, software string, at time.Time) (*Bundle, error) {
	b := &Bundle{Version: BundleVersion4, Software: software, CountedAt: at.UTC().Truncate(time.Second), Poll: *k.poll, Turnout: turnout, Tally: t}
	rec, err := k.boxRecord(s, partials, opened, publicShares, quorum)
	if err != nil {
		return nil, err
	}
	var receipts [][]byte
	for _, sb := range box {
		r := k.Receipt(sb.Sealed)
		receipts = append(receipts, r)
		b.Receipts = append(b.Receipts, hex.EncodeToString(r))
		rec.Ballots = append(rec.Ballots, BoxBallot{Group: sb.Group, Marks: k.Marks(sb.Sealed)})
	}
	sort.Strings(b.Receipts)
	b.MerkleRoot = hex.EncodeToString(MerkleRoot(receipts))
	b.Box = rec
	return b, nil
}

// boxRecord is a bundle's box without its ballots: the sums, the texts with what they
// opened to, the tellers' public shares and partial decryptions.
func (k *BoxKey) boxRecord(s *BoxSums, partials []elgamal.Partial, opened []string, publicShares [][]byte, quorum int) (*BoxRecord, error) {
	rec := &BoxRecord{PublicKey: k.public, PublicShares: publicShares, Quorum: quorum}
	for _, row := range s.Sums {
		var raw []byte
		for _, c := range row {
			var err error
			if raw, err = c.AppendBinary(raw); err != nil {
				return nil, err
			}
		}
		rec.Sums = append(rec.Sums, raw)
	}
	for i, st := range s.Texts {
		slot := k.slots[st.Slot]
		rec.Texts = append(rec.Texts, BoxText{Group: st.Group, Form: slot.Form, Line: slot.Line, Sealed: st.Sealed, Text: opened[i]})
	}
	for _, p := range partials {
		pr := PartialRecord{Teller: p.Teller, Proof: p.Proof}
		for _, d := range p.D {
			pr.D = append(pr.D, elgamal.PointBytes(d)...)
		}
		rec.Partials = append(rec.Partials, pr)
	}
	return rec, nil
}

// verifyBox checks a version 4 bundle's box and recounts it: every ballot's proofs, the
// sums added again, every teller's partial decryption against their public share, the
// sums and texts decrypted from a quorum of them, and the tally recounted from those.
func verifyBox(b *Bundle, add addCheck) {
	k := boxKeyOf(b, add)
	if k == nil {
		return
	}
	entries := make([]boxEntry, len(b.Box.Ballots))
	for i, bb := range b.Box.Ballots {
		entries[i] = boxEntry{group: bb.Group, marks: bb.Marks}
	}
	verifySums(b, k, k.sum(slices.Values(entries), b.Turnout, nil), add)
}

// boxKeyOf is the box key a bundle's box was counted under, or nil (and a failed check).
func boxKeyOf(b *Bundle, add addCheck) *BoxKey {
	if b.Box == nil {
		add(CheckFormat, false, "文件缺少票箱密文")
		return nil
	}
	p := b.Poll
	k, err := NewBoxKey(&p, b.Box.PublicKey)
	if err != nil {
		add(CheckFormat, false, "票箱公钥无效")
		return nil
	}
	return k
}

// verifySums checks a box added up again against the bundle: its sums, texts, the
// tellers' partial decryptions, and the tally recounted from them.
func verifySums(b *Bundle, k *BoxKey, s *BoxSums, add addCheck) {
	rec := b.Box
	add("每张选票的零知识证明", len(s.Rejected) == len(b.Tally.Unreadable),
		"%d 张选票的每个密文都证明为0或1、每行不超过限选数；未通过的 %d 张", s.Ballots-len(s.Rejected), len(s.Rejected))
	sumsOK := len(rec.Sums) == len(s.Sums)
	for r := 0; sumsOK && r < len(s.Sums); r++ {
		var raw []byte
		for _, c := range s.Sums[r] {
			raw, _ = c.AppendBinary(raw)
		}
		sumsOK = string(raw) == string(rec.Sums[r])
	}
	add("密文逐项相加 = 文件中的和", sumsOK, "%d 个结果行 × %d 项", len(s.Sums), k.layout.Cells)
	// The texts are the file's own, in its order: they left their ballots at the count.
	s.Texts = nil
	for _, t := range rec.Texts {
		slot := -1
		for i, ts := range k.slots {
			if ts.Form == t.Form && ts.Line == t.Line {
				slot = i
				break
			}
		}
		if slot < 0 {
			add("文字答案", false, "文字答案所属的题目不在本次投票中")
			return
		}
		s.Texts = append(s.Texts, SealedText{Group: t.Group, Slot: slot, Sealed: t.Sealed})
	}
	// Every counted ballot gave one text per slot, empty or not: no text added or dropped.
	perLine, slots := map[string]int{}, map[string]int{}
	for _, t := range rec.Texts {
		perLine[t.Form+"\x00"+t.Line]++
	}
	for _, ts := range k.slots {
		slots[ts.Form+"\x00"+ts.Line]++
	}
	textsOK := len(perLine) <= len(slots)
	for line, n := range slots {
		textsOK = textsOK && perLine[line] == n*(s.Ballots-len(s.Rejected))
	}
	add("文字答案数 = 有效选票数 × 每张的文字栏", textsOK, "%d 条文字密文，%d 个文字栏", len(s.Texts), len(k.slots))
	points, err := s.Points()
	if err != nil {
		add("文字答案", false, "文字答案的密文无效")
		return
	}
	ctx := k.CountContext()
	var partials []elgamal.Partial
	partialsOK := true
	for _, pr := range rec.Partials {
		if pr.Teller < 1 || pr.Teller > len(rec.PublicShares) || len(pr.D) != len(points)*elgamal.PointSize {
			partialsOK = false
			continue
		}
		pj, err := elgamal.ParsePoint(rec.PublicShares[pr.Teller-1])
		if err != nil {
			partialsOK = false
			continue
		}
		part := elgamal.Partial{Teller: pr.Teller, Proof: pr.Proof}
		for x := range points {
			d, err := elgamal.ParsePoint(pr.D[x*elgamal.PointSize : (x+1)*elgamal.PointSize])
			if err != nil {
				partialsOK = false
				break
			}
			part.D = append(part.D, d)
		}
		if len(part.D) != len(points) || elgamal.VerifyPartial(pj, points, part, ctx) != nil {
			partialsOK = false
			continue
		}
		partials = append(partials, part)
	}
	add("监票人部分解密的证明", partialsOK && len(partials) >= rec.Quorum,
		"%d 位监票人的部分解密均经证明（开箱须至少 %d 位）", len(partials), rec.Quorum)
	combined, err := elgamal.CombinePartials(partials, rec.Quorum)
	if err != nil {
		add(CheckRecount, false, "部分解密不足以解出结果")
		return
	}
	rows, opened, err := k.Decrypt(s, combined)
	if err != nil {
		add(CheckRecount, false, "和解密失败：%s", err.Error())
		return
	}
	openedOK := true
	for i, t := range rec.Texts {
		openedOK = openedOK && t.Text == opened[i]
	}
	add("文字答案解密一致", openedOK, "%d 条文字答案", len(rec.Texts))
	texts := k.Texts(s, opened)
	again := k.CountBox(b.Turnout, s, rows, texts)
	again.OpenedBy = b.Tally.OpenedBy
	// What the server found comparing the box with the sums kept at sealing is its own
	// record: the recount re-adds every ballot and checks every proof, so it needs none.
	again.BoxChecks = b.Tally.BoxChecks
	unspacedWriteIns(again, b.Tally)
	want, _ := json.Marshal(b.Tally)
	got, _ := json.Marshal(again)
	var w, g any
	json.Unmarshal(want, &w)
	json.Unmarshal(got, &g)
	add(CheckRecount, reflect.DeepEqual(w, g), "由文件中的密文之和、监票人的部分解密按规则重新计算全部结果")
}

// boxReceipts are the receipts of a version 4 bundle's ballots, computed from their marks.
func boxReceipts(b *Bundle) [][]byte {
	out := make([][]byte, len(b.Box.Ballots))
	for i, bb := range b.Box.Ballots {
		h := sha256.Sum256(bb.Marks)
		out[i] = h[:]
	}
	return out
}
