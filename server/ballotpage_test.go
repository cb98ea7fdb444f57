package server_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The ballot page as first shown is put together from pieces rendered once per group:
// every voter must still get exactly the page the template writes for them, with their
// own address in the form and in the language switch. A request with a message cookie
// takes the template's path, so the two are compared byte for byte, for several voters
// of one group (the later ones from the pieces), in both languages and text sizes.
func TestBallotPageSameForEveryVoter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 3)
	e.openPoll(p.ID)
	fetch := func(path string, cookies ...*http.Cookie) string {
		t.Helper()
		req, err := http.NewRequest("GET", e.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %.300s", path, res.StatusCode, b)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		return string(b)
	}
	flash := &http.Cookie{Name: "minyi_flash", Value: "x"}
	for _, lang := range []string{"zh", "en"} {
		for _, big := range []string{"", "?big=1"} {
			for i, code := range []string{codes[0], codes[1], strings.ToLower(codes[2]), codes[0]} {
				path := "/v/" + code + big
				lc := &http.Cookie{Name: "lang", Value: lang}
				got := fetch(path, lc)
				want := fetch(path, lc, flash)
				if got != want {
					t.Fatalf("%s, voter %d (%s): the page differs from the template's\n got: %s\nwant: %s", lang, i, path, snippetAround(got, want), snippetAround(want, got))
				}
				if !strings.Contains(got, `action="`+path+`"`) || !strings.Contains(got, "next=%2Fv%2F"+code) {
					t.Fatalf("%s, voter %d: the page does not post to or switch back to %s: %.2000s", lang, i, path, got)
				}
				for _, other := range codes {
					if !strings.EqualFold(other, code) && strings.Contains(strings.ToUpper(got), strings.ToUpper(other)) {
						t.Fatalf("%s, voter %d: the page holds another voter's token %s", lang, i, other)
					}
				}
			}
		}
	}
	// Voters arriving together: each gets their own page, whoever rendered the pieces.
	want := map[string]string{}
	for _, code := range codes {
		want[code] = fetch("/v/"+code, flash)
	}
	var wg sync.WaitGroup
	got := make([]string, 3*len(codes))
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Get(e.base + "/v/" + codes[i%len(codes)])
			if err != nil {
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			got[i] = string(b)
		}()
	}
	wg.Wait()
	for i, page := range got {
		if code := codes[i%len(codes)]; page != want[code] {
			t.Fatalf("voter %s among others at once: the page differs from the template's\n got: %s", code, snippetAround(page, want[code]))
		}
	}
}

// snippetAround is a's text around where it first differs from b.
func snippetAround(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-120):min(len(a), i+120)]
}

// The page that answers a vote is put together from pieces rendered once per poll and
// language: each voter must get exactly what the template writes for them, with their own
// receipt code and their own link back. A post with a message cookie takes the
// template's path; the two voters' pages are compared with each one's receipt and token
// put in the other's place.
func TestVotedPageSameForEveryVoter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 6)
	e.openPoll(p.ID)
	post := func(code, lang string, flash bool) string {
		t.Helper()
		req, err := http.NewRequest("POST", e.base+"/v/"+code, strings.NewReader(form("优秀", "称职").Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
		if flash {
			req.AddCookie(&http.Cookie{Name: "minyi_flash", Value: "x"})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("POST /v/%s: %d %.300s", code, res.StatusCode, b)
		}
		return string(b)
	}
	receipt := regexp.MustCompile(`class="receipt">([0-9A-Z]{4}(?:-[0-9A-Z]{4})+)<`)
	for i, lang := range []string{"zh", "en"} {
		a, b, c := codes[3*i], codes[3*i+1], codes[3*i+2]
		want := post(a, lang, true)
		for _, code := range []string{b, c} { // the first renders the pieces, the second reuses them
			got := post(code, lang, false)
			rw, rg := receipt.FindStringSubmatch(want), receipt.FindStringSubmatch(got)
			if rw == nil || rg == nil || rw[1] == rg[1] {
				t.Fatalf("%s: no receipt, or the same for two voters: %v %v", lang, rw, rg)
			}
			if !strings.Contains(got, "next=%2Fv%2F"+code) {
				t.Fatalf("%s: the page does not switch back to /v/%s: %.2000s", lang, code, got)
			}
			mine := strings.ReplaceAll(strings.ReplaceAll(want, rw[1], rg[1]), "%2Fv%2F"+a, "%2Fv%2F"+code)
			if got != mine {
				t.Fatalf("%s, /v/%s: the page differs from the template's\n got: %s\nwant: %s", lang, code, snippetAround(got, mine), snippetAround(mine, got))
			}
		}
	}
}
