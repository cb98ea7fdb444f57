package elgamal

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudflare/circl/group"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the code")

// recorder is a seeded reader that keeps what it handed out, so a vector states the exact
// random bytes an implementation must consume (64 bytes per scalar, in the documented order).
type recorder struct {
	src *seeded
	got []byte
}

func record(label string) *recorder { return &recorder{src: newSeeded(label)} }

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.src.Read(p)
	r.got = append(r.got, p[:n]...)
	return n, err
}

func (r *recorder) hex() string { return hex.EncodeToString(r.got) }

func hx(b []byte) string { return hex.EncodeToString(b) }

func pointsHex(ps []group.Element) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = hx(PointBytes(p))
	}
	return out
}

func scalarsHex(ss []group.Scalar) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = hx(ScalarBytes(s))
	}
	return out
}

type vectors struct {
	Note      string           `json:"note"`
	Context   string           `json:"ctx"`
	Nonce     []map[string]any `json:"nonce"`
	DKG       map[string]any   `json:"dkg"`
	Encrypt   []map[string]any `json:"encrypt"`
	Range     []map[string]any `json:"range"`
	Lines     []map[string]any `json:"lines"`
	Partials  map[string]any   `json:"partials"`
	Text      map[string]any   `json:"text"`
	ShareCode map[string]any   `json:"share_code"`
	Prove     map[string]any   `json:"share_proof"`
}

// buildVectors computes every vector from fixed seeds. Each "rnd" field is the exact byte
// stream the operation read, so another implementation replays it without this seeding.
func buildVectors(t *testing.T) vectors {
	ctx := []byte("minyi-kat-context")
	v := vectors{
		Note:    "Known answers for docs/CRYPTO.md. Hex everywhere; rnd is the random stream consumed, 64 bytes per scalar.",
		Context: hx(ctx),
	}
	for _, label := range []string{"nonce-0", "nonce-1"} {
		r := record(label)
		s := mustScalar(r)
		v.Nonce = append(v.Nonce, map[string]any{"rnd": r.hex(), "scalar": hx(ScalarBytes(s))})
	}

	// A 2-of-3 key from three dealers.
	var dealers []map[string]any
	var commitments [][]group.Element
	var dealings []Dealing
	for i := 1; i <= 3; i++ {
		r := record("dealer-" + string(rune('0'+i)))
		d := Deal(2, 3, r)
		dealings = append(dealings, d)
		commitments = append(commitments, d.Commitments)
		dealers = append(dealers, map[string]any{
			"rnd": r.hex(), "commitments": pointsHex(d.Commitments), "shares": scalarsHex(d.Shares),
		})
	}
	pk := JointKey(commitments)
	var tellerShares []group.Scalar
	var publicShares []group.Element
	for j := 1; j <= 3; j++ {
		var got []group.Scalar
		for _, d := range dealings {
			got = append(got, d.Shares[j-1])
		}
		tellerShares = append(tellerShares, CombineDealt(got))
		publicShares = append(publicShares, PublicShare(j, commitments))
	}
	v.DKG = map[string]any{
		"k": 2, "n": 3, "dealers": dealers,
		"public_key": hx(pk.Bytes()), "fingerprint": pk.Fingerprint(),
		"teller_shares": scalarsHex(tellerShares), "public_shares": pointsHex(publicShares),
	}

	var cts []Ciphertext
	for _, m := range []uint64{0, 1, 5} {
		r := record("encrypt-" + string(rune('0'+m)))
		rs := mustScalar(r)
		ct := Encrypt(pk, m, rs)
		cts = append(cts, ct)
		enc, _ := ct.MarshalBinary()
		v.Encrypt = append(v.Encrypt, map[string]any{"m": m, "r": hx(ScalarBytes(rs)), "ciphertext": hx(enc)})
	}

	for _, c := range []struct{ m, L int }{{0, 1}, {1, 1}, {2, 3}} {
		r := record("range")
		rs := mustScalar(newSeeded("range-r"))
		ct := Encrypt(pk, uint64(c.m), rs)
		p := ProveRange(pk, ct, c.m, rs, c.L, ctx, r)
		enc, _ := ct.MarshalBinary()
		v.Range = append(v.Range, map[string]any{
			"m": c.m, "L": c.L, "r": hx(ScalarBytes(rs)), "ciphertext": hx(enc),
			"rnd": r.hex(), "proof": hx(p.AppendBinary(nil)),
		})
	}

	for _, c := range []struct {
		limit int
		marks []uint8
	}{{1, []uint8{0, 1, 0}}, {2, []uint8{1, 0, 1, 0}}, {2, []uint8{0, 0, 0, 1}}} {
		r := record("line")
		line, err := PrepareLine(pk, ctx, len(c.marks), c.limit, r).Fill(c.marks)
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := line.AppendBinary(nil)
		v.Lines = append(v.Lines, map[string]any{
			"cells": len(c.marks), "limit": c.limit, "marks": c.marks, "rnd": r.hex(), "line": hx(enc),
		})
	}

	// Partials of tellers 1 and 3 over the three ciphertexts' A, combined and decrypted.
	points := []group.Element{cts[0].A, cts[1].A, cts[2].A}
	var partials []Partial
	var partialsOut []map[string]any
	for _, j := range []int{1, 3} {
		r := record("partial")
		p := PartialDecrypt(j, tellerShares[j-1], points, ctx, r)
		partials = append(partials, p)
		partialsOut = append(partialsOut, map[string]any{
			"teller": j, "rnd": r.hex(), "d": pointsHex(p.D), "proof": hx(p.Proof),
		})
	}
	combined, err := CombinePartials(partials, 2)
	if err != nil {
		t.Fatal(err)
	}
	counts, err := DecryptSums(cts, combined, 10)
	if err != nil {
		t.Fatal(err)
	}
	v.Partials = map[string]any{
		"points": pointsHex(points), "partials": partialsOut, "combined": pointsHex(combined), "counts": counts,
	}

	r := record("text")
	text := []byte("建议加强基层调研")
	sealed, err := SealText(pk, ctx, text, 48, r)
	if err != nil {
		t.Fatal(err)
	}
	v.Text = map[string]any{"size": 48, "text": hx(text), "rnd": r.hex(), "sealed": hx(sealed)}

	v.ShareCode = map[string]any{
		"poll": "poll-kat", "teller": 2, "share": hx(ScalarBytes(tellerShares[1])),
		"code": EncodeShare("poll-kat", 2, tellerShares[1]),
	}
	r = record("share-proof")
	challenge := []byte("server-challenge-1")
	v.Prove = map[string]any{
		"public_share": hx(PointBytes(publicShares[1])), "challenge": hx(challenge), "rnd": r.hex(),
		"proof": hx(ProveShare(2, tellerShares[1], challenge, r)),
	}
	return v
}

// The vectors pin every byte the code produces; a change of encoding or hash input shows up
// here, and the browser implementation is tested against the same file.
func TestKnownAnswers(t *testing.T) {
	got, err := json.MarshalIndent(buildVectors(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "vectors.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run once with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("output differs from testdata/vectors.json: an encoding or a hash input changed")
	}
}

// The vectors verify: what the file states is accepted by the checks, read back from hex.
func TestKnownAnswersVerify(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Ctx string `json:"ctx"`
		DKG struct {
			PublicKey    string   `json:"public_key"`
			PublicShares []string `json:"public_shares"`
		} `json:"dkg"`
		Lines []struct {
			Cells int    `json:"cells"`
			Limit int    `json:"limit"`
			Line  string `json:"line"`
		} `json:"lines"`
		Partials struct {
			Points   []string `json:"points"`
			Partials []struct {
				Teller int      `json:"teller"`
				D      []string `json:"d"`
				Proof  string   `json:"proof"`
			} `json:"partials"`
		} `json:"partials"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ctx := unhex(v.Ctx)
	pk, err := ParsePublicKey(unhex(v.DKG.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range v.Lines {
		b := NewBatch(pk, ctx)
		if _, err := b.AddLineBytes(unhex(l.Line), l.Cells, l.Limit); err != nil || !b.Verify() {
			t.Fatalf("line vector %d does not verify (%v)", i, err)
		}
	}
	var points []group.Element
	for _, p := range v.Partials.Points {
		e, err := ParsePoint(unhex(p))
		if err != nil {
			t.Fatal(err)
		}
		points = append(points, e)
	}
	for _, p := range v.Partials.Partials {
		part := Partial{Teller: p.Teller, Proof: unhex(p.Proof)}
		for _, d := range p.D {
			e, err := ParsePoint(unhex(d))
			if err != nil {
				t.Fatal(err)
			}
			part.D = append(part.D, e)
		}
		pj, err := ParsePoint(unhex(v.DKG.PublicShares[p.Teller-1]))
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyPartial(pj, points, part, ctx); err != nil {
			t.Fatalf("partial vector of teller %d: %v", p.Teller, err)
		}
	}
}
