package ballot

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
)

// box5 is a counted box of a small poll with its version 5 manifest, signed.
type box5 struct {
	p       *Poll
	k       *BoxKey
	dk      dealt
	box     []SealedBallot
	turnout []Turnout
	s       *BoxSums
	b       *Bundle
	key     ed25519.PrivateKey
}

// newBox5 is the test's own copy of a box5 counted once a process: its ballots and its
// manifest may be changed; the poll, key, shares, sums and signing key are only read.
func newBox5(t testing.TB) *box5 {
	t.Helper()
	x := *sharedBox5(t)
	x.box = cloneBox(x.box)
	x.turnout = slices.Clone(x.turnout)
	x.b = cloneBundle(t, x.b)
	return &x
}

// cloneBundle copies a bundle as a verifier reads it.
func cloneBundle(t testing.TB, b *Bundle) *Bundle {
	t.Helper()
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var c Bundle
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

var sharedBox5 = shared(func(t testing.TB) *box5 {
	p := boxPoll(t)
	dk := deal(t)
	k, err := NewBoxKey(p, dk.public)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(5, 5))
	box, kept := encryptBox(t, k, p, randomBox(rng, p)[:24])
	turnout := turnoutOf(kept)
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 3)
	b, err := k.NewBundle5(turnout, box, s, partials, opened, dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	return &box5{p: p, k: k, dk: dk, box: box, turnout: turnout, s: s, b: b, key: key}
})

// file writes the bundle as the server does, from the box.
func (x *box5) file(t testing.TB) []byte {
	t.Helper()
	signed, err := Sign(x.b, x.key)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteBundle5(&out, signed, seq2(x.box)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func seq2(box []SealedBallot) func(func(SealedBallot, error) bool) {
	return func(yield func(SealedBallot, error) bool) {
		for _, b := range box {
			if !yield(b, nil) {
				return
			}
		}
	}
}

// forge writes a version 5 file of the manifest and records given, with the manifest's
// account of them (count, hash, Merkle root) made to fit and signed: a server that
// signs a box changed behind it, with the tally it counted before.
func forge(t *testing.T, b *Bundle, recs [][]byte, key ed25519.PrivateKey) []byte {
	t.Helper()
	c := cloneBundle(t, b)
	h := sha256.New()
	var receipts [][]byte
	for _, r := range recs {
		h.Write(r)
		sum := sha256.Sum256(r[recordHead:])
		receipts = append(receipts, sum[:])
	}
	c.Box.File.Count, c.Box.File.SHA256 = len(recs), hex.EncodeToString(h.Sum(nil))
	c.MerkleRoot = hex.EncodeToString(MerkleRoot(receipts))
	signed, err := Sign(c, key)
	if err != nil {
		t.Fatal(err)
	}
	return zip5(t, signed, recs)
}

func zip5(t testing.TB, signed *Signed, recs [][]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	manifest, _ := json.Marshal(signed)
	w, _ := z.CreateHeader(&zip.FileHeader{Name: bundleManifest, Method: zip.Store})
	w.Write(manifest)
	w, _ = z.CreateHeader(&zip.FileHeader{Name: bundleBallots, Method: zip.Store})
	for _, r := range recs {
		w.Write(r)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func (x *box5) records() [][]byte {
	index := x.k.groupIndex()
	var out [][]byte
	for _, sb := range x.box {
		out = append(out, x.k.appendRecord(nil, index, sb))
	}
	return out
}

func verify5(x *box5, file []byte) ([]Check, *Bundle) {
	checks, b, _ := VerifyFile(bytes.NewReader(file), int64(len(file)), trustOnly(x.key.Public().(ed25519.PublicKey)))
	return checks, b
}

func TestBundle5VerifiesAsAStream(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	x := newBox5(t)
	file := x.file(t)
	checks, b := verify5(x, file)
	if f := failedChecks(checks); len(f) > 0 || b == nil {
		t.Fatalf("a fresh version 5 bundle fails: %q", f)
	}
	names := map[string]bool{}
	for _, c := range checks {
		names[c.Name] = true
	}
	for _, want := range []string{"票箱默克尔根", "每张选票的零知识证明", "密文逐项相加 = 文件中的和", "监票人部分解密的证明", CheckRecount} {
		if !names[want] {
			t.Errorf("the check %q was not made: %v", want, checks)
		}
	}
	// The manifest alone is not the bundle: without its ballots nothing was recounted.
	var signed Signed
	z, _ := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	r, _ := z.File[0].Open()
	json.NewDecoder(r).Decode(&signed)
	if checks, _ := Verify(&signed, x.key.Public().(ed25519.PublicKey)); Verified(checks) {
		t.Fatal("the manifest verifies without its ballots")
	}
	// Signed by a key not pinned: not read further.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if checks, _, _ := VerifyFile(bytes.NewReader(file), int64(len(file)), trustOnly(other)); Verified(checks) || len(checks) != 2 {
		t.Fatalf("a bundle of an unknown signer: %v", checks)
	}
}

// Every voter finds their receipt code in the file, at their ballot's place, by reading
// a few records; a code not in the box is not found.
func TestBundle5FindsReceipts(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	x := newBox5(t)
	file := x.file(t)
	for i, sb := range x.box {
		code := ReceiptCode(x.k.Receipt(sb.Sealed))
		at, err := FindReceipt(bytes.NewReader(file), int64(len(file)), strings.ToLower(code))
		if err != nil || at != i+1 {
			t.Fatalf("receipt %s of ballot %d: found at %d (%v)", code, i+1, at, err)
		}
	}
	var other [32]byte
	other[0] = 0x7f
	if at, err := FindReceipt(bytes.NewReader(file), int64(len(file)), ReceiptCode(other[:])); at != 0 || err != nil {
		t.Fatalf("a receipt not in the box found at %d (%v)", at, err)
	}
	if _, err := FindReceipt(bytes.NewReader(file), int64(len(file)), "12"); ErrorCode(err) != EINVALID {
		t.Fatalf("a malformed code: %v", err)
	}
}

// Whatever is changed in the ballots, re-signed or not, the streamed check finds it.
func TestBundle5CatchesChanges(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	x := newBox5(t)
	pk, _ := elgamal.ParsePublicKey(x.dk.public)
	two := elgamal.Encrypt(pk, 2, mustScalar(t))
	twoRaw, _ := two.MarshalBinary()
	index := x.k.groupIndex()
	// The forger's way, with the ballot's own ciphertext, makes a bundle that verifies: what
	// fails below is the forged ciphertext, not the way it was put in.
	orig, _ := elgamal.ParseCiphertext(x.box[0].Sealed[1 : 1+elgamal.CiphertextSize])
	if checks, _ := verify5(x, x.refit(t, orig)); !Verified(checks) {
		t.Fatalf("an unchanged box counted again fails: %q", failedChecks(checks))
	}
	cases := map[string]func() []byte{
		"a byte of a ballot flipped, not signed again": func() []byte {
			file := x.file(t)
			recs := x.records()
			at := bytes.Index(file, recs[3])
			file[at+recordHead+40] ^= 1
			return file
		},
		"a ciphertext of 2 in place of a cell": func() []byte {
			recs := x.records()
			copy(recs[0][recordHead+1:], twoRaw)
			return forge(t, x.b, sortRecords(recs), x.key)
		},
		// A server that adds a forged ballot into the sums, has the tellers decrypt
		// them and counts what they give: only the ballot's proofs tell.
		"a ciphertext of 2 with the sums, the decryptions and the tally made to fit": func() []byte {
			return x.refit(t, two)
		},
		"a ballot dropped": func() []byte {
			return forge(t, x.b, x.records()[1:], x.key)
		},
		"a ballot repeated in place of another": func() []byte {
			recs := x.records()
			recs[1] = slices.Clone(recs[0])
			return forge(t, x.b, sortRecords(recs), x.key)
		},
		"a ballot moved to another group": func() []byte {
			recs := x.records()
			g := index[otherGroup(x.p, x.box[2].Group)]
			binary.BigEndian.PutUint16(recs[2], uint16(g))
			return forge(t, x.b, recs, x.key)
		},
		"two ballots out of receipt order": func() []byte {
			recs := x.records()
			recs[0], recs[1] = recs[1], recs[0]
			return forge(t, x.b, recs, x.key)
		},
		"a sum altered": func() []byte {
			c := cloneBundle(t, x.b)
			c.Box.Sums[0][5] ^= 1
			return forge(t, c, x.records(), x.key)
		},
	}
	for name, make := range cases {
		checks, _ := verify5(x, make())
		if Verified(checks) {
			t.Errorf("%s: the bundle still verifies", name)
		}
		t.Logf("%s: %q", name, failedChecks(checks))
	}
}

// sortRecords puts records in receipt order, as a forger would to pass that check.
func sortRecords(recs [][]byte) [][]byte {
	slices.SortStableFunc(recs, func(a, b []byte) int {
		ha, hb := sha256.Sum256(a[recordHead:]), sha256.Sum256(b[recordHead:])
		return bytes.Compare(ha[:], hb[:])
	})
	return recs
}

// The writer refuses a box that is not the one the manifest certifies, instead of writing
// a file whose ballots are another box's.
func TestBundle5WriterRefusesAnotherBox(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	x := newBox5(t)
	signed, err := Sign(x.b, x.key)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteBundle5(&out, signed, seq2(x.box[1:])); err == nil {
		t.Fatal("a box with a ballot missing was written as the certified one")
	}
}

// A ballot of the wrong length in the box is listed, and counted as unreadable by the
// count and the verifier alike.
func TestBundle5ListsABallotOfTheWrongLength(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept, _ := keptPoll(t, false)
	box, kept = box[:12], kept[:12]
	turnout := turnoutOf(kept)
	box[4].Sealed = box[4].Sealed[:k.marks-7]
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 2)
	if tl.Rejected != 1 {
		t.Fatalf("%d rejected, want the short ballot", tl.Rejected)
	}
	b, err := k.NewBundle5(turnout, box, s, partials, opened, dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	x := &box5{p: p, k: k, dk: dk, box: box, b: b, key: key}
	if f := failedChecks(mustChecks(verify5(x, x.file(t)))); len(f) > 0 {
		t.Fatalf("the bundle of a box with a short ballot fails: %q", f)
	}
}

func mustChecks(c []Check, _ *Bundle) []Check { return c }

func trustOnly(k ed25519.PublicKey) func(ed25519.PublicKey) bool {
	return func(p ed25519.PublicKey) bool { return k.Equal(p) }
}

// `minyi verify` of a counted 2,000-ballot thirty-subject box, streamed: every proof,
// the sums, the partial decryption, the recount. With MINYI_BUNDLE_OUT set, the bundle
// and its signing key are left there (bundle.zip, key.pub) to measure the real binary:
// /usr/bin/time -v minyi verify -keyfile $MINYI_BUNDLE_OUT/key.pub $MINYI_BUNDLE_OUT/bundle.zip
func BenchmarkVerifyBundle5x2000x30(b *testing.B) { benchVerify5(b, 30, 2000) }

func benchVerify5(b *testing.B, subjects, n int) {
	k, box, d := benchBoxDealt(b, subjects, n)
	benchVerifyBox(b, k, box, d, []Turnout{{Group: "g", Issued: n, Used: n}})
}

// benchVerifyBox counts a box, writes its version 5 bundle and measures VerifyFile on it.
func benchVerifyBox(b *testing.B, k *BoxKey, box []SealedBallot, d elgamal.Dealing, turnout []Turnout) {
	benchVerifyBoxSums(b, k, box, d, turnout, func() *BoxSums { return k.Sum(box, turnout) })
}

// benchVerifyBoxSums is benchVerifyBox with the box's sums worked out by sum, after the box
// is sorted.
func benchVerifyBoxSums(b *testing.B, k *BoxKey, box []SealedBallot, d elgamal.Dealing, turnout []Turnout, sum func() *BoxSums) {
	k.SortBox(box)
	s := sum()
	points, err := s.Points()
	if err != nil {
		b.Fatal(err)
	}
	part := elgamal.PartialDecrypt(1, d.Shares[0], points, k.CountContext(), rand.Reader)
	combined, err := elgamal.CombinePartials([]elgamal.Partial{part}, 1)
	if err != nil {
		b.Fatal(err)
	}
	rows, opened, err := k.Decrypt(s, combined)
	if err != nil {
		b.Fatal(err)
	}
	tl := k.CountBox(turnout, s, rows, k.Texts(s, opened))
	share := elgamal.PointBytes(elgamal.PublicShare(1, [][]group.Element{d.Commitments}))
	bundle, err := k.NewBundle5(turnout, box, s, []elgamal.Partial{part}, opened, [][]byte{share}, 1, tl, "minyi bench", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	signed, err := Sign(bundle, key)
	if err != nil {
		b.Fatal(err)
	}
	dir := cmp.Or(os.Getenv("MINYI_BUNDLE_OUT"), b.TempDir())
	path := filepath.Join(dir, "bundle.zip")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := WriteBundle5(f, signed, seq2(box)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	os.WriteFile(filepath.Join(dir, "key.pub"), []byte(base64.StdEncoding.EncodeToString(pub)+"\n"), 0o600)
	box, s = nil, nil
	st, _ := os.Stat(path)
	b.ReportMetric(float64(st.Size())/(1<<20), "MB")
	if os.Getenv("MINYI_BUNDLE_ONLY") != "" {
		b.Skipf("bundle of %d MB left in %s", st.Size()>>20, dir)
	}
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		checks, _, _ := VerifyFile(f, st.Size(), trustOnly(pub))
		f.Close()
		if !Verified(checks) {
			b.Fatalf("the bundle fails: %q", failedChecks(checks))
		}
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// refit is the file of a box whose first ballot's first cell is forged to ct, counted as
// if the ballot were sound: the sums carry it, the tellers decrypt them, the tally counts
// it, and all is signed.
func (x *box5) refit(t *testing.T, ct elgamal.Ciphertext) []byte {
	t.Helper()
	g := group.Ristretto255
	box := slices.Clone(x.box)
	forged := slices.Clone(box[0].Sealed)
	orig, err := elgamal.ParseCiphertext(forged[1 : 1+elgamal.CiphertextSize])
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := ct.MarshalBinary()
	copy(forged[1:], raw)
	box[0].Sealed = forged
	s := *x.s
	s.Sums = make([][]elgamal.Ciphertext, len(x.s.Sums))
	for r := range s.Sums {
		s.Sums[r] = slices.Clone(x.s.Sums[r])
	}
	gi := x.k.groupIndex()[box[0].Group]
	cell := &s.Sums[s.Rows.Of[gi]][0]
	cell.Add(*cell, ct)
	cell.Add(*cell, elgamal.Ciphertext{A: g.NewElement().Neg(orig.A), B: g.NewElement().Neg(orig.B)})
	points, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	var partials []elgamal.Partial
	for _, j := range []int{1, 3} {
		partials = append(partials, elgamal.PartialDecrypt(j, x.dk.d.Shares[j-1], points, x.k.CountContext(), rand.Reader))
	}
	combined, err := elgamal.CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, opened, err := x.k.Decrypt(&s, combined)
	if err != nil {
		t.Fatal(err)
	}
	tl := x.k.CountBox(x.turnout, &s, rows, x.k.Texts(&s, opened))
	x.k.SortBox(box)
	b, err := x.k.NewBundle5(x.turnout, box, &s, partials, opened, x.dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := Sign(b, x.key)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteBundle5(&out, signed, seq2(box)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// FuzzVerifyFile: a version 5 file, however cut or changed, is checked and reported, never
// a crash, and never takes memory its manifest only claims (a billion ballots).
func FuzzVerifyFile(f *testing.F) {
	withoutRace(f)
	x := newBox5(f)
	file := x.file(f)
	f.Add(file)
	f.Add(file[:len(file)/2])
	f.Add(file[len(file)-200:])
	f.Add([]byte("PK\x03\x04"))
	// A manifest that claims a billion ballots in a member of a few.
	c := *x.b
	bf := *c.Box.File
	bf.Count = 1 << 30
	box := *c.Box
	box.File = &bf
	c.Box = &box
	signed, _ := Sign(&c, x.key)
	f.Add(zip5(f, signed, x.records()))
	trust := trustOnly(x.key.Public().(ed25519.PublicKey))
	f.Fuzz(func(t *testing.T, data []byte) {
		checks, _, _ := VerifyFile(bytes.NewReader(data), int64(len(data)), trust)
		if len(checks) == 0 {
			t.Fatal("no checks reported")
		}
		for _, c := range checks {
			if !chinese(c.Name) {
				t.Fatalf("a check without a name: %+v", c)
			}
		}
	})
}

// A version 4 file (one JSON) still verifies as `minyi verify` and /verify read files.
func TestVerifyFileReadsVersion4(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	b, key := signedBox(t)
	signed, err := Sign(b, key)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(signed)
	checks, got, _ := VerifyFile(bytes.NewReader(raw), int64(len(raw)), trustOnly(key.Public().(ed25519.PublicKey)))
	if !Verified(checks) || got.Version != BundleVersion4 || got.BallotCount() != len(b.Box.Ballots) {
		t.Fatalf("a version 4 file: %q", failedChecks(checks))
	}
}
