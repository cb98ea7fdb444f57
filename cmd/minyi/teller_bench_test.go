package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/elgamal"
	"minyi/store/dbtest"
)

// A teller's device at the count: the partial decryption on the teller page, in chromium
// with its CPU throttled 4× (a slow phone), of the points of a 2,000-ballot 民主测评 of
// thirty subjects in four voter groups of 500. The points are the sums' first halves, one
// per result row and cell, and one per text slot of every ballot: their number depends on
// the layout, not on the ballots, so random points of that number stand for the sums.
func BenchmarkTellerPartialChromium4x(b *testing.B) {
	var ss []ballot.Subject
	for i := range 30 {
		ss = append(ss, ballot.Subject{Name: fmt.Sprintf("对象%d", i+1)})
	}
	var groups []ballot.Group
	for i := range 4 {
		groups = append(groups, ballot.Group{ID: fmt.Sprintf("g%d", i+1), Name: fmt.Sprintf("类别%d", i+1), Expected: 500})
	}
	p := &ballot.Poll{ID: "p", Title: "测评", Groups: groups, Forms: []ballot.Form{{Kind: ballot.KindEvaluation, Evaluation: &ballot.Evaluation{Subjects: ss}}}}
	p.Normalize()
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	d := elgamal.Deal(1, 1, rand.Reader)
	k, err := ballot.NewBoxKey(p, elgamal.JointKey([][]group.Element{d.Commitments}).Bytes())
	if err != nil {
		b.Fatal(err)
	}
	texts := 0
	for _, s := range p.TextSlots() {
		texts += 2000 * s.Count
	}
	n := len(p.ResultGroups([]int{500, 500, 500, 500}).Groups)*k.Layout().Cells + texts
	var pts []group.Element
	var hexes []string
	for range n {
		r, _ := elgamal.NewScalar(rand.Reader)
		pt := group.Ristretto255.NewElement().MulGen(r)
		pts, hexes = append(pts, pt), append(hexes, hex.EncodeToString(elgamal.PointBytes(pt)))
	}
	sj, _ := elgamal.NewScalar(rand.Reader)
	cctx := k.CountContext()

	tab := benchTellerPage(b)
	throttle := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
		return err
	})
	if err := chromedp.Do(tab, throttle); err != nil {
		b.Fatal(err)
	}
	args, _ := json.Marshal([]any{hex.EncodeToString(elgamal.ScalarBytes(sj)), hexes, hex.EncodeToString(cctx)})
	js := fmt.Sprintf(`import('teller-crypto').then(m => { const [s, pts, ctx] = %s; return m.partialDecrypt(1, m.parseScalar(m.unhex(s)), pts, m.unhex(ctx)); })`, args)
	var out struct {
		D     []string `json:"d"`
		Proof string   `json:"proof"`
	}
	b.ResetTimer()
	for range b.N {
		if out, err = chromedp.Run(tab, chromedp.Evaluate[struct {
			D     []string `json:"d"`
			Proof string   `json:"proof"`
		}](js, chromedp.EvalAwaitPromise)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "points")
	// What the page computed is a partial decryption the server accepts.
	part := elgamal.Partial{Teller: 1}
	for _, h := range out.D {
		raw, _ := hex.DecodeString(h)
		pt, err := elgamal.ParsePoint(raw)
		if err != nil {
			b.Fatal(err)
		}
		part.D = append(part.D, pt)
	}
	part.Proof, _ = hex.DecodeString(out.Proof)
	if err := elgamal.VerifyPartial(group.Ristretto255.NewElement().MulGen(sj), pts, part, cctx); err != nil {
		b.Fatalf("the page's partial decryption does not verify: %v", err)
	}
}

// benchTellerPage opens a teller page (a one-teller poll's seat link) in chromium: the page
// that loads the teller's cryptography.
func benchTellerPage(b *testing.B) context.Context {
	b.Helper()
	call := func(method, path, token string, body, out any) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, app.base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode/100 != 2 {
			b.Fatalf("%s %s: %d", method, path, res.StatusCode)
		}
		if out != nil {
			json.NewDecoder(res.Body).Decode(out)
		}
	}
	var login struct{ Token string }
	call("POST", "/api/v1/sessions", "", map[string]string{"username": "admin", "password": app.password}, &login)
	var units struct{ Units []struct{ ID string } }
	call("GET", "/api/v1/units", login.Token, nil, &units)
	var p pollRef
	call("POST", "/api/v1/polls", login.Token, map[string]any{"title": "开箱基准", "unit_id": units.Units[0].ID, "tellers": []string{"甲"}, "teller_quorum": 1,
		"groups": []map[string]any{{"name": "职工代表", "expected": 10}},
		"forms":  []map[string]any{{"kind": "evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三"}}}}}}, &p)
	var links struct{ Links []struct{ URL string } }
	call("POST", "/api/v1/polls/"+p.ID+"/ceremony", login.Token, nil, &links)
	path, err := dbtest.Chromium()
	if err != nil {
		b.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.UserDataDir(b.TempDir()))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	b.Cleanup(cancel)
	tab, cancel2 := chromedp.NewContext(actx)
	b.Cleanup(cancel2)
	if err := chromedp.Do(tab, chromedp.Navigate(links.Links[0].URL), chromedp.WaitVisible(css("#start"))); err != nil {
		b.Fatal(err)
	}
	return tab
}
