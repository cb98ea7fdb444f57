package server_test

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// The last strings built in code, in the pseudo-locale test: the /verify page's notes, a
// refusal by role (page and API) and a survey's sheet with a bad row. Its data is made
// once per fixture, on first use.

type restArea struct {
	bundle, broken []byte // a counted poll's bundle as downloaded, and the same with a ballot changed
	teller         string // a teller's API token
	tellerBrowser  *http.Client
}

var (
	restAreaMu sync.Mutex
	restAreas  = map[*pseudoFixture]*restArea{}
)

func (f *pseudoFixture) restArea() *restArea {
	f.t.Helper()
	restAreaMu.Lock()
	defer restAreaMu.Unlock()
	if a := restAreas[f]; a != nil {
		return a
	}
	a := &restArea{}
	var p poll
	f.api(f.admin, "POST", "/api/v1/polls", map[string]any{"title": "Counted poll", "unit_id": f.unitID,
		"groups": []map[string]any{{"name": "Members", "expected": 1}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "Evaluation", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "Jack", "post": "Head"}}}}},
	}, 201, &p)
	code := f.tokensIn(p.ID, p.Groups[0].ID, 1)[0]
	f.openPoll(p.ID)
	f.vote(code, url.Values{"f1.s1": {"称职"}})
	f.api(f.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	f.countPoll(p.ID, nil)
	a.bundle = f.api(f.admin, "GET", "/api/v1/polls/"+p.ID+"/bundle", nil, 200, nil)
	a.broken = changedBallot(f, a.bundle)
	f.addStaff("teller1", "teller", f.unitID)
	a.teller = f.login("teller1")
	a.tellerBrowser, _ = f.browser("teller1")
	b, _ := url.Parse(f.base)
	a.tellerBrowser.Jar.SetCookies(b, []*http.Cookie{{Name: "lang", Value: "en-XA", Path: "/"}})
	restAreas[f] = a
	return a
}

// changedBallot is a bundle's ZIP with the last byte of its ballots changed, as a
// tampered download would be: still a ZIP, no longer the signed box.
func changedBallot(f *pseudoFixture, bundle []byte) []byte {
	f.t.Helper()
	z, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		f.t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, zf := range z.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if zf.Name == "ballots.bin" && len(b) > 0 {
			b[len(b)-1] ^= 1
		}
		dst, _ := w.Create(zf.Name)
		dst.Write(b)
	}
	w.Close()
	return out.Bytes()
}

// verifyUpload posts a bundle to /verify as the voter's browser.
func verifyUpload(bundle func(*restArea) []byte) func(*pseudoFixture, *http.Client) (*http.Response, error) {
	return func(f *pseudoFixture, c *http.Client) (*http.Response, error) {
		content := bundle(f.restArea())
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		fw, _ := w.CreateFormFile("bundle", "bundle.zip")
		fw.Write(content)
		w.Close()
		return c.Post(f.base+"/verify", w.FormDataContentType(), &body)
	}
}

// surveySheet posts the builder with a survey whose imported sheet has a bad row.
func surveySheet(f *pseudoFixture, c *http.Client) (*http.Response, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fields := map[string]string{"_csrf": f.csrf, "title": "Survey", "groups": "Staff 40", "quorum": "2/3", "key_holder": "server",
		"f0_kind": "survey", "f0_title": "Survey", "f0_questions": "", "import": "f0_questions"}
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("f0_questions_file", "sheet.csv")
	// one option where two are needed, in the sheet's second row
	fw.Write([]byte("单选,Overall,Good/Poor\r\n单选,Role,Staff\r\n"))
	w.Close()
	return c.Post(f.base+"/polls", w.FormDataContentType(), &body)
}

// refusedAPI is a teller's call of an organizer's API route, in English.
func refusedAPI(f *pseudoFixture, _ *http.Client) (*http.Response, error) {
	req, _ := http.NewRequest("POST", f.base+"/api/v1/polls", strings.NewReader(`{"title":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("Authorization", "Bearer "+f.restArea().teller)
	return http.DefaultClient.Do(req)
}

// refusedPage is a teller's visit of an organizer's page.
func refusedPage(f *pseudoFixture, _ *http.Client) (*http.Response, error) {
	return f.restArea().tellerBrowser.Get(f.base + "/polls/new")
}
