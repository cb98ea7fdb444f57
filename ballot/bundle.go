package ballot

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"time"

	"minyi/i18n"
	"minyi/survey"
)

// Certification (DESIGN: step 9). A counted poll becomes a bundle: the poll's definition,
// the turnout, the receipt of every sealed ballot with the box's Merkle root, the plain
// ballots in shuffled order (free texts taken out and listed apart), the tally, and who
// opened the box; signed with the instance's Ed25519 key. Verify checks all of it,
// recounting every result, on any machine, with no database.

// BundleVersion names the format. Version 2 tallies name unreadable ballots by their
// place and list the spellings merged into one write-in; version 3 pools the small voter
// groups, in the tally and in the ballots' labels. Versions 1 and 2 still verify.
const BundleVersion = "minyi-tally/3"

// bundleVersion2 is the format before small groups were pooled.
const bundleVersion2 = "minyi-tally/2"

// bundleVersion1 is the format before text was cleaned at the door.
const bundleVersion1 = "minyi-tally/1"

// Receipt is what a voter is shown after voting: a hash of the sealed ballot. It proves
// the ballot is in the box and says nothing of its content (every sealed ballot of a poll
// has one length). A ballot sealed in format 1 keeps the receipt it was given: the hash
// of what followed its instance key.
func Receipt(sealed []byte) []byte {
	if len(sealed) > sealHeader && sealed[0] == formatV1 {
		sealed = sealed[sealHeader:]
	}
	h := sha256.Sum256(sealed)
	return h[:]
}

// ReceiptCode is the short form of a receipt a voter can read and type: its first 80
// bits, as a token is printed.
func ReceiptCode(receipt []byte) string {
	return Token(base32Encode(receipt[:10])).Grouped()
}

// MerkleRoot is the root of the tree over the receipts in sorted order (leaves and nodes
// domain-separated; an odd node is carried up).
func MerkleRoot(receipts [][]byte) []byte {
	level := make([][]byte, len(receipts))
	sorted := append([][]byte(nil), receipts...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	for i, r := range sorted {
		h := sha256.Sum256(append([]byte{0}, r...))
		level[i] = h[:]
	}
	if len(level) == 0 {
		h := sha256.Sum256(nil)
		return h[:]
	}
	for len(level) > 1 {
		var next [][]byte
		for i := 0; i < len(level); i += 2 {
			if i+1 == len(level) {
				next = append(next, level[i])
				continue
			}
			h := sha256.Sum256(append(append([]byte{1}, level[i]...), level[i+1]...))
			next = append(next, h[:])
		}
		level = next
	}
	return level[0]
}

// Bundle is the certified record of a count.
type Bundle struct {
	Version    string    `json:"version"`
	Software   string    `json:"software"`
	CountedAt  time.Time `json:"counted_at"`
	Poll       Poll      `json:"poll"`
	Turnout    []Turnout `json:"turnout"`
	Receipts   []string  `json:"receipts"` // hex, sorted
	MerkleRoot string    `json:"merkle_root"`
	// Ballots are the opened ballots, shuffled, without their free texts.
	Ballots []BundleBallot `json:"ballots"`
	// Texts are the free-text answers per form and question, sorted, apart from ballots.
	Texts map[string]map[string][]string `json:"texts,omitempty"`
	Tally *Tally                         `json:"tally"`
	// Box is the encrypted box of a homomorphic count (version 4), in place of Ballots.
	Box *BoxRecord `json:"box,omitempty"`
}

// BundleBallot is one opened ballot with its voter group.
type BundleBallot struct {
	Group  string `json:"group"`
	Ballot Ballot `json:"ballot"`
	Broken bool   `json:"broken,omitempty"`
	// Unit is the voter group's unit on a ballot of a pooled group (Group is then
	// MergedGroup), for the recount's 工作互评 check. The ballot already shows it: it
	// lacks the lines of that unit's subjects.
	Unit string `json:"unit,omitempty"`
}

// NewBundle assembles the bundle of a count. The box's order is not kept: ballots are
// shuffled, receipts sorted.
func NewBundle(p *Poll, turnout []Turnout, sealed [][]byte, box []PlainBallot, t *Tally, software string, at time.Time) (*Bundle, error) {
	b := &Bundle{Version: BundleVersion, Software: software, CountedAt: at.UTC().Truncate(time.Second), Poll: *p, Turnout: turnout, Tally: t}
	var receipts [][]byte
	for _, s := range sealed {
		r := Receipt(s)
		receipts = append(receipts, r)
		b.Receipts = append(b.Receipts, hex.EncodeToString(r))
	}
	sort.Strings(b.Receipts)
	b.MerkleRoot = hex.EncodeToString(MerkleRoot(receipts))
	texts := textQuestions(p)
	unreadable := make([]bool, len(box))
	pooled := pooledGroups(p, t)
	for i, pb := range box {
		bb := BundleBallot{Group: pb.Group, Broken: pb.Broken, Ballot: pb.Ballot.Canonical()}
		// A pooled group's ballot is labelled with the pooled row only: labelled with its
		// own group it would be that group's result, which the tally does not show.
		if g, ok := p.Group(pb.Group); ok && pooled[pb.Group] {
			bb.Group, bb.Unit = MergedGroup, g.Unit
		}
		// The free answers go apart as the count read them (cleaned, blank ones left
		// out), so the recount finds the tally's very texts.
		unreadable[i] = p.unreadable(pb)
		var read Ballot
		if !unreadable[i] {
			read, _, _ = p.countable(pb)
		}
		for fi := range bb.Ballot.Forms {
			ff := &bb.Ballot.Forms[fi]
			for q := range texts[ff.Form] {
				if v := ff.Lines[q]; len(v) > 0 {
					delete(ff.Lines, q)
					if unreadable[i] || len(read.Forms[fi].Lines[q]) != 1 || read.Forms[fi].Lines[q][0] == "" {
						continue
					}
					if b.Texts == nil {
						b.Texts = map[string]map[string][]string{}
					}
					if b.Texts[ff.Form] == nil {
						b.Texts[ff.Form] = map[string][]string{}
					}
					b.Texts[ff.Form][q] = append(b.Texts[ff.Form][q], read.Forms[fi].Lines[q][0])
				}
			}
		}
		b.Ballots = append(b.Ballots, bb)
	}
	for _, qs := range b.Texts {
		for q := range qs {
			sort.Strings(qs[q])
		}
	}
	for i := len(b.Ballots) - 1; i > 0; i-- { // Fisher–Yates with crypto/rand
		n, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return nil, err
		}
		j := int(n.Int64())
		b.Ballots[i], b.Ballots[j] = b.Ballots[j], b.Ballots[i]
		unreadable[i], unreadable[j] = unreadable[j], unreadable[i]
	}
	// The unreadable ballots are named by their place in the bundle, where the tellers
	// and a recount find them.
	t.Unreadable = nil
	for i, u := range unreadable {
		if u {
			t.Unreadable = append(t.Unreadable, i+1)
		}
	}
	t.noteUnreadable()
	return b, nil
}

// pooledGroups are the ids of the groups the tally pooled, decided again as Count did.
func pooledGroups(p *Poll, t *Tally) map[string]bool {
	out := map[string]bool{}
	if len(t.Results) == 0 {
		return out
	}
	sizes := make([]int, len(t.Groups))
	for i, g := range t.Groups {
		sizes[i] = g.Ballots
	}
	rg := p.ResultGroups(sizes)
	for i, g := range p.Groups {
		if rg.Of[i] == rg.Merged {
			out[g.ID] = true
		}
	}
	return out
}

// textQuestions lists each form's free-text questions.
func textQuestions(p *Poll) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, f := range p.Forms {
		if f.Survey == nil {
			continue
		}
		for _, q := range f.Survey.Questions {
			if q.Kind == survey.Text {
				if out[f.ID] == nil {
					out[f.ID] = map[string]bool{}
				}
				out[f.ID][q.ID] = true
			}
		}
	}
	return out
}

// Signed is a bundle with its signature, as downloaded. The bundle travels as its exact
// bytes (base64 in JSON): re-encoding it would change what was signed.
type Signed struct {
	Bundle    []byte `json:"bundle"`
	Signature []byte `json:"signature"`  // Ed25519 over the bundle's bytes
	PublicKey []byte `json:"public_key"` // the signing instance's key
}

// Sign encodes and signs a bundle.
func Sign(b *Bundle, key ed25519.PrivateKey) (*Signed, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return &Signed{Bundle: raw, Signature: ed25519.Sign(key, raw), PublicKey: key.Public().(ed25519.PublicKey)}, nil
}

// Fingerprint is how a signing key is shown and compared: the first 16 bytes of its
// SHA-256, grouped.
func Fingerprint(pub []byte) string {
	h := sha256.Sum256(pub)
	s := strings.ToUpper(hex.EncodeToString(h[:16]))
	var parts []string
	for len(s) > 0 {
		parts, s = append(parts, s[:4]), s[4:]
	}
	return strings.Join(parts, " ")
}

// CheckCode is a short code of a signed bundle's bytes, printed on the paper report so
// that the file in hand can be matched to the paper: the first 80 bits of their SHA-256,
// written as a token is.
func CheckCode(bundle []byte) string {
	h := sha256.Sum256(bundle)
	return Token(base32Encode(h[:10])).Grouped()
}

// Check is one verification step and its outcome.
type Check struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
	// Format and Args are what Note was made of (Note is the format when there are no
	// arguments), so that a page can say the note again in its reader's language.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// SayNote is the check's note in p's language: said again from its format when it was
// built with arguments, else looked up as it is (a note the catalogue lacks stays).
func (c Check) SayNote(p *i18n.Printer) string {
	if c.Format == "" || len(c.Args) == 0 || p.Lang() == i18n.Zh {
		return p.Known(c.Note)
	}
	return p.T(c.Format, i18n.SayArgs(p, c.Args)...)
}

// addCheck records one check; its note is a message of the catalogue, a printf format
// with its arguments.
type addCheck func(name string, ok bool, format string, args ...any)

// checker is an addCheck appending to list.
func checker(list *[]Check) addCheck {
	return func(name string, ok bool, format string, args ...any) {
		note := format
		if len(args) > 0 {
			note = fmt.Sprintf(format, args...)
		}
		*list = append(*list, Check{Name: name, OK: ok, Note: note, Format: format, Args: args})
	}
}

// The names of the checks that decide whether a bundle is read at all.
const (
	CheckSignature = "签名"
	CheckSigner    = "签名者"
	CheckFormat    = "格式"
	CheckRecount   = "重新计票结果一致"
)

// UnknownSigner is the note on a bundle whose signature holds under the key it carries,
// a key the verifier was not told to trust: anyone can sign a forgery with a key of
// their own, so a valid signature alone proves nothing.
const UnknownSigner = "签名有效，但签名者未知：请用 -key 指定报告单上印的密钥指纹"

// Verify checks a signed bundle: that it is signed by one of the trusted keys, then the
// Merkle root, that the ballots number the receipts and the tokens used, and every result
// recounted from the plain ballots. It returns every check made; the bundle holds when
// all are OK. A bundle not signed by a trusted key is not read further (no recount: its
// contents are a stranger's, and recounting them costs the verifier's CPU), nor is one
// whose poll exceeds the limits a poll can be built with.
func Verify(s *Signed, trusted ...ed25519.PublicKey) ([]Check, *Bundle) {
	var checks []Check
	add := checker(&checks)
	b := openSigned(s, trusted, add)
	if b == nil {
		return checks, nil
	}
	if b.Version == BundleVersion5 {
		add(CheckFormat, false, "这是第5版计票结果的清单：请核验下载的整个 .zip 文件")
		return checks, nil
	}
	var receipts [][]byte
	okHex := true
	for _, r := range b.Receipts {
		v, err := hex.DecodeString(r)
		okHex = okHex && err == nil && len(v) == sha256.Size
		receipts = append(receipts, v)
	}
	root := hex.EncodeToString(MerkleRoot(receipts))
	add("票箱默克尔根", okHex && root == b.MerkleRoot, "根 %s", b.MerkleRoot)
	used := 0
	for _, t := range b.Turnout {
		used += t.Used
	}
	ballots := len(b.Ballots)
	if b.Version == BundleVersion4 && b.Box != nil {
		ballots = len(b.Box.Ballots)
	}
	add("选票数 = 回执数", ballots == len(b.Receipts), "选票 %d 张，回执 %d 个", ballots, len(b.Receipts))
	add("选票数 = 已用凭证数", ballots == used, "选票 %d 张，已用凭证 %d 个", ballots, used)
	if b.Version == BundleVersion4 {
		if b.Box != nil {
			root := hex.EncodeToString(MerkleRoot(boxReceipts(b)))
			add("回执 = 选票密文的哈希", root == b.MerkleRoot, "每张选票的回执由其密文算出")
		}
		verifyBox(b, add)
		return checks, b
	}
	var box []PlainBallot
	for _, bb := range b.Ballots {
		box = append(box, PlainBallot(bb))
	}
	p := b.Poll
	// The pooling is decided again on the ballots per group the signed tally states
	// (a pooled group's ballots do not say their group); the recount then finds the
	// shown groups' ballots under their own labels and the pooled ones' sum under the
	// pool's, or disagrees. Bundles from before pooling are recounted group by group.
	var sizes []int
	if len(b.Tally.Groups) == len(p.Groups) {
		for _, g := range b.Tally.Groups {
			sizes = append(sizes, g.Ballots)
		}
	}
	again := count(&p, b.Turnout, box, b.Version == BundleVersion, sizes)
	if b.Version == BundleVersion {
		poolBallots(again, b.Tally)
	}
	again.OpenedBy = b.Tally.OpenedBy
	for fi, f := range again.Forms {
		if f.Survey == nil {
			continue
		}
		for qi, q := range f.Survey.Questions {
			if tx := b.Texts[f.Form][q.ID]; len(tx) > 0 {
				again.Forms[fi].Survey.Questions[qi].Texts = tx
				again.Forms[fi].Survey.Questions[qi].Counts.Answered += len(tx)
				again.Forms[fi].Survey.Questions[qi].Counts.Blank -= len(tx)
			}
		}
	}
	legacy := b.Tally.Rules < RulesVersion || b.Version == bundleVersion1
	if b.Version == bundleVersion2 && b.Tally.Rules == 2 {
		// Rules 3 only pooled the small groups, which a version 2 bundle was counted
		// without: its conclusions are those of today's rules and are compared in full.
		again.Rules, legacy = 2, false
	}
	// Compare as JSON, as the bundle carries it.
	want, _ := json.Marshal(b.Tally)
	got, _ := json.Marshal(again)
	var w, g any
	json.Unmarshal(want, &w)
	json.Unmarshal(got, &g)
	if legacy {
		// A bundle signed before the rules' wording was versioned (every version 1 bundle
		// is one): its conclusions were
		// worded (and, below quorum, drawn) by the rules of its day, which this software
		// no longer writes. Every count, rate and rank is still recounted and compared;
		// the conclusions are covered by the signature only.
		w, g = legacyComparable(w), legacyComparable(g)
		g = onlyKeysOf(g, w)
		add(CheckRecount, reflect.DeepEqual(w, g),
			"由文件中的选票重新计算全部票数、比例和名次（旧版文件：提示文字按当时规则，不重新比对）")
		return checks, b
	}
	add(CheckRecount, reflect.DeepEqual(w, g), "由文件中的选票按规则重新计算全部结果")
	return checks, b
}

// openSigned checks a signed bundle's signature and signer and reads it, of any version;
// it returns nil (and a failed check) when the bundle is not to be read further.
func openSigned(s *Signed, trusted []ed25519.PublicKey, add addCheck) *Bundle {
	sigOK := len(s.PublicKey) == ed25519.PublicKeySize && ed25519.Verify(s.PublicKey, s.Bundle, s.Signature)
	add(CheckSignature, sigOK, "签名密钥指纹 %s", Fingerprint(s.PublicKey))
	if !sigOK {
		return nil
	}
	pinned := false
	for _, k := range trusted {
		pinned = pinned || bytes.Equal(k, s.PublicKey)
	}
	if !pinned {
		add(CheckSigner, false, UnknownSigner)
		return nil
	}
	add(CheckSigner, true, "与指定的密钥指纹一致")
	var b Bundle
	if err := json.Unmarshal(s.Bundle, &b); err != nil || b.Version != BundleVersion5 && b.Version != BundleVersion4 && b.Version != BundleVersion && b.Version != bundleVersion2 && b.Version != bundleVersion1 || b.Tally == nil {
		add(CheckFormat, false, "不是可识别的计票结果文件")
		return nil
	}
	// The poll must be one the builder would accept: its limits (forms, subjects,
	// candidates, questions) bound the work of the recount.
	if err := b.Poll.Validate(); err != nil {
		add(CheckFormat, false, "投票活动的定义不合规定：%s", Cause{err})
		return nil
	}
	return &b
}

// poolBallots gives the pooled groups of a recount the ballot counts the signed tally
// gives them: their ballots carry only the pooled row's label, so the recount knows
// their sum (compared with the pooled row's) but not how it splits. That split is
// turnout, shown per group while voting runs.
func poolBallots(again, signed *Tally) {
	if len(again.Results) == 0 || len(signed.Groups) != len(again.Groups) {
		return
	}
	pooled := map[string]bool{}
	for _, r := range again.Results {
		for _, m := range r.Members {
			pooled[m] = true
		}
	}
	sum, want := 0, 0
	for i := range again.Groups {
		if pooled[again.Groups[i].Name] && signed.Groups[i].Name == again.Groups[i].Name {
			sum += signed.Groups[i].Ballots
			again.Groups[i].Ballots += signed.Groups[i].Ballots
		}
	}
	for _, r := range again.Results {
		if len(r.Members) > 0 {
			want = r.Ballots
		}
	}
	if sum != want {
		// A split that does not add up to the pooled row's ballots is not taken.
		for i := range again.Groups {
			if pooled[again.Groups[i].Name] {
				again.Groups[i].Ballots = -1
			}
		}
	}
}

// legacyComparable drops what the rules of an older version worded or concluded: flags,
// notes, passed and elected.
func legacyComparable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			switch k {
			case "flags", "notes", "passed", "elected", "rules":
				continue
			}
			out[k] = legacyComparable(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = legacyComparable(e)
		}
		return out
	}
	return v
}

// onlyKeysOf drops from got the object keys that want lacks (fields added since want was
// made), at every depth where both are objects or lists of the same length.
func onlyKeysOf(got, want any) any {
	switch g := got.(type) {
	case map[string]any:
		w, ok := want.(map[string]any)
		if !ok {
			return got
		}
		out := map[string]any{}
		for k, e := range g {
			if we, ok := w[k]; ok {
				out[k] = onlyKeysOf(e, we)
			}
		}
		return out
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = onlyKeysOf(g[i], w[i])
		}
		return out
	}
	return got
}

// ParseFingerprint reads a key fingerprint as printed (groups of hex digits, any case,
// spaces, dashes or colons between) into its canonical form.
func ParseFingerprint(s string) (string, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', ':', '\t', '\u3000':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
	if v, err := hex.DecodeString(clean); err != nil || len(v) != 16 {
		return "", Errorf(EINVALID, "密钥指纹应为32位十六进制数字（如报告单上所印）")
	}
	var parts []string
	for len(clean) > 0 {
		parts, clean = append(parts, clean[:4]), clean[4:]
	}
	return strings.Join(parts, " "), nil
}

// Verified reports whether every check holds.
func Verified(checks []Check) bool {
	for _, c := range checks {
		if !c.OK {
			return false
		}
	}
	return len(checks) > 0
}
