package server_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudflare/circl/group"

	"minyi/ballot"
	"minyi/ballot/ceremony"
	"minyi/ballot/elgamal"
)

// tellerPoll creates a draft poll with the given tellers, quorum of them opening the box.
func (e *env) tellerPoll(quorum int, tellers ...string) poll {
	e.t.Helper()
	var p poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "监票人密钥测试", "unit_id": e.unitID, "tellers": tellers, "teller_quorum": quorum,
		"groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms":  []map[string]any{{"kind": "evaluation", "title": "领导干部民主测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}},
	}, 201, &p)
	return p
}

// seatLinks starts the poll's ceremony and returns the tellers' links.
func (e *env) seatLinks(pollID string) []string {
	e.t.Helper()
	var out struct {
		Links []struct{ Teller, URL string }
	}
	e.api(e.admin, "POST", "/api/v1/polls/"+pollID+"/ceremony", nil, 201, &out)
	var urls []string
	for _, l := range out.Links {
		if !strings.HasPrefix(l.URL, e.base+"/t/") {
			e.t.Fatalf("teller link %s is not on this server", l.URL)
		}
		urls = append(urls, l.URL)
	}
	seatURLs.Store(pollID, urls)
	return urls
}

// seatClient is a teller's device speaking to the server in Go, as `minyi teller` does.
type seatClient struct {
	t   *testing.T
	url string
}

func (c seatClient) call(path string, body any, out any) int {
	c.t.Helper()
	var r io.Reader
	method := "GET"
	if body != nil {
		b, _ := json.Marshal(body)
		r, method = bytes.NewReader(b), "POST"
	}
	req, _ := http.NewRequest(method, c.url+path, r)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		json.Unmarshal(b, out)
	}
	return res.StatusCode
}

func (c seatClient) record() *ceremony.Record {
	c.t.Helper()
	var r ceremony.Record
	if st := c.call("/state", nil, &r); st != 200 {
		c.t.Fatalf("state: %d", st)
	}
	return &r
}

// The rounds over HTTP, with three devices in Go: each round waits for the one before, a
// seat cannot swap its key or dealing, a proof over another share or another transcript
// is refused, and the poll's key exists only once every seat proved its backup.
func TestCeremonyRounds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	links := e.seatLinks(p.ID)
	var seats []seatClient
	var devs []*ceremony.Device
	for i, l := range links {
		seats = append(seats, seatClient{t: t, url: l})
		d, err := ceremony.NewDevice(i+1, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
	}
	key := func(i int, k []byte) int {
		return seats[i].call("/key", map[string]string{"comm_key": hex.EncodeToString(k)}, nil)
	}
	if st := key(0, devs[0].CommKey()); st != 200 {
		t.Fatalf("key: %d", st)
	}
	if st := key(0, devs[0].CommKey()); st != 200 {
		t.Fatalf("the same key again (a retry): %d", st)
	}
	if st := key(0, devs[1].CommKey()); st != 409 {
		t.Fatalf("another key for a seat that has one: %d", st)
	}
	if st := seats[0].call("/deal", map[string]string{"commitments": strings.Repeat("00", 64), "sealed": strings.Repeat("00", 2*ceremony.SealedSize)}, nil); st != 409 {
		t.Fatalf("a dealing before every key: %d", st)
	}
	for i := 1; i < 3; i++ {
		key(i, devs[i].CommKey())
	}
	rec := seats[0].record()
	dealt := make([][2][]byte, 3)
	for i := range seats {
		c, s, err := devs[i].Deal(rec, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		dealt[i] = [2][]byte{c, s}
		if st := seats[i].call("/deal", map[string]string{"commitments": hex.EncodeToString(c), "sealed": hex.EncodeToString(s)}, nil); st != 200 {
			t.Fatalf("deal %d: %d", i+1, st)
		}
	}
	if st := seats[0].call("/deal", map[string]string{"commitments": hex.EncodeToString(dealt[1][0]), "sealed": hex.EncodeToString(dealt[1][1])}, nil); st != 409 {
		t.Fatalf("a second, different dealing: %d", st)
	}
	var s [3]group.Scalar
	var tr [3][32]byte
	for i := range seats {
		var err error
		if s[i], tr[i], err = devs[i].Check(seats[i].record()); err != nil {
			t.Fatalf("seat %d checks its shares: %v", i+1, err)
		}
	}
	if tr[0] != tr[1] || tr[1] != tr[2] {
		t.Fatal("the seats saw different records")
	}
	ready := func(i int, transcript []byte, share group.Scalar) int {
		ch, _ := hex.DecodeString(seats[i].record().Challenge)
		proof := elgamal.ProveShare(i+1, share, ch, rand.Reader)
		return seats[i].call("/ready", map[string]string{"transcript": hex.EncodeToString(transcript), "proof": hex.EncodeToString(proof)}, nil)
	}
	other := group.Ristretto255.NewScalar().Add(s[0], group.Ristretto255.NewScalar().SetUint64(1))
	if st := ready(0, tr[0][:], other); st != 400 {
		t.Fatalf("a proof over another share: %d", st)
	}
	if st := ready(0, tr[0][:], s[1]); st != 400 {
		t.Fatalf("a proof over another seat's share: %d", st)
	}
	swapped := tr[0]
	swapped[0] ^= 1
	if st := ready(0, swapped[:], s[0]); st != 400 {
		t.Fatalf("a proof after another record: %d", st)
	}
	for i := range 2 {
		if st := ready(i, tr[i][:], s[i]); st != 200 {
			t.Fatalf("ready %d: %d", i+1, st)
		}
	}
	if _, err := e.st.CeremonyKey(ctx, p.ID); ballot.ErrorCode(err) != ballot.EKEYNOTREADY {
		t.Fatalf("the key with one seat not ready: %v", err)
	}
	if st := ready(2, tr[2][:], s[2]); st != 200 {
		t.Fatalf("ready 3: %d", st)
	}
	keys, err := e.st.CeremonyKey(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		if !keys.PublicShares[i].IsEqual(group.Ristretto255.NewElement().MulGen(s[i])) {
			t.Fatalf("public share %d is not s_%d·G", i+1, i+1)
		}
	}
	// Lagrange at 0 over seats 1 and 3: s = 3/2·s_1 − 1/2·s_3.
	two := group.Ristretto255.NewScalar().SetUint64(2)
	half := group.Ristretto255.NewScalar().Inv(two)
	l1 := group.Ristretto255.NewScalar().Mul(group.Ristretto255.NewScalar().SetUint64(3), half)
	l3 := group.Ristretto255.NewScalar().Neg(half)
	joint := group.Ristretto255.NewScalar().Add(group.Ristretto255.NewScalar().Mul(l1, s[0]), group.Ristretto255.NewScalar().Mul(l3, s[2]))
	if !group.Ristretto255.NewElement().MulGen(joint).IsEqual(keys.Joint.K) {
		t.Fatal("seats 1 and 3 do not open the poll's key")
	}
}

// The organizer's side in pages: a draft poll with tellers shows the ceremony's block; the
// button gives one link and QR code per teller, once; each link opens that teller's page.
// A poll without tellers has no ceremony.
func TestCeremonyOrganizerPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.tellerPoll(2, "甲", "乙", "丙")
	client, csrf := e.browser("admin")
	if _, page := e.get(client, "/polls/"+p.ID); !strings.Contains(page, `id="ceremony"`) || !strings.Contains(page, "生成监票人链接") {
		t.Fatal("the draft poll's page has no ceremony block")
	}
	res, err := client.PostForm(e.base+"/polls/"+p.ID+"/ceremony", url.Values{"_csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(b)
	links := regexp.MustCompile(`href="(`+regexp.QuoteMeta(e.base)+`/t/[0-9A-Z]{32})"`).FindAllStringSubmatch(page, -1)
	if res.StatusCode != 200 || len(links) != 3 || strings.Count(page, `src="data:image/png;base64,`) != 3 {
		t.Fatalf("the links page: %d, %d links", res.StatusCode, len(links))
	}
	for i, name := range []string{"甲", "乙", "丙"} {
		st, tp := e.get(nil, strings.TrimPrefix(links[i][1], e.base))
		if st != 200 || !strings.Contains(tp, fmt.Sprintf("您是第 %d 位监票人<strong>%s</strong>", i+1, name)) {
			t.Fatalf("link %d opens %d:\n%s", i+1, st, tp)
		}
	}
	var q poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "无监票人", "unit_id": e.unitID, "groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms": []map[string]any{{"kind": "evaluation", "title": "测评表", "evaluation": map[string]any{"subjects": []map[string]string{{"name": "张三", "post": "副局长"}}}}},
	}, 201, &q)
	if _, page := e.get(client, "/polls/"+q.ID); strings.Contains(page, `id="ceremony"`) || !strings.Contains(page, `id="own-key"`) {
		t.Fatal("a poll without tellers shows the tellers' ceremony, or not the organizer's own key")
	}
	// A survey whose key the server holds has no ceremony at all.
	var s poll
	e.api(e.admin, "POST", "/api/v1/polls", map[string]any{
		"title": "问卷", "unit_id": e.unitID, "key_holder": "server", "groups": []map[string]any{{"name": "职工代表", "expected": 30}},
		"forms": []map[string]any{{"kind": "survey", "title": "问卷", "survey": map[string]any{"questions": []map[string]any{{"kind": "single", "title": "评价", "options": []string{"好", "差"}}}}}},
	}, 201, &s)
	e.api(e.admin, "POST", "/api/v1/polls/"+s.ID+"/ceremony", nil, 400, nil)
}

// keyCeremony runs a poll's key ceremony with a Go device for every teller, round by
// round, as the tellers' phones do it, and returns each teller's backup code in the
// tellers' order: what they type at the count.
func (e *env) keyCeremony(pollID string) []string {
	e.t.Helper()
	links := e.seatLinks(pollID)
	seats := make([]seatClient, len(links))
	devs := make([]*ceremony.Device, len(links))
	for i, l := range links {
		seats[i] = seatClient{t: e.t, url: l}
		d, err := ceremony.NewDevice(i+1, rand.Reader)
		if err != nil {
			e.t.Fatal(err)
		}
		devs[i] = d
		if st := seats[i].call("/key", map[string]string{"comm_key": hex.EncodeToString(d.CommKey())}, nil); st != 200 {
			e.t.Fatalf("seat %d key: %d", i+1, st)
		}
	}
	rec := seats[0].record()
	for i := range seats {
		c, s, err := devs[i].Deal(rec, rand.Reader)
		if err != nil {
			e.t.Fatal(err)
		}
		if st := seats[i].call("/deal", map[string]string{"commitments": hex.EncodeToString(c), "sealed": hex.EncodeToString(s)}, nil); st != 200 {
			e.t.Fatalf("seat %d deal: %d", i+1, st)
		}
	}
	codes := make([]string, len(seats))
	for i := range seats {
		r := seats[i].record()
		s, tr, err := devs[i].Check(r)
		if err != nil {
			e.t.Fatalf("seat %d checks its shares: %v", i+1, err)
		}
		ch, _ := hex.DecodeString(r.Challenge)
		proof := elgamal.ProveShare(i+1, s, ch, rand.Reader)
		if st := seats[i].call("/ready", map[string]string{"transcript": hex.EncodeToString(tr[:]), "proof": hex.EncodeToString(proof)}, nil); st != 200 {
			e.t.Fatalf("seat %d ready: %d", i+1, st)
		}
		codes[i] = elgamal.EncodeShare(pollID, i+1, s)
	}
	return codes
}
