package ballot

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"minyi/survey"
)

func signedBundle(t testing.TB) (*Signed, ed25519.PrivateKey) {
	t.Helper()
	q, _ := survey.FromText("[量表] 满意度\n\n[填空] 意见")
	p := pollWith(markForm(1, "张三", "李四"), Form{Kind: KindSurvey, Title: "问卷", Survey: &Survey{Questionnaire: q}})
	k, _ := NewPollKey()
	var sealed [][]byte
	var box []PlainBallot
	for i, c := range []string{"c1", "c1", "c2"} {
		b := Ballot{Forms: []FilledForm{{Form: "f1", Lines: map[string][]string{"p1": {c}}}, {Form: "f2", Lines: map[string][]string{"q1": {"满意"}}}}}
		if i == 0 {
			b.Forms[1].Lines["q2"] = []string{"加强监督"}
		}
		plain, _ := b.Encode()
		sb, _ := Seal(p.ID, k.Public, "g1", plain, p.PlainSize())
		sealed = append(sealed, sb)
		box = append(box, PlainBallot{Group: "g1", Ballot: b})
	}
	turnout := []Turnout{{Group: "g1", Issued: 5, Used: 3}}
	tally := Count(p, turnout, box)
	tally.OpenedBy = []string{"甲监票"}
	b, err := NewBundle(p, turnout, sealed, box, tally, "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	signed, err := Sign(b, key)
	if err != nil {
		t.Fatal(err)
	}
	return signed, key
}

func failed(checks []Check) string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return strings.Join(out, ",")
}

func TestBundleVerifies(t *testing.T) {
	t.Parallel()
	signed, key := signedBundle(t)
	checks, b := Verify(signed, key.Public().(ed25519.PublicKey))
	if !Verified(checks) {
		t.Fatalf("a fresh bundle fails: %s %+v", failed(checks), checks)
	}
	for _, bb := range b.Ballots {
		if _, ok := bb.Ballot.Forms[1].Lines["q2"]; ok {
			t.Fatal("free text must leave its ballot")
		}
	}
	if strings.Join(b.Texts["f2"]["q2"], "") != "加强监督" {
		t.Fatalf("texts listed apart: %v", b.Texts)
	}
}

// A tampered byte fails with a message that says what failed.
func TestTamperedBundleFails(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		tamper func(s *Signed, key ed25519.PrivateKey)
		want   string
	}{
		{"signature", func(s *Signed, _ ed25519.PrivateKey) { s.Signature[0] ^= 1 }, "签名"},
		{"one ballot, re-signed", func(s *Signed, key ed25519.PrivateKey) {
			s.Bundle = []byte(strings.Replace(string(s.Bundle), `"p1":["c2"]`, `"p1":["c1"]`, 1))
			s.Signature = ed25519.Sign(key, s.Bundle)
		}, "重新计票结果一致"},
		{"one count, re-signed", func(s *Signed, key ed25519.PrivateKey) {
			var b Bundle
			json.Unmarshal(s.Bundle, &b)
			b.Tally.Forms[0].Recommendation.Positions[0].Candidates[0].Votes.Total = 3
			s.Bundle, _ = json.Marshal(&b)
			s.Signature = ed25519.Sign(key, s.Bundle)
		}, "重新计票结果一致"},
		{"a receipt dropped, re-signed", func(s *Signed, key ed25519.PrivateKey) {
			var b Bundle
			json.Unmarshal(s.Bundle, &b)
			b.Receipts = b.Receipts[1:]
			s.Bundle, _ = json.Marshal(&b)
			s.Signature = ed25519.Sign(key, s.Bundle)
		}, "票箱默克尔根,选票数 = 回执数"},
		{"a ballot added, re-signed", func(s *Signed, key ed25519.PrivateKey) {
			var b Bundle
			json.Unmarshal(s.Bundle, &b)
			b.Ballots = append(b.Ballots, b.Ballots[0])
			s.Bundle, _ = json.Marshal(&b)
			s.Signature = ed25519.Sign(key, s.Bundle)
		}, "选票数 = 回执数,选票数 = 已用凭证数,重新计票结果一致"},
	} {
		signed, key := signedBundle(t)
		c.tamper(signed, key)
		checks, _ := Verify(signed, key.Public().(ed25519.PublicKey))
		if got := failed(checks); got != c.want {
			t.Errorf("%s: failed %q, want %q", c.name, got, c.want)
		}
	}
}

// A bundle re-signed with a key of the forger's own carries a valid signature: without
// that key pinned it is refused, and nothing in it is recounted.
func TestForeignSignerRefused(t *testing.T) {
	t.Parallel()
	signed, key := signedBundle(t)
	pub, forger, _ := ed25519.GenerateKey(nil)
	var b Bundle
	json.Unmarshal(signed.Bundle, &b)
	b.Tally.Forms[0].Recommendation.Positions[0].Candidates[0].Votes.Total = 3
	b.Tally.Forms[0].Recommendation.Positions[0].Candidates[1].Votes.Total = 0
	forged, _ := Sign(&b, forger)
	for _, trusted := range [][]ed25519.PublicKey{nil, {key.Public().(ed25519.PublicKey)}} {
		checks, got := Verify(forged, trusted...)
		if Verified(checks) || got != nil {
			t.Fatalf("a forgery signed by another key passes (trusted %d keys): %+v", len(trusted), checks)
		}
		last := checks[len(checks)-1]
		if last.Name != CheckSigner || last.OK || last.Note != UnknownSigner || !checks[0].OK {
			t.Fatalf("the signer is not named as the failure: %+v", checks)
		}
		for _, c := range checks {
			if c.Name == CheckRecount {
				t.Fatal("a stranger's bundle was recounted")
			}
		}
	}
	// Pinned to the forger's own key it holds as far as the recount, which finds the lie.
	checks, _ := Verify(forged, pub)
	if got := failed(checks); got != CheckRecount {
		t.Fatalf("pinned to the forger's key: failed %q", got)
	}
}

// A poll beyond the builder's limits is refused before the recount, even signed by a
// trusted key: thousands of subjects would make the recount the verifier's burden.
func TestOversizedPollNotRecounted(t *testing.T) {
	t.Parallel()
	signed, key := signedBundle(t)
	var b Bundle
	json.Unmarshal(signed.Bundle, &b)
	f := &b.Poll.Forms[0]
	f.Kind, f.Recommendation = KindEvaluation, nil
	f.Evaluation = &Evaluation{}
	for i := range 8000 {
		f.Evaluation.Subjects = append(f.Evaluation.Subjects, Subject{ID: fmt.Sprintf("s%d", i+1), Name: fmt.Sprintf("人%d", i)})
	}
	big, _ := Sign(&b, key)
	checks, got := Verify(big, key.Public().(ed25519.PublicKey))
	if got != nil || failed(checks) != CheckFormat || !strings.Contains(checks[len(checks)-1].Note, "不能超过300") {
		t.Fatalf("8,000 subjects: %+v", checks)
	}
}

func TestParseFingerprint(t *testing.T) {
	t.Parallel()
	pub, _, _ := ed25519.GenerateKey(nil)
	fp := Fingerprint(pub)
	for _, in := range []string{fp, strings.ToLower(fp), strings.ReplaceAll(fp, " ", ""), strings.ReplaceAll(fp, " ", "-"), " " + fp + "\n"} {
		if got, err := ParseFingerprint(in); err != nil || got != fp {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, in := range []string{"", "ABCD", fp + " 00", strings.Replace(fp, "", "G", 1)} {
		if _, err := ParseFingerprint(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestMerkleRootAndReceipts(t *testing.T) {
	t.Parallel()
	r1, r2, r3 := Receipt([]byte("a")), Receipt([]byte("b")), Receipt([]byte("c"))
	if string(MerkleRoot([][]byte{r1, r2, r3})) != string(MerkleRoot([][]byte{r3, r1, r2})) {
		t.Fatal("the root must not depend on the box's order")
	}
	if string(MerkleRoot([][]byte{r1, r2})) == string(MerkleRoot([][]byte{r1, r3})) {
		t.Fatal("different boxes, same root")
	}
	if code := ReceiptCode(r1); len(code) != 19 {
		t.Fatalf("receipt code %q", code)
	}
}
