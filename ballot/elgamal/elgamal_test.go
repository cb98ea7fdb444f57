package elgamal

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/cloudflare/circl/group"
)

// seeded is a deterministic reader (SHA-256 in counter mode) so tests and vectors repeat.
type seeded struct {
	seed [32]byte
	n    uint64
	buf  []byte
}

func newSeeded(label string) *seeded { return &seeded{seed: sha256.Sum256([]byte(label))} }

func (s *seeded) Read(p []byte) (int, error) {
	for len(s.buf) < len(p) {
		var blk [40]byte
		copy(blk[:], s.seed[:])
		binary.BigEndian.PutUint64(blk[32:], s.n)
		s.n++
		h := sha256.Sum256(blk[:])
		s.buf = append(s.buf, h[:]...)
	}
	copy(p, s.buf)
	s.buf = s.buf[len(p):]
	return len(p), nil
}

// testKey is a dealt k-of-n key: the tellers' shares and public shares.
type testKey struct {
	pk     *PublicKey
	k      int
	shares []group.Scalar  // shares[j-1] = s_j
	pub    []group.Element // pub[j-1] = P_j
}

func dealKey(t testing.TB, k, n int, rnd *seeded) testKey {
	t.Helper()
	dealings := make([]Dealing, n)
	commitments := make([][]group.Element, n)
	for i := range dealings {
		dealings[i] = Deal(k, n, rnd)
		commitments[i] = dealings[i].Commitments
	}
	key := testKey{pk: JointKey(commitments), k: k}
	for j := 1; j <= n; j++ {
		received := make([]group.Scalar, n)
		for i := range dealings {
			received[i] = dealings[i].Shares[j-1]
			if !VerifyDealt(j, received[i], commitments[i]) {
				t.Fatalf("teller %d refuses dealer %d's honest share", j, i+1)
			}
		}
		s := CombineDealt(received)
		key.shares = append(key.shares, s)
		p := PublicShare(j, commitments)
		if !p.IsEqual(grp.NewElement().MulGen(s)) {
			t.Fatalf("public share of teller %d is not s_j·G", j)
		}
		key.pub = append(key.pub, p)
	}
	return key
}

var testCtx = []byte("poll-1/test-context")

func sumPoints(sums []Ciphertext) []group.Element {
	pts := make([]group.Element, len(sums))
	for i, s := range sums {
		pts[i] = s.A
	}
	return pts
}

// decrypt runs the count's decryption with the tellers listed, verifying every partial.
func (key testKey) decrypt(t *testing.T, sums []Ciphertext, tellers []int, max int) ([]int, error) {
	t.Helper()
	pts := sumPoints(sums)
	var partials []Partial
	for _, j := range tellers {
		p := PartialDecrypt(j, key.shares[j-1], pts, testCtx, rand.Reader)
		if err := VerifyPartial(key.pub[j-1], pts, p, testCtx); err != nil {
			t.Fatalf("honest partial of teller %d refused: %v", j, err)
		}
		partials = append(partials, p)
	}
	combined, err := CombinePartials(partials, key.k)
	if err != nil {
		return nil, err
	}
	return DecryptSums(sums, combined, max)
}

// A whole poll in small: a 3-of-5 key, ballots filled from prepared lines, verified, summed
// and decrypted by every set of three tellers.
func TestBoxCountsWhatWasMarked(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("box")
	key := dealKey(t, 3, 5, rnd)
	ballots := [][]uint8{
		{1, 0, 0, 0},
		{0, 1, 0, 0},
		{0, 0, 0, 1}, // invalid
		{0, 0, 0, 0}, // blank
		{0, 1, 0, 0},
		{0, 0, 1, 0},
	}
	const limit = 1
	sums := make([]Ciphertext, 4)
	for i := range sums {
		sums[i] = Zero()
	}
	for _, marks := range ballots {
		line, err := PrepareLine(key.pk, testCtx, 4, limit, rnd).Fill(marks)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := line.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != LineSize(4, limit) {
			t.Fatalf("encoded line is %d bytes, LineSize says %d", len(enc), LineSize(4, limit))
		}
		back, err := ParseLine(enc, 4, limit)
		if err != nil {
			t.Fatal(err)
		}
		if !VerifyLine(key.pk, back, limit, testCtx) {
			t.Fatalf("honest line %v does not verify", marks)
		}
		for i := range sums {
			cb, _ := back.Cells[i].MarshalBinary()
			var scratch Ciphertext
			if err := sums[i].AddBytes(cb, &scratch); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []int{1, 2, 1, 1}
	for _, set := range [][]int{{1, 2, 3}, {1, 2, 4}, {1, 3, 5}, {2, 4, 5}, {3, 4, 5}, {5, 1, 3}} {
		got, err := key.decrypt(t, sums, set, len(ballots))
		if err != nil {
			t.Fatalf("tellers %v: %v", set, err)
		}
		if !equalInts(got, want) {
			t.Fatalf("tellers %v count %v, want %v", set, got, want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A 0/1 cell that holds 2 would count a voter twice: no claim makes its proof verify.
func TestCellOfTwoHasNoProof(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("two")
	key := dealKey(t, 1, 1, rnd)
	r := mustScalar(rnd)
	two := Encrypt(key.pk, 2, r)
	for claim := -1; claim <= 2; claim++ {
		p := ProveRange(key.pk, two, claim, r, 1, testCtx, rnd)
		if VerifyRange(key.pk, two, 1, p, testCtx) {
			t.Fatalf("an encryption of 2 passes as a 0/1 mark (claimed %d)", claim)
		}
	}
	// The same code proves honest values, and 2 within a bound of 2.
	for m := 0; m <= 1; m++ {
		ct := Encrypt(key.pk, uint64(m), r)
		if !VerifyRange(key.pk, ct, 1, ProveRange(key.pk, ct, m, r, 1, testCtx, rnd), testCtx) {
			t.Fatalf("honest proof of %d refused", m)
		}
	}
	if !VerifyRange(key.pk, two, 2, ProveRange(key.pk, two, 2, r, 2, testCtx, rnd), testCtx) {
		t.Fatal("honest proof of 2 ≤ 2 refused")
	}
}

func TestProofForAnotherPollFails(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("ctx")
	key := dealKey(t, 1, 1, rnd)
	line, err := PrepareLine(key.pk, testCtx, 3, 1, rnd).Fill([]uint8{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyLine(key.pk, line, 1, testCtx) {
		t.Fatal("honest line refused")
	}
	if VerifyLine(key.pk, line, 1, []byte("poll-2/test-context")) {
		t.Fatal("a line proven for one poll verifies for another")
	}
	other := dealKey(t, 1, 1, newSeeded("other key"))
	if VerifyLine(other.pk, line, 1, testCtx) {
		t.Fatal("a line proven under one key verifies under another")
	}
}

func TestLineOverLimitIsRefused(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("limit")
	key := dealKey(t, 1, 1, rnd)
	for _, c := range []struct {
		limit int
		marks []uint8
	}{
		{1, []uint8{1, 1, 0, 0}},
		{2, []uint8{1, 1, 1, 0}},
		{1, []uint8{1, 0, 0, 1}}, // a mark and "invalid"
		{3, []uint8{0, 1, 0, 1}},
		{1, []uint8{2, 0, 0, 0}},
		{1, []uint8{0, 0, 0}},
	} {
		p := PrepareLine(key.pk, testCtx, 4, c.limit, rnd)
		if _, err := p.Fill(c.marks); !errors.Is(err, ErrMarks) {
			t.Fatalf("limit %d, marks %v: Fill gave %v, want ErrMarks", c.limit, c.marks, err)
		}
	}
	// Limit 2: two marks, and "invalid" alone, are fine.
	for _, marks := range [][]uint8{{1, 1, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}} {
		line, err := PrepareLine(key.pk, testCtx, 4, 2, rnd).Fill(marks)
		if err != nil || !VerifyLine(key.pk, line, 2, testCtx) {
			t.Fatalf("limit 2, marks %v: %v", marks, err)
		}
	}
}

// A line whose cells are each a valid 0/1 but whose marks break the limit: whatever line
// proof comes with it, borrowed or made up, VerifyLine refuses it.
func TestForgedLineProofFails(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("forge")
	key := dealKey(t, 1, 1, rnd)
	marks := []int{1, 1, 0}
	line := Line{}
	rs := make([]group.Scalar, len(marks))
	sumR := grp.NewScalar()
	for i, m := range marks {
		rs[i] = mustScalar(rnd)
		ct := Encrypt(key.pk, uint64(m), rs[i])
		line.Cells = append(line.Cells, ct)
		line.CellProofs = append(line.CellProofs, ProveRange(key.pk, ct, m, rs[i], 1, testCtx, rnd))
		sumR.Add(sumR, rs[i]) // the invalid cell is 0, its weight does not matter here
	}
	sum := LineSum(line.Cells, 1)
	for claim := 0; claim <= 2; claim++ {
		line.LineProof = ProveRange(key.pk, sum, claim, sumR, 1, testCtx, rnd)
		if VerifyLine(key.pk, line, 1, testCtx) {
			t.Fatalf("two marks under limit 1 pass with a line proof claiming %d", claim)
		}
	}
	honest, err := PrepareLine(key.pk, testCtx, 3, 1, rnd).Fill([]uint8{1, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	line.LineProof = honest.LineProof
	if VerifyLine(key.pk, line, 1, testCtx) {
		t.Fatal("two marks pass with another line's proof")
	}
	// And a valid line whose proof is touched in one byte.
	enc, _ := honest.AppendBinary(nil)
	enc[len(enc)-40] ^= 1
	if l, err := ParseLine(enc, 3, 1); err == nil && VerifyLine(key.pk, l, 1, testCtx) {
		t.Fatal("a line with a flipped proof byte verifies")
	}
}

func TestPreparedLineIsUsedOnce(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("once")
	key := dealKey(t, 1, 1, rnd)
	p := PrepareLine(key.pk, testCtx, 3, 1, rnd)
	if _, err := p.Fill([]uint8{1, 1, 0}); !errors.Is(err, ErrMarks) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := p.Fill([]uint8{1, 0, 0}); err != nil {
		t.Fatalf("a refused Fill must not spend the preparation: %v", err)
	}
	if _, err := p.Fill([]uint8{0, 1, 0}); !errors.Is(err, ErrUsed) {
		t.Fatalf("second Fill gave %v, want ErrUsed", err)
	}
}

func TestPartialWithWrongShareFails(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("partial")
	key := dealKey(t, 2, 3, rnd)
	sums := []Ciphertext{Encrypt(key.pk, 3, mustScalar(rnd)), Encrypt(key.pk, 0, mustScalar(rnd))}
	pts := sumPoints(sums)
	// Teller 2 uses teller 3's share: its proof must fail against P_2.
	wrong := PartialDecrypt(2, key.shares[2], pts, testCtx, rnd)
	if err := VerifyPartial(key.pub[1], pts, wrong, testCtx); !errors.Is(err, ErrProof) {
		t.Fatalf("partial with a wrong share: %v, want ErrProof", err)
	}
	good := PartialDecrypt(2, key.shares[1], pts, testCtx, rnd)
	if err := VerifyPartial(key.pub[1], pts, good, testCtx); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPartial(key.pub[1], pts, good, []byte("another poll")); err == nil {
		t.Fatal("a partial verifies under another context")
	}
	// One decryption share swapped for a made-up point.
	bad := good
	bad.D = append([]group.Element{}, good.D...)
	bad.D[1] = grp.NewElement().Add(bad.D[1], grp.Generator())
	if err := VerifyPartial(key.pub[1], pts, bad, testCtx); err == nil {
		t.Fatal("a partial with an altered share point verifies")
	}
	// The same partial presented for other points.
	swapped := []group.Element{pts[1], pts[0]}
	if err := VerifyPartial(key.pub[1], swapped, good, testCtx); err == nil {
		t.Fatal("a partial verifies for points it did not decrypt")
	}
}

func TestTamperedSumIsNotCounted(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	rnd := newSeeded("tamper")
	key := dealKey(t, 2, 3, rnd)
	sum := Encrypt(key.pk, 7, mustScalar(rnd))
	got, err := key.decrypt(t, []Ciphertext{sum}, []int{1, 3}, 100)
	if err != nil || got[0] != 7 {
		t.Fatalf("honest sum: %v %v", got, err)
	}
	plusOne := Ciphertext{A: sum.A, B: grp.NewElement().Add(sum.B, grp.Generator())}
	got, err = key.decrypt(t, []Ciphertext{plusOne}, []int{1, 3}, 100)
	if err != nil || got[0] != 8 {
		t.Fatalf("B + G decrypts to %v (%v), want 8: the sum is taken as it is", got, err)
	}
	garbage := Ciphertext{A: sum.A, B: grp.HashToElement([]byte("garbage"), []byte("test"))}
	if _, err := key.decrypt(t, []Ciphertext{garbage}, []int{1, 3}, 100000); !errors.Is(err, ErrNoResult) {
		t.Fatalf("garbage sum: %v, want ErrNoResult", err)
	}
	// A count just over max is refused, not wrapped.
	if _, err := key.decrypt(t, []Ciphertext{sum}, []int{1, 3}, 6); !errors.Is(err, ErrNoResult) {
		t.Fatalf("7 with max 6: %v, want ErrNoResult", err)
	}
}

func TestLargeCountsDecrypt(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	rnd := newSeeded("large")
	key := dealKey(t, 1, 1, rnd)
	want := []int{0, 65535, 65536, 1234567, 3000000}
	sums := make([]Ciphertext, len(want))
	for i, m := range want {
		sums[i] = Encrypt(key.pk, uint64(m), mustScalar(rnd))
	}
	got, err := key.decrypt(t, sums, []int{1}, 3000000)
	if err != nil || !equalInts(got, want) {
		t.Fatalf("got %v (%v), want %v", got, err, want)
	}
}

func TestQuorumIsNeeded(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("quorum")
	key := dealKey(t, 3, 4, rnd)
	sums := []Ciphertext{Encrypt(key.pk, 5, mustScalar(rnd))}
	pts := sumPoints(sums)
	var two []Partial
	for _, j := range []int{1, 4} {
		two = append(two, PartialDecrypt(j, key.shares[j-1], pts, testCtx, rnd))
	}
	if _, err := CombinePartials(two, 3); !errors.Is(err, ErrQuorum) {
		t.Fatalf("two of a 3-of-4 key combine: %v", err)
	}
	if _, err := CombinePartials(append(two, two[0]), 3); !errors.Is(err, ErrQuorum) {
		t.Fatalf("a teller counted twice makes a quorum: %v", err)
	}
	// What two tellers can do even if they pretend the quorum is 2: a wrong count, not 5.
	if combined, err := CombinePartials(two, 2); err == nil {
		if got, err := DecryptSums(sums, combined, 1000); err == nil && got[0] == 5 {
			t.Fatal("two partials of a 3-of-4 key decrypt the sum")
		}
	}
	for _, set := range [][]int{{1, 2, 3}, {1, 2, 4}, {1, 3, 4}, {2, 3, 4}, {1, 2, 3, 4}} {
		got, err := key.decrypt(t, sums, set, 10)
		if err != nil || got[0] != 5 {
			t.Fatalf("tellers %v: %v %v", set, got, err)
		}
	}
}

func TestDealtShareIsChecked(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("dealt")
	d := Deal(2, 3, rnd)
	if !VerifyDealt(2, d.Shares[1], d.Commitments) {
		t.Fatal("honest share refused")
	}
	if VerifyDealt(3, d.Shares[1], d.Commitments) {
		t.Fatal("teller 2's share passes as teller 3's")
	}
	bad := grp.NewScalar().Add(d.Shares[1], grp.NewScalar().SetUint64(1))
	if VerifyDealt(2, bad, d.Commitments) {
		t.Fatal("an altered share verifies")
	}
}

func TestShareCode(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("code")
	s := mustScalar(rnd)
	code := EncodeShare("poll-42", 3, s)
	if n := len(strings.ReplaceAll(code, "-", "")); n != 60 || strings.Count(code, "-") != 14 {
		t.Fatalf("code %q: %d symbols", code, n)
	}
	j, back, err := DecodeShare("poll-42", strings.ToLower(strings.ReplaceAll(code, "-", " ")))
	if err != nil || j != 3 || !back.IsEqual(s) {
		t.Fatalf("round trip: %d %v %v", j, back, err)
	}
	if _, _, err := DecodeShare("poll-43", code); !errors.Is(err, ErrShareCodeCheck) {
		t.Fatalf("code of another poll: %v", err)
	}
	// Every single mistyped symbol is refused.
	plain := []byte(strings.ReplaceAll(code, "-", ""))
	for i := range plain {
		typo := append([]byte{}, plain...)
		typo[i] = crockford[(strings.IndexByte(crockford, typo[i])+1)%32]
		if _, _, err := DecodeShare("poll-42", string(typo)); err == nil {
			t.Fatalf("typo at symbol %d accepted", i)
		}
	}
	if _, _, err := DecodeShare("poll-42", code[:len(code)-1]); !errors.Is(err, ErrShareCode) {
		t.Fatalf("short code: %v", err)
	}
	if _, _, err := DecodeShare("poll-42", "U"+code[1:]); !errors.Is(err, ErrShareCode) {
		t.Fatalf("code with U: %v", err)
	}
}

func TestShareProof(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("share proof")
	key := dealKey(t, 2, 3, rnd)
	proof := ProveShare(1, key.shares[0], []byte("challenge-1"), rnd)
	if err := VerifyShare(key.pub[0], []byte("challenge-1"), proof); err != nil {
		t.Fatal(err)
	}
	if err := VerifyShare(key.pub[0], []byte("challenge-2"), proof); err == nil {
		t.Fatal("a share proof replays on another challenge")
	}
	if err := VerifyShare(key.pub[1], []byte("challenge-1"), proof); err == nil {
		t.Fatal("teller 1's proof passes for teller 2")
	}
	wrong := ProveShare(1, key.shares[1], []byte("challenge-1"), rnd)
	if err := VerifyShare(key.pub[0], []byte("challenge-1"), wrong); err == nil {
		t.Fatal("a proof with another share passes")
	}
}

func TestSealedText(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("text")
	key := dealKey(t, 2, 3, rnd)
	texts := [][]byte{[]byte("建议加强基层调研"), {}, bytes.Repeat([]byte("x"), 64)}
	for _, text := range texts {
		sealed, err := SealText(key.pk, testCtx, text, 64, rnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != SealedTextSize(64) {
			t.Fatalf("sealed %d bytes, want %d whatever the text", len(sealed), SealedTextSize(64))
		}
		r, err := TextPoint(sealed)
		if err != nil {
			t.Fatal(err)
		}
		pts := []group.Element{r}
		var partials []Partial
		for _, j := range []int{2, 3} {
			p := PartialDecrypt(j, key.shares[j-1], pts, testCtx, rnd)
			if err := VerifyPartial(key.pub[j-1], pts, p, testCtx); err != nil {
				t.Fatal(err)
			}
			partials = append(partials, p)
		}
		combined, err := CombinePartials(partials, 2)
		if err != nil {
			t.Fatal(err)
		}
		got, err := OpenText(sealed, combined[0], testCtx)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("opened %q (%v), want %q", got, err, text)
		}
		if _, err := OpenText(sealed, combined[0], []byte("another poll")); err == nil {
			t.Fatal("a text opens under another context")
		}
		if _, err := OpenText(sealed, grp.NewElement().Mul(r, key.shares[0]), testCtx); err == nil {
			t.Fatal("a text opens with one teller's share")
		}
	}
	if _, err := SealText(key.pk, testCtx, bytes.Repeat([]byte("x"), 65), 64, rnd); !errors.Is(err, ErrTextTooLong) {
		t.Fatalf("too long: %v", err)
	}
}

func TestParseRefusesNonCanonical(t *testing.T) {
	t.Parallel()
	// p = 2^255 − 19 encodes 0 non-canonically; 1 is a "negative" field element, which
	// ristretto255 refuses; all ones is above p.
	p := []byte{0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}
	one := make([]byte, 32)
	one[0] = 1
	ones := bytes.Repeat([]byte{0xff}, 32)
	for name, b := range map[string][]byte{"p": p, "one": one, "ones": ones, "short": make([]byte, 31)} {
		if _, err := ParsePoint(b); err == nil {
			t.Errorf("point %s accepted", name)
		}
		if _, err := ParseCiphertext(append(PointBytes(grp.Generator()), b...)); err == nil {
			t.Errorf("ciphertext with B = %s accepted", name)
		}
	}
	if _, err := ParsePublicKey(make([]byte, 32)); err == nil {
		t.Error("identity public key accepted")
	}
	// ℓ itself, the group order, is a non-canonical zero.
	order := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	if _, err := ParseScalar(order); err == nil {
		t.Error("scalar ℓ accepted")
	}
	// A proof whose v_1 (its last scalar) is ℓ, and one whose a_0 is not a point.
	honest := ProveRange(&PublicKey{K: grp.Generator()}, Encrypt(&PublicKey{K: grp.Generator()}, 1, grp.NewScalar().SetUint64(5)),
		1, grp.NewScalar().SetUint64(5), 1, testCtx, newSeeded("nc")).AppendBinary(nil)
	if _, err := ParseRangeProof(honest, 1); err != nil {
		t.Fatalf("honest proof refused: %v", err)
	}
	if _, err := ParseRangeProof(append(honest[:len(honest)-32:len(honest)-32], order...), 1); err == nil {
		t.Error("range proof with scalar ℓ accepted")
	}
	if _, err := ParseRangeProof(append(append([]byte{}, ones...), honest[32:]...), 1); err == nil {
		t.Error("range proof with a non-point commitment accepted")
	}
	if _, err := ParseLine(make([]byte, LineSize(3, 1)-1), 3, 1); err == nil {
		t.Error("short line accepted")
	}
}

func TestRerandomizeKeepsTheMessage(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("rerandomize")
	key := dealKey(t, 1, 1, rnd)
	c := Encrypt(key.pk, 1, mustScalar(rnd))
	z := Encrypt(key.pk, 0, mustScalar(rnd))
	re := Rerandomize(c, z)
	if re.A.IsEqual(c.A) || re.B.IsEqual(c.B) {
		t.Fatal("rerandomized ciphertext unchanged")
	}
	got, err := key.decrypt(t, []Ciphertext{re}, []int{1}, 10)
	if err != nil || got[0] != 1 {
		t.Fatalf("got %v %v", got, err)
	}
}

// If the challenge did not bind the commitments, anyone could fix the challenge first and
// then solve for commitments that fit: a "proof" that 2 is 0 or 1. The forger here does
// exactly that; the verifier must refuse it alone and in a batch.
func TestChallengeBindsTheCommitments(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("forgery")
	key := dealKey(t, 1, 1, rnd)
	two := Encrypt(key.pk, 2, mustScalar(rnd))
	placeholder := [][]byte{PointBytes(grp.Identity()), PointBytes(grp.Identity())}
	c := rangeChallenge(key.pk.Bytes(), PointBytes(two.A), PointBytes(two.B), placeholder, placeholder, testCtx)
	c0 := mustScalar(rnd)
	cs := []group.Scalar{c0, grp.NewScalar().Sub(c, c0)}
	p := RangeProof{C: []group.Scalar{c0}}
	bj := two.B.Copy()
	for j := 0; j <= 1; j++ {
		v := mustScalar(rnd)
		a := grp.NewElement().MulGen(v)
		a.Add(a, grp.NewElement().Mul(two.A, cs[j]))
		b := grp.NewElement().Mul(key.pk.K, v)
		b.Add(b, grp.NewElement().Mul(bj, cs[j]))
		p.CommitA, p.CommitB, p.V = append(p.CommitA, a), append(p.CommitB, b), append(p.V, v)
		bj.Add(bj, grp.NewElement().Neg(grp.Generator()))
	}
	if VerifyRange(key.pk, two, 1, p, testCtx) {
		t.Fatal("a proof made before its commitments verifies: the challenge does not bind them")
	}
	batch := NewBatch(key.pk, testCtx)
	batch.AddRange(two, 1, p)
	if batch.Verify() {
		t.Fatal("a proof made before its commitments passes a batch")
	}
}

func TestPartialAndPointsRoundTrip(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("encode")
	key := dealKey(t, 2, 3, rnd)
	pts := []group.Element{Encrypt(key.pk, 1, mustScalar(rnd)).A, Encrypt(key.pk, 0, mustScalar(rnd)).A}
	p := PartialDecrypt(3, key.shares[2], pts, testCtx, rnd)
	enc, err := p.AppendBinary(nil)
	if err != nil || len(enc) != PartialSize(2) {
		t.Fatalf("%d bytes, %v", len(enc), err)
	}
	back, err := ParsePartial(enc, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyPartial(key.pub[2], pts, back, testCtx); err != nil || back.Teller != 3 {
		t.Fatalf("decoded partial: teller %d, %v", back.Teller, err)
	}
	if _, err := ParsePartial(enc[:len(enc)-1], 2); err == nil {
		t.Fatal("short partial accepted")
	}
	ps, err := ParsePoints(AppendPoints(nil, pts), 2)
	if err != nil || !ps[1].IsEqual(pts[1]) {
		t.Fatalf("points: %v", err)
	}
	other := dealKey(t, 1, 1, newSeeded("context key"))
	if bytes.Equal(PollContext("p1", key.pk), PollContext("p1", other.pk)) ||
		bytes.Equal(PollContext("p1", key.pk), PollContext("p2", key.pk)) {
		t.Fatal("poll context does not tell polls or keys apart")
	}
}

func TestDealtShareTravelsSealed(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("transport")
	x2, t2, err := NewTransportKey(rnd)
	if err != nil {
		t.Fatal(err)
	}
	x3, _, _ := NewTransportKey(rnd)
	d := Deal(2, 3, rnd)
	sealed, err := SealDealt(t2, "poll-7", 1, 2, d.Shares[1], rnd)
	if err != nil || len(sealed) != DealtShareSize {
		t.Fatalf("%d bytes, %v", len(sealed), err)
	}
	got, err := OpenDealt(x2, "poll-7", 1, 2, sealed)
	if err != nil || !got.IsEqual(d.Shares[1]) || !VerifyDealt(2, got, d.Commitments) {
		t.Fatalf("teller 2 opens %v, %v", got, err)
	}
	if _, err := OpenDealt(x3, "poll-7", 1, 2, sealed); err == nil {
		t.Fatal("another teller's transport key opens the share")
	}
	if _, err := OpenDealt(x2, "poll-7", 1, 3, sealed); err == nil {
		t.Fatal("a share sealed for teller 2 opens as teller 3's")
	}
	if _, err := OpenDealt(x2, "poll-8", 1, 2, sealed); err == nil {
		t.Fatal("a share opens for another poll")
	}
}

func TestDealtShareSizeIsASealedScalar(t *testing.T) {
	if DealtShareSize != SealedTextSize(ScalarSize) {
		t.Fatalf("DealtShareSize %d, a sealed scalar is %d", DealtShareSize, SealedTextSize(ScalarSize))
	}
}

// A count starts from the zero value and never writes into the ciphertexts it adds.
func TestSumStartsFromZeroValue(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("zero value")
	key := dealKey(t, 1, 1, rnd)
	cts := []Ciphertext{Encrypt(key.pk, 1, mustScalar(rnd)), Encrypt(key.pk, 1, mustScalar(rnd)), Encrypt(key.pk, 0, mustScalar(rnd))}
	first, _ := cts[0].MarshalBinary()
	var sum Ciphertext
	for _, c := range cts {
		sum.Add(sum, c)
	}
	if again, _ := cts[0].MarshalBinary(); !bytes.Equal(first, again) {
		t.Fatal("adding into a sum changed a ciphertext it added")
	}
	got, err := key.decrypt(t, []Ciphertext{sum}, []int{1}, 3)
	if err != nil || got[0] != 2 {
		t.Fatalf("sum decrypts to %v (%v), want 2", got, err)
	}
}

// The key's table must give exactly the variable-base product, edge scalars included.
func TestKeyTableMultiplies(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("table")
	pk := &PublicKey{K: grp.NewElement().MulGen(mustScalar(rnd))}
	edge := []group.Scalar{grp.NewScalar(), grp.NewScalar().SetUint64(1), grp.NewScalar().SetUint64(15),
		grp.NewScalar().SetUint64(16), grp.NewScalar().Neg(grp.NewScalar().SetUint64(1))}
	for i := 0; i < 20; i++ {
		edge = append(edge, mustScalar(rnd))
	}
	for i, s := range edge {
		if !pk.mulK(s).IsEqual(grp.NewElement().Mul(pk.K, s)) {
			t.Fatalf("scalar %d: table product differs", i)
		}
	}
}

// Voters submit at once: one key serves many goroutines, and a prepared line raced for by two
// submits gives exactly one of them a line.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	key := dealKey(t, 1, 1, newSeeded("concurrent"))
	pk, err := ParsePublicKey(key.pk.Bytes()) // a fresh key: its table is built under the race
	if err != nil {
		t.Fatal(err)
	}
	const workers = 4
	results := make(chan error, 2*workers)
	shared := PrepareLine(key.pk, testCtx, 3, 1, rand.Reader)
	for w := 0; w < workers; w++ {
		go func() {
			line, err := PrepareLine(pk, testCtx, 3, 1, rand.Reader).Fill([]uint8{0, 1, 0})
			if err == nil && !VerifyLine(pk, line, 1, testCtx) {
				err = errors.New("line does not verify")
			}
			results <- err
			_, err = shared.Fill([]uint8{1, 0, 0})
			results <- err
		}()
	}
	won := 0
	for i := 0; i < 2*workers; i++ {
		switch err := <-results; {
		case err == nil:
			won++
		case errors.Is(err, ErrUsed):
		default:
			t.Fatal(err)
		}
	}
	if won != workers+1 {
		t.Fatalf("%d successful fills, want %d own lines and one shared", won, workers+1)
	}
}

// "Invalid" plus a mark is a spoiled line that would still count the mark. A forger who sums
// the invalid cell with weight 1 (mark + invalid = 2 ≤ limit 2) gets a line proof for that
// sum; the verifier weighs the invalid cell by the limit and must refuse it.
func TestInvalidExcludesMarks(t *testing.T) {
	t.Parallel()
	rnd := newSeeded("invalid")
	key := dealKey(t, 1, 1, rnd)
	marks := []int{1, 0, 1} // option 1 and "invalid"
	var line Line
	sum, sumR := Zero(), grp.NewScalar()
	for _, m := range marks {
		r := mustScalar(rnd)
		ct := Encrypt(key.pk, uint64(m), r)
		line.Cells = append(line.Cells, ct)
		line.CellProofs = append(line.CellProofs, ProveRange(key.pk, ct, m, r, 1, testCtx, rnd))
		sum.Add(sum, ct)
		sumR.Add(sumR, r)
	}
	line.LineProof = ProveRange(key.pk, sum, 2, sumR, 2, testCtx, rnd)
	if !VerifyRange(key.pk, sum, 2, line.LineProof, testCtx) {
		t.Fatal("the forger's proof of its own sum should hold")
	}
	if VerifyLine(key.pk, line, 2, testCtx) {
		t.Fatal("a line with a mark and \"invalid\" verifies")
	}
	b := NewBatch(key.pk, testCtx)
	b.AddLine(line, 2)
	if b.Verify() {
		t.Fatal("a line with a mark and \"invalid\" passes a batch")
	}
}

// A message's m·G from the small table is the generator's multiple the full
// multiplication gives, for every size of m a cell's count may take.
func TestMulGenSmallIsMulGen(t *testing.T) {
	ms := []uint64{0, 1, 2, 15, 16, 17, 100, 255, 256, 4095, 65535, 65536, 1 << 32, 1<<63 - 1, 1 << 63, ^uint64(0)}
	for i := range 64 {
		ms = append(ms, 1<<i, 1<<i+(1<<i)/3)
	}
	for _, m := range ms {
		want := grp.NewElement().MulGen(grp.NewScalar().SetUint64(m))
		if got := mulGenSmall(m); !got.IsEqual(want) {
			t.Fatalf("mulGenSmall(%d) is not %d·G", m, m)
		}
	}
}
