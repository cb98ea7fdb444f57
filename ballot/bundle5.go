package ballot

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"sort"
	"time"

	"minyi/ballot/elgamal"
)

// BundleVersion5 is the certified record of a homomorphic box, streamed. A version 4
// bundle is one JSON document with every ballot in it (about 60 KB a thirty-subject
// ballot), which has to be held whole to be read. Version 5 is a ZIP of two members:
//
//	bundle.json   the signed manifest (the Signed form of a version 4 file): the poll, the
//	              turnout, the sums, the texts, the tellers' public shares and partial
//	              decryptions, the tally, and of the ballots only their number, the size
//	              of one record, the SHA-256 of the ballots member and the Merkle root of
//	              their receipts;
//	ballots.bin   the ballots, one fixed-size record each, in the box's order (SortBox:
//	              by receipt), stored uncompressed.
//
// A record is the voter group's place in the poll's groups (2 bytes, big-endian; ffff for
// a group the poll does not have), one byte that is 1 when the ballot in the box did not
// have the poll's length (it is counted as unreadable; its marks are cut or filled with
// zeros to fit), and the ballot's marks. A record's receipt is the SHA-256 of its marks:
// the receipt the voter was shown. The member is read once, front to back, and checked as
// it is read, so a verifier holds a few chunks of ballots at a time however big the box;
// sorted by receipt, a record is found by bisection.
const BundleVersion5 = "minyi-tally/5"

// The members of a version 5 bundle.
const (
	bundleManifest = "bundle.json"
	bundleBallots  = "ballots.bin"
)

// recordHead is the bytes of a record before the marks: the group and the shape byte.
const recordHead = 3

// noGroup is the group of a record whose ballot names no group of the poll.
const noGroup = 0xffff

// maxManifest bounds the manifest a verifier reads into memory: the ballots are apart,
// so what is left (poll, sums, texts, partials, tally) is small beside it.
const maxManifest = 256 << 20

// BallotsFile is what the manifest of a version 5 bundle says of its ballots member.
type BallotsFile struct {
	Count      int    `json:"count"`
	RecordSize int    `json:"record_size"`
	SHA256     string `json:"sha256"` // hex, of the whole member
}

// recordSize is the length of every record of the box's ballots.
func (k *BoxKey) recordSize() int { return recordHead + k.marks }

// appendRecord appends the record of a sealed ballot of the box.
func (k *BoxKey) appendRecord(out []byte, index map[string]int, sb SealedBallot) []byte {
	gi, ok := index[sb.Group]
	if !ok {
		gi = noGroup
	}
	out = binary.BigEndian.AppendUint16(out, uint16(gi))
	shape := byte(0)
	if len(sb.Sealed) != k.size {
		shape = 1
	}
	out = append(out, shape)
	m := k.Marks(sb.Sealed)
	out = append(out, m...)
	for range k.marks - len(m) {
		out = append(out, 0)
	}
	return out
}

// groupIndex maps the poll's group ids to their places.
func (k *BoxKey) groupIndex() map[string]int {
	index := map[string]int{}
	for i, g := range k.poll.Groups {
		index[g.ID] = i
	}
	return index
}

// recordReceipt is the receipt a record gives: the SHA-256 of its marks, which for a
// ballot of the poll's length is its receipt (Receipt).
func (k *BoxKey) recordReceipt(sealed []byte) [sha256.Size]byte {
	m := k.Marks(sealed)
	if len(m) == k.marks {
		return sha256.Sum256(m)
	}
	padded := make([]byte, k.marks)
	copy(padded, m)
	return sha256.Sum256(padded)
}

// NewBundle5 assembles the manifest of a version 5 bundle from the box as counted (in
// SortBox order) and what the count made of it; it takes what NewBundle4 takes. Sign it,
// then WriteBundle5 writes the file with the ballots, from the box or the database.
func (k *BoxKey) NewBundle5(turnout []Turnout, box []SealedBallot, s *BoxSums, partials []elgamal.Partial,
	opened []string, publicShares [][]byte, quorum int, t *Tally, software string, at time.Time) (*Bundle, error) {
	b := &Bundle{Version: BundleVersion5, Software: software, CountedAt: at.UTC().Truncate(time.Second), Poll: *k.poll, Turnout: turnout, Tally: t}
	rec, err := k.boxRecord(s, partials, opened, publicShares, quorum)
	if err != nil {
		return nil, err
	}
	index := k.groupIndex()
	h := sha256.New()
	receipts := make([][]byte, len(box))
	var buf []byte
	for i, sb := range box {
		buf = k.appendRecord(buf[:0], index, sb)
		h.Write(buf)
		r := sha256.Sum256(buf[recordHead:])
		receipts[i] = r[:]
	}
	b.MerkleRoot = hex.EncodeToString(MerkleRoot(receipts))
	rec.File = &BallotsFile{Count: len(box), RecordSize: k.recordSize(), SHA256: hex.EncodeToString(h.Sum(nil))}
	b.Box = rec
	return b, nil
}

// WriteBundle5 writes a version 5 bundle: the signed manifest, then the records of the
// ballots box yields, which must be the box the manifest was made from, in its order. It
// holds one ballot at a time. A box that does not match the manifest (changed since the
// count) is an error, and the ZIP is left without its directory: unreadable, never a
// file that looks whole.
func WriteBundle5(w io.Writer, s *Signed, box iter.Seq2[SealedBallot, error]) error {
	var b Bundle
	if err := json.Unmarshal(s.Bundle, &b); err != nil {
		return err
	}
	if b.Version != BundleVersion5 || b.Box == nil || b.Box.File == nil {
		return fmt.Errorf("not a version 5 manifest")
	}
	p := b.Poll
	k, err := NewBoxKey(&p, b.Box.PublicKey)
	if err != nil {
		return err
	}
	manifest, err := json.Marshal(s)
	if err != nil {
		return err
	}
	z := zip.NewWriter(w)
	mw, err := z.CreateHeader(&zip.FileHeader{Name: bundleManifest, Method: zip.Store, Modified: b.CountedAt})
	if err != nil {
		return err
	}
	if _, err := mw.Write(manifest); err != nil {
		return err
	}
	bw, err := z.CreateHeader(&zip.FileHeader{Name: bundleBallots, Method: zip.Store, Modified: b.CountedAt})
	if err != nil {
		return err
	}
	index := k.groupIndex()
	h := sha256.New()
	n := 0
	var buf []byte
	for sb, err := range box {
		if err != nil {
			return err
		}
		buf = k.appendRecord(buf[:0], index, sb)
		h.Write(buf)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		n++
	}
	if n != b.Box.File.Count || hex.EncodeToString(h.Sum(nil)) != b.Box.File.SHA256 {
		return fmt.Errorf("the box holds %d ballots that are not the %d the bundle certifies", n, b.Box.File.Count)
	}
	return z.Close()
}

// IsBundle5 reports whether a file's first bytes are those of a ZIP, as a version 5
// bundle is; the older bundles are JSON.
func IsBundle5(head []byte) bool { return bytes.HasPrefix(head, []byte("PK\x03\x04")) }

// bundle5 is an opened version 5 file: its signed manifest and its ballots member.
type bundle5 struct {
	signed  Signed
	ballots *zip.File
}

func openBundle5(r io.ReaderAt, size int64) (*bundle5, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	var out bundle5
	var manifest *zip.File
	for _, f := range z.File {
		switch f.Name {
		case bundleManifest:
			manifest = f
		case bundleBallots:
			out.ballots = f
		}
	}
	if manifest == nil || out.ballots == nil || manifest.UncompressedSize64 > maxManifest {
		return nil, errors.New("not a tally bundle")
	}
	mr, err := manifest.Open()
	if err != nil {
		return nil, err
	}
	defer mr.Close()
	if err := json.NewDecoder(io.LimitReader(mr, maxManifest)).Decode(&out.signed); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyFile checks a signed bundle file of any version: a version 5 ZIP read as a
// stream (ReaderAt: a ZIP's directory is at its end), an older JSON one whole. trust says
// whether the key a file is signed with is one to trust (Verify's trusted keys).
func VerifyFile(r io.ReaderAt, size int64, trust func(ed25519.PublicKey) bool) ([]Check, *Bundle, *Signed) {
	trusted := func(s *Signed) []ed25519.PublicKey {
		if trust(s.PublicKey) {
			return []ed25519.PublicKey{s.PublicKey}
		}
		return nil
	}
	head := make([]byte, 4)
	n, _ := r.ReadAt(head, 0)
	if !IsBundle5(head[:n]) {
		var s Signed
		if err := json.NewDecoder(io.NewSectionReader(r, 0, size)).Decode(&s); err != nil {
			return []Check{{Name: CheckFormat, Note: "不是计票结果文件"}}, nil, nil
		}
		checks, b := Verify(&s, trusted(&s)...)
		return checks, b, &s
	}
	f, err := openBundle5(r, size)
	if err != nil {
		return []Check{{Name: CheckFormat, Note: "不是完整的计票结果文件（ZIP 中应有 bundle.json 和 ballots.bin）"}}, nil, nil
	}
	var checks []Check
	add := checker(&checks)
	b := openSigned(&f.signed, trusted(&f.signed), add)
	if b == nil {
		return checks, nil, &f.signed
	}
	if b.Version != BundleVersion5 {
		add(CheckFormat, false, "ZIP 中的文件不是新版（第5版）计票结果")
		return checks, nil, &f.signed
	}
	verifyBallots5(b, f.ballots, add)
	return checks, b, &f.signed
}

// BallotCount is the number of ballots a bundle lists, of any version.
func (b *Bundle) BallotCount() int {
	switch {
	case b.Box != nil && b.Box.File != nil:
		return b.Box.File.Count
	case b.Box != nil:
		return len(b.Box.Ballots)
	}
	return len(b.Ballots)
}

// verifyBallots5 reads the ballots member once: every record's receipt into the Merkle
// root, the member's hash, the records' order, and every ballot into the sums, checked.
func verifyBallots5(b *Bundle, ballots *zip.File, add addCheck) {
	k := boxKeyOf(b, add)
	if k == nil {
		return
	}
	file := b.Box.File
	if file == nil || file.RecordSize != k.recordSize() || file.Count < 0 ||
		ballots.Method != zip.Store || ballots.UncompressedSize64 != uint64(file.Count)*uint64(file.RecordSize) {
		add(CheckFormat, false, "选票文件的大小与清单不符")
		return
	}
	used := 0
	for _, t := range b.Turnout {
		used += t.Used
	}
	add("选票数 = 已用凭证数", file.Count == used, "选票 %d 张，已用凭证 %d 个", file.Count, used)
	rc, err := ballots.Open()
	if err != nil {
		add(CheckFormat, false, "选票文件无法读取")
		return
	}
	defer rc.Close()
	in := bufio.NewReaderSize(rc, 1<<20)
	h := sha256.New()
	// The count is the file's word until its records are read: it sizes nothing. Nothing
	// is kept per ballot either: the Merkle root is built as the receipts come, a level's
	// hash at a time, and a repeated ballot follows its original in receipt order, so the
	// memory stays that of the chunks being checked whatever the size of the box. A file
	// out of order fails the order check (and its root is not the one signed).
	var merkle merkleStream
	var last [sha256.Size]byte
	sorted := true
	var readErr error
	entries := func(yield func(boxEntry) bool) {
		for n := range file.Count {
			rec := make([]byte, file.RecordSize)
			if _, err := io.ReadFull(in, rec); err != nil {
				readErr = err
				return
			}
			h.Write(rec)
			r := sha256.Sum256(rec[recordHead:])
			if n > 0 && bytes.Compare(last[:], r[:]) > 0 {
				sorted = false
			}
			last = r
			merkle.add(r[:])
			e := boxEntry{marks: rec[recordHead:], broken: rec[2] != 0, receipt: r, hashed: true, ordered: true}
			if gi := int(binary.BigEndian.Uint16(rec)); gi < len(b.Poll.Groups) {
				e.group = b.Poll.Groups[gi].ID
			}
			if !yield(e) {
				return
			}
		}
		// The ZIP checks its CRC at the end of the member.
		if _, err := in.ReadByte(); err != io.EOF {
			readErr = errors.Join(err, errors.New("选票文件多出内容"))
		}
	}
	s := k.sum(entries, b.Turnout, nil)
	if readErr != nil {
		add(CheckFormat, false, "选票文件不完整或已损坏")
		return
	}
	root := hex.EncodeToString(merkle.root())
	add("票箱默克尔根", root == b.MerkleRoot, "由每张选票密文的哈希（回执）算出，根 %s", b.MerkleRoot)
	add("选票文件与清单一致", hex.EncodeToString(h.Sum(nil)) == file.SHA256 && sorted,
		"%d 张选票按回执排列，文件哈希与签名清单中的相同", file.Count)
	verifySums(b, k, s, add)
}

// FindReceipt looks a receipt code (as the voter was shown it, ReceiptCode) up in a
// version 5 bundle file by bisection over its records, reading about log₂(n) of them.
// It returns the ballot's place (from 1) or 0. The file's signature is not checked here.
func FindReceipt(r io.ReaderAt, size int64, code string) (int, error) {
	tok, err := ParseToken(code)
	if err != nil {
		return 0, Errorf(EINVALID, "回执码应为16位字母和数字")
	}
	want := tok.Grouped()
	f, err := openBundle5(r, size)
	if err != nil {
		return 0, Errorf(EINVALID, "不是第5版计票结果文件（.zip）")
	}
	var b Bundle
	if err := json.Unmarshal(f.signed.Bundle, &b); err != nil || b.Box == nil || b.Box.File == nil {
		return 0, Errorf(EINVALID, "不是第5版计票结果文件（.zip）")
	}
	file := b.Box.File
	off, err := f.ballots.DataOffset()
	if err != nil || f.ballots.Method != zip.Store || file.RecordSize <= recordHead ||
		f.ballots.UncompressedSize64 != uint64(file.Count)*uint64(file.RecordSize) {
		return 0, Errorf(EINVALID, "选票文件的大小与清单不符")
	}
	rec := make([]byte, file.RecordSize)
	var readErr error
	codeAt := func(i int) string {
		if _, err := r.ReadAt(rec, off+int64(i)*int64(file.RecordSize)); err != nil {
			readErr = err
			return ""
		}
		h := sha256.Sum256(rec[recordHead:])
		return ReceiptCode(h[:])
	}
	i := sort.Search(file.Count, func(i int) bool { return codeAt(i) >= want })
	if readErr != nil {
		return 0, readErr
	}
	if i < file.Count && codeAt(i) == want {
		return i + 1, readErr
	}
	return 0, readErr
}

// Bundle5Marks says whether a signed bundle is a version 5 manifest, and the length of
// its ballots' marks, which the box is read by (the store orders it by their hash).
func Bundle5Marks(s *Signed) (int, bool) {
	var b struct {
		Version string `json:"version"`
		Box     *struct {
			File *BallotsFile `json:"ballots_file"`
		} `json:"box"`
	}
	if json.Unmarshal(s.Bundle, &b) != nil || b.Version != BundleVersion5 || b.Box == nil || b.Box.File == nil {
		return 0, false
	}
	return b.Box.File.RecordSize - recordHead, true
}
