//go:build !race

// The browser tests are built without -race: the race detector's pass of this package
// runs the tests of concurrent work (make test's RACE_HTTP), none of which opens a
// browser, and its binary need not build the browser driver.

package server_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
	"minyi/store/dbtest/browsertest"
)

// One chromium serves the package's browser tests; each phone is a browser context of
// its own.
var chromium browsertest.Shared

func init() { stopBrowser = chromium.Stop }

// tellerTabs opens one browser context per teller in the shared chromium, as if each
// teller used their own phone; they are closed when the test ends.
func tellerTabs(t *testing.T, n int) []context.Context {
	t.Helper()
	bctx, err := chromium.Start()
	if err != nil {
		t.Fatal(err)
	}
	var out []context.Context
	for range n {
		tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(tctx, browsertest.Unwatched()); err != nil {
			t.Fatalf("open a tab in chromium: %v", err)
		}
		// A bound on a hung browser, not a speed budget: make test runs its passes side by
		// side, and a whole poll driven through three tellers' pages can wait minutes for a core.
		tctx, cancel = context.WithTimeout(tctx, 300*time.Second)
		t.Cleanup(cancel)
		out = append(out, tctx)
	}
	return out
}

type css = chromedp.CSS

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		body, _ := chromedp.Run(c, chromedp.Text(css("main")))
		cancel()
		t.Fatalf("%s: %v\npage: %s", what, err, body)
	}
}

// Three tellers, each in their own browser, make a 2-of-3 key: every device shows the same
// 核对码 (the server's), each saves and reloads its backup and is ready; the poll's key is
// the one the stored commitments give, any two tellers' shares open it and one cannot, and
// no teller's share is anywhere in the database. The page's partial decryption verifies in
// Go, and fails with another share.
func TestKeyCeremonyInBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	var st struct{ Started bool }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/ceremony", nil, 200, &st)
	if st.Started {
		t.Fatal("a ceremony before the organizer started one")
	}
	if _, err := e.st.CeremonyKey(ctx, p.ID); ballot.ErrorCode(err) != ballot.EKEYNOTREADY {
		t.Fatalf("a key before the ceremony: %v", err)
	}
	links := e.seatLinks(p.ID)
	tabs := tellerTabs(t, 3)
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d opens the link", i+1), chromedp.Navigate(links[i]), chromedp.WaitVisible(css("#start")), click(css("#start")))
	}
	var codes, shares [3]string
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d reaches the backup", i+1), chromedp.WaitVisible(css("#step-verify")))
		codes[i], shares[i] = text(t, tab, "#check-code"), text(t, tab, "#share-code")
	}
	shot(tabs[0], "teller-backup")
	cer, err := e.st.Ceremony(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var devs [3]struct{ x, own group.Scalar }
	for i, tab := range tabs {
		devs[i] = deviceSecrets(t, tab, cer.ID, i+1)
	}
	pub, err := cer.Public()
	if err != nil {
		t.Fatal(err)
	}
	want := ceremony.Code(pub.Transcript())
	for i, c := range codes {
		if c != want {
			t.Fatalf("teller %d shows 核对码 %q, the server's record gives %q", i+1, c, want)
		}
	}
	if _, err := e.st.CeremonyKey(ctx, p.ID); ballot.ErrorCode(err) != ballot.EKEYNOTREADY {
		t.Fatalf("the key before any backup was proven: %v", err)
	}
	// A backup of another seat is refused on the page; each teller then types their own.
	run(t, tabs[0], "a wrong backup", chromedp.SetValue(css("#verify-code"), shares[1]), click(css("#verify")),
		chromedp.WaitVisible(css("#error")))
	if msg := text(t, tabs[0], "#error"); !strings.Contains(msg, "第2位监票人的备份") {
		t.Fatalf("a backup of seat 2 on seat 1's page: %q", msg)
	}
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d proves the backup", i+1), chromedp.SetValue(css("#verify-code"), strings.ToLower(shares[i])),
			click(css("#verify")), chromedp.WaitVisible(css("#step-done")))
	}
	keys, err := e.st.CeremonyKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	points, err := pub.Points()
	if err != nil {
		t.Fatal(err)
	}
	if !keys.Joint.K.IsEqual(elgamal.JointKey(points).K) || keys.Quorum != 2 || len(keys.PublicShares) != 3 {
		t.Fatal("the ceremony's key is not the joint key of the stored commitments")
	}
	// Any two shares open the key; one does not.
	var s [3]group.Scalar
	for i, code := range shares {
		j, sj, err := elgamal.DecodeShare(p.ID, code)
		if err != nil || j != i+1 {
			t.Fatalf("share code of teller %d: seat %d, %v", i+1, j, err)
		}
		if !group.Ristretto255.NewElement().MulGen(sj).IsEqual(keys.PublicShares[i]) {
			t.Fatalf("teller %d's share is not their public share", i+1)
		}
		s[i] = sj
	}
	base := []group.Element{group.Ristretto255.Generator()}
	for _, pair := range [][2]int{{0, 1}, {0, 2}, {1, 2}} {
		var parts []elgamal.Partial
		for _, i := range pair {
			parts = append(parts, elgamal.PartialDecrypt(i+1, s[i], base, []byte("t"), rand.Reader))
		}
		got, err := elgamal.CombinePartials(parts, 2)
		if err != nil || !got[0].IsEqual(keys.Joint.K) {
			t.Fatalf("tellers %v do not open the key: %v", pair, err)
		}
		if one, err := elgamal.CombinePartials(parts[:1], 2); err == nil && one[0].IsEqual(keys.Joint.K) {
			t.Fatal("one teller opened the key")
		}
	}
	// Nothing secret reached the server: not s_j, nor the share code, nor any secret a
	// device held on the way (its communication key, its own value f_j(j), the values
	// dealt to it), and the sealed shares read as plain values give no s_j.
	dump, _ := pgDump(t, e.url)
	dump = strings.ToLower(dump)
	secrets := map[string]string{}
	for i := range s {
		secrets[fmt.Sprintf("s_%d", i+1)] = hex.EncodeToString(elgamal.ScalarBytes(s[i]))
		secrets[fmt.Sprintf("share code %d", i+1)] = strings.ToLower(strings.ReplaceAll(shares[i], "-", ""))
		secrets[fmt.Sprintf("grouped share code %d", i+1)] = strings.ToLower(shares[i])
		dev := devs[i]
		secrets[fmt.Sprintf("x_%d", i+1)] = hex.EncodeToString(elgamal.ScalarBytes(dev.x))
		secrets[fmt.Sprintf("f_%d(%d)", i+1, i+1)] = hex.EncodeToString(elgamal.ScalarBytes(dev.own))
		plain := group.Ristretto255.NewScalar().Set(dev.own)
		for d := 1; d <= 3; d++ {
			if d == i+1 {
				continue
			}
			// R ‖ u32 length ‖ value ‖ tag, were the value not encrypted
			if v, err := elgamal.ParseScalar(ceremony.SealedFor(pub.Sealed[d-1], d, i+1)[36:68]); err == nil {
				plain.Add(plain, v)
			}
		}
		if plain.IsEqual(s[i]) {
			t.Fatalf("the sealed shares dealt to seat %d, read as plain values, give its share", i+1)
		}
		for d := 1; d <= 3; d++ {
			if d == i+1 {
				continue
			}
			f, err := ceremony.Open(p.ID, d, i+1, ceremony.CommKey{Secret: dev.x, Public: pub.CommKeys[i]}, ceremony.SealedFor(pub.Sealed[d-1], d, i+1))
			if err != nil {
				t.Fatalf("seat %d cannot open what seat %d dealt it: %v", i+1, d, err)
			}
			secrets[fmt.Sprintf("f_%d(%d)", d, i+1)] = hex.EncodeToString(elgamal.ScalarBytes(f))
		}
	}
	for what, needle := range secrets {
		if strings.Contains(dump, needle) {
			t.Fatalf("%s is in the database dump", what)
		}
	}
	if !strings.Contains(dump, hex.EncodeToString(pub.CommKeys[0])) {
		t.Fatal("the dump does not hold the public record: the search above proves nothing")
	}
	var status struct {
		Ready       bool
		Fingerprint string
	}
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/ceremony", nil, 200, &status)
	if !status.Ready || status.Fingerprint != keys.Joint.Fingerprint() {
		t.Fatalf("the organizer's view: %+v", status)
	}
	shot(tabs[2], "teller-ready")
	if left, err := chromedp.Run(tabs[0], chromedp.Evaluate[int](`sessionStorage.length`)); err != nil || left != 0 {
		t.Fatalf("the device still keeps %d secrets once its backup is proven (%v)", left, err)
	}

	// The device's side of the count: Go draws points, the page decrypts them partially with
	// a share, and Go checks the proof against that share's public point.
	sj, err := elgamal.NewScalar(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var pts []group.Element
	var hexes []string
	for range 5 {
		r, _ := elgamal.NewScalar(rand.Reader)
		pt := group.Ristretto255.NewElement().MulGen(r)
		pts, hexes = append(pts, pt), append(hexes, hex.EncodeToString(elgamal.PointBytes(pt)))
	}
	pctx := []byte("poll " + p.ID)
	partial := func(share group.Scalar) elgamal.Partial {
		t.Helper()
		args, _ := json.Marshal([]any{hex.EncodeToString(elgamal.ScalarBytes(share)), hexes, hex.EncodeToString(pctx)})
		js := fmt.Sprintf(`import('teller-crypto').then(m => { const [s, pts, ctx] = %s; return m.partialDecrypt(2, m.parseScalar(m.unhex(s)), pts, m.unhex(ctx)); })`, args)
		out, err := chromedp.Run(tabs[1], chromedp.Evaluate[partialJS](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("partial decryption in the page: %v", err)
		}
		res := elgamal.Partial{Teller: out.Teller}
		for _, h := range out.D {
			b, _ := hex.DecodeString(h)
			d, err := elgamal.ParsePoint(b)
			if err != nil {
				t.Fatal(err)
			}
			res.D = append(res.D, d)
		}
		res.Proof, _ = hex.DecodeString(out.Proof)
		return res
	}
	pj := group.Ristretto255.NewElement().MulGen(sj)
	if err := elgamal.VerifyPartial(pj, pts, partial(sj), pctx); err != nil {
		t.Fatalf("the page's partial decryption does not verify: %v", err)
	}
	other := group.Ristretto255.NewScalar().Add(sj, group.Ristretto255.NewScalar().SetUint64(1))
	if err := elgamal.VerifyPartial(pj, pts, partial(other), pctx); err == nil {
		t.Fatal("a partial decryption with another share verifies")
	}
}

// shot saves a screenshot of the page when MINYI_SCREENSHOTS names a folder.
func shot(ctx context.Context, name string) {
	if dir := os.Getenv("MINYI_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(dir+"/"+name+".png", png, 0o644)
		}
	}
}

// partialJS is what the page's partialDecrypt returns.
type partialJS struct {
	Teller int      `json:"teller"`
	D      []string `json:"d"`
	Proof  string   `json:"proof"`
}

// deviceSecrets reads what a teller's page keeps in its tab for the ceremony: the
// communication key and its own value of its polynomial (big-endian hex of the numbers).
func deviceSecrets(t *testing.T, tab context.Context, ceremonyID string, seat int) struct{ x, own group.Scalar } {
	t.Helper()
	raw, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`sessionStorage.getItem("minyi-teller:%s:%d")`, ceremonyID, seat)))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ X, Own string }
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("seat %d's tab keeps %q", seat, raw)
	}
	scalar := func(h string) group.Scalar {
		if len(h)%2 == 1 {
			h = "0" + h
		}
		be, err := hex.DecodeString(h)
		if err != nil || len(be) > 32 {
			t.Fatalf("seat %d's tab keeps %q", seat, raw)
		}
		le := make([]byte, 32)
		for i, b := range be {
			le[len(be)-1-i] = b
		}
		v, err := elgamal.ParseScalar(le)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return struct{ x, own group.Scalar }{scalar(m.X), scalar(m.Own)}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// A teller whose dealing does not match its commitments is named on the other tellers'
// pages, and the ceremony is blocked: nobody gets ready, voting cannot open, the organizer
// sees why; a restart gives new links and the old ones stop working.
func TestTamperedDealingInBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	links := e.seatLinks(p.ID)
	tabs := tellerTabs(t, 2)
	for i, tab := range tabs {
		run(t, tab, "open", chromedp.Navigate(links[i]), chromedp.WaitVisible(css("#start")), click(css("#start")))
	}
	bad := seatClient{t: t, url: links[2]}
	dev, err := ceremony.NewDevice(3, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if st := bad.call("/key", map[string]string{"comm_key": hex.EncodeToString(dev.CommKey())}, nil); st != 200 {
		t.Fatalf("key: %d", st)
	}
	var rec *ceremony.Record
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if rec = bad.record(); rec.KeysIn() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the browsers' keys never came")
		}
	}
	commitments, sealed, err := dev.Deal(rec, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// The linear coefficient's commitment swapped for another point: f(j) no longer matches.
	r, _ := elgamal.NewScalar(rand.Reader)
	copy(commitments[32:64], elgamal.PointBytes(group.Ristretto255.NewElement().MulGen(r)))
	if st := bad.call("/deal", map[string]string{"commitments": hex.EncodeToString(commitments), "sealed": hex.EncodeToString(sealed)}, nil); st != 200 {
		t.Fatalf("deal: %d", st)
	}
	for i, tab := range tabs {
		run(t, tab, fmt.Sprintf("teller %d sees the bad dealing", i+1), chromedp.WaitVisible(css("#error")))
		if msg := text(t, tab, "#error"); !strings.Contains(msg, "第3位监票人") || !strings.Contains(msg, "重新生成") {
			t.Fatalf("teller %d reads %q", i+1, msg)
		}
	}
	if vis := isVisible(t, tabs[0], "#step-verify"); vis {
		t.Fatal("a teller is offered to prove a backup of a bad key")
	}
	// A tab shows the error as soon as it finds the bad dealing, and posts its complaint
	// just after: the ceremony is blocked once that post lands.
	for wait := 0; ; wait++ {
		_, err := e.st.CeremonyKey(ctx, p.ID)
		if ballot.ErrorCode(err) == ballot.EDEALING {
			break
		}
		if wait == 100 {
			t.Fatalf("the key of a blocked ceremony: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var status struct{ Blocked string }
	e.api(e.admin, "GET", "/api/v1/polls/"+p.ID+"/ceremony", nil, 200, &status)
	if !strings.Contains(status.Blocked, "第3位监票人") {
		t.Fatalf("the organizer reads %q", status.Blocked)
	}
	// The bad dealer's own device finds its share fine; it still cannot get ready.
	if st := bad.call("/ready", map[string]string{"transcript": strings.Repeat("00", 32), "proof": strings.Repeat("00", 64)}, nil); st != 409 {
		t.Fatalf("ready on a blocked ceremony: %d", st)
	}
	fresh := e.seatLinks(p.ID)
	if st := bad.call("/state", nil, nil); st != 404 {
		t.Fatalf("an old link after the restart: %d", st)
	}
	if st := (seatClient{t: t, url: fresh[0]}).call("/state", nil, nil); st != 200 {
		t.Fatalf("a new link: %d", st)
	}
}

func isVisible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).hidden`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return !hidden
}

// katJS replays ballot/elgamal's known-answer vectors in the teller page's module: secret
// scalars from their streams, the three dealings, the joint key and shares, both partial
// decryptions with their proofs, the sealed text and the share code. It answers how many
// values it compared and which differed.
const katJS = `import('teller-crypto').then((m) => {
  const v = %s;
  const ctx = m.unhex(v.ctx);
  let checked = 0;
  const bad = [];
  const eq = (what, got, want) => { checked++; if (got !== want) bad.push(what + ': ' + got + ' != ' + want); };
  v.nonce.forEach((n, i) => eq('nonce ' + i, m.hex(m.scalarBytes(m.randomScalar(m.stream(m.unhex(n.rnd))))), n.scalar));
  const all = [];
  v.dkg.dealers.forEach((d, i) => {
    const got = m.deal(v.dkg.k, v.dkg.n, m.stream(m.unhex(d.rnd)));
    got.commitments.forEach((c, l) => eq('dealer ' + (i + 1) + ' commitment ' + l, m.hex(c), d.commitments[l]));
    got.shares.forEach((s, j) => eq('dealer ' + (i + 1) + ' share ' + (j + 1), m.hex(m.scalarBytes(s)), d.shares[j]));
    all.push(m.commitPoints(m.concat(...got.commitments)));
  });
  eq('joint key', m.hex(m.jointKey(all).toBytes()), v.dkg.public_key);
  const shares = [];
  for (let j = 1; j <= v.dkg.n; j++) {
    eq('public share ' + j, m.hex(m.publicShare(j, all).toBytes()), v.dkg.public_shares[j - 1]);
    let s = 0n;
    v.dkg.dealers.forEach((d) => { s = m.addScalars(s, m.parseScalar(m.unhex(d.shares[j - 1]))); });
    eq('teller share ' + j, m.hex(m.scalarBytes(s)), v.dkg.teller_shares[j - 1]);
    shares.push(s);
  }
  v.partials.partials.forEach((p) => {
    const got = m.partialDecrypt(p.teller, shares[p.teller - 1], v.partials.points, ctx, m.stream(m.unhex(p.rnd)));
    got.d.forEach((d, x) => eq('partial ' + p.teller + ' D' + x, d, p.d[x]));
    eq('partial ' + p.teller + ' proof', got.proof, p.proof);
  });
  eq('sealed text', m.hex(m.sealText(m.unhex(v.dkg.public_key), ctx, m.unhex(v.text.text), v.text.size, m.stream(m.unhex(v.text.rnd)))), v.text.sealed);
  const sc = v.share_code;
  eq('share code', m.encodeShare(sc.poll, sc.teller, m.parseScalar(m.unhex(sc.share))), sc.code);
  const back = m.decodeShare(sc.poll, sc.code.toLowerCase().replaceAll('-', ' '));
  eq('share code read back', back && m.hex(m.scalarBytes(back.s)) + '/' + back.j, sc.share + '/' + sc.teller);
  eq('share code of another poll', m.decodeShare(sc.poll + 'x', sc.code), null);
  return { checked, bad };
})`

// The teller page's cryptography gives, byte for byte, the known answers of the Go package.
func TestTellerJSKnownAnswers(t *testing.T) {
	t.Parallel()
	vectors, err := os.ReadFile("../ballot/elgamal/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	links := e.seatLinks(e.tellerPoll(1, "甲").ID)
	tabs := tellerTabs(t, 1)
	run(t, tabs[0], "open the teller page", chromedp.Navigate(links[0]), chromedp.WaitVisible(css("#start")))
	out, err := chromedp.Run(tabs[0], chromedp.Evaluate[struct {
		Checked int      `json:"checked"`
		Bad     []string `json:"bad"`
	}](fmt.Sprintf(katJS, vectors), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range out.Bad {
		t.Error(b)
	}
	if out.Checked < 30 {
		t.Fatalf("only %d values compared", out.Checked)
	}
	t.Logf("%d values compared with the Go package's", out.Checked)
}

// click clicks what sel names as a person would (browsertest.Click).
func click[S chromedp.Selectable](sel S) chromedp.Action[chromedp.Void] {
	return browsertest.Click(sel)
}
