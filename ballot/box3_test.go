package ballot

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudflare/circl/group"

	"minyi/ballot/elgamal"
)

// boxPoll is a poll of every kind of line a box holds: grades with own-unit subjects,
// names with write-ins, and a questionnaire with a free answer.
func boxPoll(t testing.TB) *Poll {
	t.Helper()
	return cellPoll(t, true, teamEvaluationCells(), markCells(), surveyCells(t))
}

// dealt is a poll key shared 2-of-3, as the tellers hold it.
type dealt struct {
	public []byte
	shares [][]byte
	d      elgamal.Dealing
}

func deal(t testing.TB) dealt {
	t.Helper()
	d := elgamal.Deal(2, 3, rand.Reader)
	c := [][]group.Element{d.Commitments}
	out := dealt{public: elgamal.JointKey(c).Bytes(), d: d}
	for j := 1; j <= 3; j++ {
		out.shares = append(out.shares, elgamal.PointBytes(elgamal.PublicShare(j, c)))
	}
	return out
}

// encryptBox casts every ballot the door takes through Marks and Encrypt, as the server
// does, and returns the box with the plain ballots it holds.
func encryptBox(t testing.TB, k *BoxKey, p *Poll, plain []PlainBallot) ([]SealedBallot, []PlainBallot) {
	t.Helper()
	var box []SealedBallot
	var kept []PlainBallot
	for _, pb := range plain {
		if pb.Broken {
			continue
		}
		cells, texts, err := p.Marks(pb.Group, &pb.Ballot)
		if err != nil {
			continue // refused at the door: never in a box
		}
		sealed, err := k.Encrypt(k.Prepare(pb.Group, rand.Reader), cells, texts)
		if err != nil {
			t.Fatal(err)
		}
		if len(sealed) != k.Size() {
			t.Fatalf("a ballot of %d bytes, the poll's are %d", len(sealed), k.Size())
		}
		box = append(box, SealedBallot{Group: pb.Group, Sealed: sealed})
		kept = append(kept, pb)
	}
	return box, kept
}

// tellersCount is the count as the server runs it: sums, two tellers' partial
// decryptions checked against their public shares, combined, decrypted, counted.
func tellersCount(t testing.TB, k *BoxKey, dk dealt, turnout []Turnout, box []SealedBallot, tellers ...int) (*Tally, *BoxSums, []elgamal.Partial, []string) {
	t.Helper()
	k.SortBox(box)
	s := k.Sum(box, turnout)
	tl, partials, opened := tellersDecrypt(t, k, dk, turnout, s, tellers...)
	return tl, s, partials, opened
}

// tellersDecrypt is tellersCount from the box's sums on.
func tellersDecrypt(t testing.TB, k *BoxKey, dk dealt, turnout []Turnout, s *BoxSums, tellers ...int) (*Tally, []elgamal.Partial, []string) {
	t.Helper()
	points, err := s.Points()
	if err != nil {
		t.Fatal(err)
	}
	var partials []elgamal.Partial
	for _, j := range tellers {
		part := elgamal.PartialDecrypt(j, dk.d.Shares[j-1], points, k.CountContext(), rand.Reader)
		pj, _ := elgamal.ParsePoint(dk.shares[j-1])
		if err := elgamal.VerifyPartial(pj, points, part, k.CountContext()); err != nil {
			t.Fatalf("teller %d: %v", j, err)
		}
		partials = append(partials, part)
	}
	combined, err := elgamal.CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, opened, err := k.Decrypt(s, combined)
	if err != nil {
		t.Fatal(err)
	}
	return k.CountBox(turnout, s, rows, k.Texts(s, opened)), partials, opened
}

func TestBoxCountsFromSumsWhatThePlainCountCounts(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	// The random box the kept sums' tests take, sealed as the server seals (with openings).
	p, dk, k, box, kept, _ := keptPoll(t, false)
	turnout := turnoutOf(kept)
	got, s, _, _ := tellersCount(t, k, dk, turnout, box, 1, 3)
	want := Count(p, turnout, kept)
	if got.Ballots != len(kept) || got.Rejected != 0 {
		t.Fatalf("%d ballots, %d rejected; cast %d", got.Ballots, got.Rejected, len(kept))
	}
	if a, b := comparable(t, want), comparable(t, got); !reflect.DeepEqual(a, b) {
		pa, _ := json.MarshalIndent(a, "", " ")
		pb, _ := json.MarshalIndent(b, "", " ")
		t.Fatalf("the tellers' count differs from the plain count\n%s", firstDiff(string(pa), string(pb)))
	}
	// Tellers 2 and 3 find the same result as 1 and 3, from the same sums.
	again, _, _ := tellersDecrypt(t, k, dk, turnout, s, 2, 3)
	if a, b := comparable(t, again), comparable(t, got); !reflect.DeepEqual(a, b) {
		t.Fatal("another quorum of tellers counts differently")
	}
}

// A ballot the database was made to hold in place of a real one is left out and named,
// whichever way it was made: a cell holding 2, a ballot moved to another voter group, a
// ballot cut short.
func TestBoxLeavesOutWhatWasNotCast(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept, _ := keptPoll(t, false)
	box, kept = box[:12], kept[:12]
	turnout := turnoutOf(kept)
	pk, _ := elgamal.ParsePublicKey(dk.public)
	// A first cell holding 2, with the proofs as they were.
	two := elgamal.Encrypt(pk, 2, mustScalar(t))
	raw, _ := two.MarshalBinary()
	forged := append([]byte(nil), box[0].Sealed...)
	copy(forged[1:], raw)
	moved := SealedBallot{Group: otherGroup(p, box[1].Group), Sealed: box[1].Sealed}
	short := SealedBallot{Group: box[2].Group, Sealed: box[2].Sealed[:k.Size()-1]}
	tampered := append([]SealedBallot{{Group: box[0].Group, Sealed: forged}, moved, short}, box[3:]...)
	got, s, _, _ := tellersCount(t, k, dk, turnout, tampered, 1, 2)
	if got.Rejected != 3 || len(s.Rejected) != 3 {
		t.Fatalf("%d ballots rejected, want the 3 that were not cast as they are", got.Rejected)
	}
	if !strings.Contains(strings.Join(got.Notes, "\n"), unreadableNote) {
		t.Fatalf("the notes do not name the rejected ballots: %q", got.Notes)
	}
}

func otherGroup(p *Poll, id string) string {
	for _, g := range p.Groups {
		if g.ID != id {
			return g.ID
		}
	}
	return id
}

func mustScalar(t *testing.T) group.Scalar {
	t.Helper()
	s, err := elgamal.NewScalar(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signedBox is a verified bundle of a small box, and a way to sign a changed copy.
func signedBox(t *testing.T) (*Bundle, ed25519.PrivateKey) {
	return signedBoxOf(t, 20)
}

// signedBoxOf is signedBox of n ballots: the test's own copy of the bundle, counted once
// a process for each n.
func signedBoxOf(t *testing.T, n int) (*Bundle, ed25519.PrivateKey) {
	t.Helper()
	x := signedBoxFixture(n)(t)
	return cloneBundle(t, x.b), x.key
}

// keyedBundle is a bundle and the key it is signed with.
type keyedBundle struct {
	b   *Bundle
	key ed25519.PrivateKey
}

var signedBoxes sync.Map // number of ballots to its shared signed box

func signedBoxFixture(n int) func(testing.TB) keyedBundle {
	f, _ := signedBoxes.LoadOrStore(n, shared(func(t testing.TB) keyedBundle {
		b, key := newSignedBox(t, n)
		return keyedBundle{b: b, key: key}
	}))
	return f.(func(testing.TB) keyedBundle)
}

func newSignedBox(t testing.TB, n int) (*Bundle, ed25519.PrivateKey) {
	p := boxPoll(t)
	dk := deal(t)
	k, err := NewBoxKey(p, dk.public)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(5, 1))
	box, kept := encryptBox(t, k, p, randomBox(rng, p)[:n])
	turnout := turnoutOf(kept)
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 3)
	b, err := k.NewBundle4(turnout, box, s, partials, opened, [][]byte{dk.shares[0], dk.shares[1], dk.shares[2]}, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	return b, key
}

func verifyBundle(t *testing.T, b *Bundle, key ed25519.PrivateKey) []Check {
	t.Helper()
	signed, err := Sign(cloneBundle(t, b), key)
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := Verify(signed, key.Public().(ed25519.PublicKey))
	return checks
}

func failedChecks(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Name+"："+c.Note)
		}
	}
	return out
}

func TestBundleOfTheBoxVerifies(t *testing.T) {
	t.Parallel()
	b, key := signedBoxOf(t, underRace(20, 6))
	if f := failedChecks(verifyBundle(t, b, key)); len(f) > 0 {
		t.Fatalf("a fresh bundle fails: %q", f)
	}
	if len(b.Ballots) != 0 {
		t.Fatal("the bundle lists plain ballots")
	}
}

// Whatever is changed in a bundle and signed again, the recount finds it.
func TestBundleOfTheBoxCatchesChanges(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	b, key := signedBox(t)
	clone := func() *Bundle { return cloneBundle(t, b) }
	g := group.Ristretto255.Generator()
	cases := map[string]func(c *Bundle){
		"a sum altered by one": func(c *Bundle) {
			ct, _ := elgamal.ParseCiphertext(c.Box.Sums[0][:elgamal.CiphertextSize])
			ct.B = group.Ristretto255.NewElement().Add(ct.B, g)
			raw, _ := ct.MarshalBinary()
			copy(c.Box.Sums[0], raw)
		},
		"a ballot dropped":  func(c *Bundle) { c.Box.Ballots = c.Box.Ballots[1:] },
		"a ballot repeated": func(c *Bundle) { c.Box.Ballots[1] = c.Box.Ballots[0] },
		"a partial decryption changed": func(c *Bundle) {
			c.Box.Partials[0].D[0] ^= 1
		},
		"a teller's public share swapped": func(c *Bundle) {
			c.Box.PublicShares[0], c.Box.PublicShares[2] = c.Box.PublicShares[2], c.Box.PublicShares[0]
		},
		"a count in the tally": func(c *Bundle) {
			c.Tally.Forms[0].Evaluation.Subjects[0].Total.Votes[0]++
		},
		"a text changed": func(c *Bundle) {
			for i, tx := range c.Box.Texts {
				if tx.Text != "" {
					c.Box.Texts[i].Text = tx.Text + "。"
					return
				}
			}
			c.Box.Texts[0].Text = "多出的意见"
		},
	}
	for name, change := range cases {
		c := clone()
		change(c)
		if f := failedChecks(verifyBundle(t, c, key)); len(f) == 0 {
			t.Errorf("%s: the bundle still verifies", name)
		}
	}
}

// benchBox is a box of n ballots of a 民主测评 of the given subjects (four grades), each
// encrypted on its own (a repeated ballot would be counted once).
func benchBox(b *testing.B, subjects, n int) (*BoxKey, []SealedBallot) {
	k, box, _ := benchBoxDealt(b, subjects, n)
	return k, box
}

// benchBoxDealt is benchBox with the poll key's one share, to count the box with.
func benchBoxDealt(b *testing.B, subjects, n int) (*BoxKey, []SealedBallot, elgamal.Dealing) {
	b.Helper()
	var ss []Subject
	for i := range subjects {
		ss = append(ss, Subject{Name: fmt.Sprintf("对象%d", i+1)})
	}
	p := &Poll{ID: "p", Title: "测评", Groups: []Group{{ID: "g", Name: "全体", Expected: n}},
		Forms: []Form{{Kind: KindEvaluation, Evaluation: &Evaluation{Subjects: ss}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	d := elgamal.Deal(1, 1, rand.Reader)
	k, err := NewBoxKey(p, elgamal.JointKey([][]group.Element{d.Commitments}).Bytes())
	if err != nil {
		b.Fatal(err)
	}
	var distinct [][]byte
	grades := []string{"优秀", "称职", "基本称职", "不称职"}
	for v := range n {
		lines := map[string][]string{}
		for i, s := range p.Forms[0].Evaluation.Subjects {
			lines[s.ID] = []string{grades[(v+i)%4]}
		}
		cells, texts, err := p.Marks("g", &Ballot{Forms: []FilledForm{{Form: "f1", Lines: lines}}})
		if err != nil {
			b.Fatal(err)
		}
		sealed, err := k.Encrypt(k.Prepare("g", rand.Reader), cells, texts)
		if err != nil {
			b.Fatal(err)
		}
		distinct = append(distinct, sealed)
	}
	box := make([]SealedBallot, n)
	for i := range box {
		box[i] = SealedBallot{Group: "g", Sealed: distinct[i]}
	}
	return k, box, d
}

// The count's work on the server before the tellers: every proof checked, every
// ciphertext added per result row and cell.
func BenchmarkSumBox2000x6(b *testing.B)  { benchSum(b, 6, 2000) }
func BenchmarkSumBox2000x30(b *testing.B) { benchSum(b, 30, 2000) }

func benchSum(b *testing.B, subjects, n int) {
	k, box := benchBox(b, subjects, n)
	turnout := []Turnout{{Group: "g", Issued: n, Used: n}}
	b.ResetTimer()
	c0 := processCPU()
	for range b.N {
		if s := k.Sum(box, turnout); len(s.Rejected) != 0 {
			b.Fatalf("%d ballots rejected", len(s.Rejected))
		}
	}
	b.ReportMetric(float64((processCPU()-c0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// smallGroupBox is a box of 10 ballots of g1, 10 of g2 and one of g4 (under the minimum of 5):
// honestly counted, g4's one ballot is pooled with another group. The box and its plain
// ballots are the test's own copy; the poll, the shares and the key are shared.
func smallGroupBox(t *testing.T) (*Poll, dealt, *BoxKey, []SealedBallot, []PlainBallot) {
	t.Helper()
	x := sharedSmallGroupBox(t)
	return x.p, x.dk, x.k, cloneBox(x.box), clonePlain(x.kept)
}

// sealedBox is a poll's box sealed under a dealt key, with the plain ballots it holds.
type sealedBox struct {
	p    *Poll
	dk   dealt
	k    *BoxKey
	box  []SealedBallot
	kept []PlainBallot
}

var sharedSmallGroupBox = shared(func(t testing.TB) sealedBox {
	p := boxPoll(t)
	dk := deal(t)
	k, err := NewBoxKey(p, dk.public)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(11, 4))
	var plain []PlainBallot
	// In a fixed order, so that the seeded ballots fall to the same groups every run (a
	// map's order would hand the door's one refusal to a different group each time).
	for _, gn := range [][2]int{{0, 10}, {1, 10}, {3, 1}} {
		g, n := p.Groups[gn[0]], gn[1]
		for range n {
			var b Ballot
			for i := range p.Forms {
				b.Forms = append(b.Forms, FilledForm{Form: p.Forms[i].ID, Lines: randomForm(rng, &p.Forms[i], g.Unit)})
			}
			plain = append(plain, PlainBallot{Group: g.ID, Ballot: b})
		}
	}
	box, kept := encryptBox(t, k, p, plain)
	return sealedBox{p: p, dk: dk, k: k, box: box, kept: kept}
})

// rowsBelowMin names the result rows whose decrypted sums add fewer valid ballots than the
// poll's minimum (the ballot line's sum is the number of ballots added in the row).
func rowsBelowMin(p *Poll, k *BoxKey, s *BoxSums, rows [][]int) []string {
	var out []string
	at := k.Layout().Lines[0].Offset
	for r, row := range rows {
		if len(rows) > 1 && row[at] > 0 && row[at] < p.ResultMinGroup() {
			out = append(out, s.Rows.Groups[r].Name)
		}
	}
	return out
}

// Ballots relabelled into a small group in the database fail their proofs, but must not
// lift the small group out of the pool: its own one ballot would be decrypted alone.
func TestBallotsMovedIntoASmallGroupDoNotUnpoolIt(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept := smallGroupBox(t)
	turnout := turnoutOf(kept)
	moved := 0
	for i := range box {
		if box[i].Group == "g1" && moved < 4 {
			box[i].Group = "g4"
			moved++
		}
	}
	_, s, partials, _ := tellersCount(t, k, dk, turnout, box, 1, 3)
	combined, err := elgamal.CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := k.Decrypt(s, combined)
	if err != nil {
		t.Fatal(err)
	}
	if bad := rowsBelowMin(p, k, s, rows); len(bad) > 0 {
		t.Fatalf("rejected %d ballots, then decrypted rows of fewer than %d valid ballots: %q (rows %v)",
			len(s.Rejected), p.ResultMinGroup(), bad, rowNames(s.Rows))
	}
}

// A ballot copied in the database passes every proof; counted, it counts twice (and
// copies of a small group's one ballot lift that group out of the pool).
func TestBoxCountsARepeatedBallotOnce(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	_, dk, k, box, kept := smallGroupBox(t)
	turnout := turnoutOf(kept)
	var one SealedBallot
	for _, b := range box {
		if b.Group == "g4" {
			one = b
		}
	}
	for range 4 {
		box = append(box, SealedBallot{Group: one.Group, Sealed: append([]byte(nil), one.Sealed...)})
	}
	got, s, _, _ := tellersCount(t, k, dk, turnout, box, 1, 3)
	if counted := got.Ballots - got.Rejected; counted > len(kept) {
		t.Fatalf("%d ballots cast, %d counted (%d rejected); rows %v", len(kept), counted, got.Rejected, rowNames(s.Rows))
	}
}

// The bundle is an output: a small group's texts (its free answers above all) must not be
// listed under that group, only under the pooled row or none.
func TestBundleListsNoTextUnderASmallGroup(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	p, dk, k, box, kept := smallGroupBox(t)
	turnout := turnoutOf(kept)
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 3)
	b, err := k.NewBundle4(turnout, box, s, partials, opened, dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	small := p.Groups[3].ID // one ballot: pooled
	if s.Rows.Of[3] != s.Rows.Merged {
		t.Fatalf("g4 not pooled: rows %v", rowNames(s.Rows))
	}
	for _, tx := range b.Box.Texts {
		if tx.Group == small && tx.Text != "" {
			t.Fatalf("the bundle lists the text %q of %s (1 ballot) under its own group (form %s line %s)", tx.Text, small, tx.Form, tx.Line)
		}
		if tx.Form == "f3" && tx.Group != "" {
			t.Fatalf("a free answer names a group: %+v", tx)
		}
	}
}

// One ballot copied over another of its group before the count: the ballots still match
// the used tokens in number, and every proof holds. The count takes the ballot once and
// names the copy as unreadable; a bundle that says otherwise does not verify.
func TestBundleCatchesABallotRepeatedInPlaceOfAnother(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	_, dk, k, box, kept := smallGroupBox(t)
	turnout := turnoutOf(kept)
	var a, b = -1, -1
	for i := range box {
		if box[i].Group == "g1" {
			if a < 0 {
				a = i
			} else if b < 0 {
				b = i
			}
		}
	}
	inG1 := 0
	for i := range box {
		if box[i].Group == "g1" {
			inG1++
		}
	}
	box[b] = SealedBallot{Group: box[a].Group, Sealed: append([]byte(nil), box[a].Sealed...)}
	tl, s, partials, opened := tellersCount(t, k, dk, turnout, box, 1, 3)
	if tl.Rejected != 1 || tl.Ballots != len(box) || s.Pool[0] != inG1-1 {
		t.Fatalf("a ballot copied over another: %d rejected of %d, g1 counted %d of its %d; want the copy rejected", tl.Rejected, tl.Ballots, s.Pool[0], inG1)
	}
	bundle, err := k.NewBundle4(turnout, box, s, partials, opened, dk.shares, 2, tl, "minyi test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	if f := failedChecks(verifyBundle(t, bundle, key)); len(f) != 0 {
		t.Fatalf("the honest bundle of that box fails: %q", f)
	}
	bundle.Tally.Rejected, bundle.Tally.Unreadable = 0, nil
	if f := failedChecks(verifyBundle(t, bundle, key)); len(f) == 0 {
		t.Fatal("a bundle that counts the copy as a ballot verifies")
	}
}

// One byte changed in one ballot's text slot (outside what the receipt covers) must cost
// at most that text, not the whole count.
func TestOneBadTextDoesNotStopTheCount(t *testing.T) {
	t.Parallel()
	withoutRace(t)
	_, dk, k, box, kept := smallGroupBox(t)
	turnout := turnoutOf(kept)
	if k.Size() == k.marks {
		t.Skip("no text slots")
	}
	box[0].Sealed[k.Size()-1] ^= 1
	k.SortBox(box)
	s := k.Sum(box, turnout)
	points, err := s.Points()
	if err != nil {
		t.Fatalf("points: %v", err)
	}
	var partials []elgamal.Partial
	for _, j := range []int{1, 3} {
		partials = append(partials, elgamal.PartialDecrypt(j, dk.d.Shares[j-1], points, k.CountContext(), rand.Reader))
	}
	combined, err := elgamal.CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	rows, opened, err := k.Decrypt(s, combined)
	if err != nil {
		t.Fatalf("%d ballots, one text byte changed: the whole count fails: %v", len(box), err)
	}
	tl := k.CountBox(turnout, s, rows, k.Texts(s, opened))
	if s.BadTexts != 1 || !strings.Contains(strings.Join(tl.Notes, "\n"), "无法解密") {
		t.Fatalf("%d texts did not open, notes %q: want the one changed, noted", s.BadTexts, tl.Notes)
	}
}
