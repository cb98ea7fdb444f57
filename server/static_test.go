package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"testing"
)

// fetch gets a path with or without gzip asked for, and returns the raw body.
func (e *env) fetch(path string, gz bool) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.base+path, nil)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// A phone that accepts gzip gets the stylesheet and script compressed, byte for byte the
// same once unpacked; the ballot page itself, which holds the token, is never compressed.
func TestStaticCompressed(t *testing.T) {
	e := newEnv(t)
	p := e.evaluation("张三", "李四", "王五", "赵六", "孙七", "周八")
	code := e.tokens(p, 1)[0]
	e.openPoll(p.ID)

	res, page := e.fetch("/v/"+code, true)
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("ballot page: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	assets := regexp.MustCompile(`/static/[^"]+`).FindAllString(string(page), -1)
	if len(assets) != 2 {
		t.Fatalf("the ballot page links %v", assets)
	}
	packed, plain := len(page), len(page)
	for _, a := range assets {
		_, raw := e.fetch(a, false)
		res, gz := e.fetch(a, true)
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") == "" {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", a, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		r, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		unpacked, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(unpacked, raw) {
			t.Fatalf("%s unpacks to something else (%v)", a, err)
		}
		packed += len(gz)
		plain += len(raw)
	}
	t.Logf("ballot page and its assets: %d bytes, %d uncompressed", packed, plain)
	if packed >= plain {
		t.Fatal("nothing was saved")
	}
}
