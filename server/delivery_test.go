package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Filed entries reach a receiver that is down for a while, then up: each exactly once
// from its view (it keeps one per Idempotency-Key), signed with its secret. A delivery
// whose instance stalls past its lease (as one that dies mid-request) is taken up by
// another instance; the repeat carries the same key.
func TestOutboundDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	startInstance(t, e.url, io.Discard) // a second instance delivers too
	const secret = "a-shared-secret-of-the-receiver"
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	stored := map[string]bool{}
	seen := map[string]int{}
	stalled := map[string]bool{}
	badSig := 0
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		key := r.Header.Get("Idempotency-Key")
		mu.Lock()
		if r.Header.Get("X-Minyi-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			badSig++
		}
		seen[key]++
		stall := !down.Load() && !stalled[key] && len(stalled) == 0
		if stall {
			stalled[key] = true
		}
		mu.Unlock()
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if stall { // hold the first delivery past its lease, then answer
			time.Sleep(1500 * time.Millisecond)
		}
		mu.Lock()
		stored[key] = true
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rcv.Close()

	c, csrf := e.browser("admin")
	res, err := c.PostForm(e.base+"/admin/receivers", url.Values{"_csrf": {csrf}, "name": {"档案系统"}, "url": {rcv.URL}, "secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	p := e.evaluation("张三", "李四", "王五")
	codes := e.tokens(p, 1)
	e.openPoll(p.ID)
	e.vote(codes[0], form("优秀", "称职", "称职"))
	e.api(e.admin, "POST", "/api/v1/polls/"+p.ID+"/close", nil, 200, nil)
	e.countPoll(p.ID, nil)
	res, _ = c.PostForm(e.base+"/polls/"+p.ID+"/file", url.Values{"_csrf": {csrf}})
	res.Body.Close()

	// Down: deliveries fail and are retried, and the page says so.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, _ := e.st.PendingDeliveries(ctx)
		if len(pending) == 3 && pending[0].Attempts >= 2 && pending[0].LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no retries while the receiver is down: %+v", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, page := e.get(c, "/admin/deliveries"); !strings.Contains(page, "接收方回应 503") {
		t.Fatal("the deliveries page does not show the failures")
	}
	down.Store(false)
	deadline = time.Now().Add(20 * time.Second)
	for {
		pending, _ := e.st.PendingDeliveries(ctx)
		mu.Lock()
		n := len(stored)
		mu.Unlock()
		if n == 3 && len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored %d, pending %d", n, len(pending))
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if badSig != 0 {
		t.Fatalf("%d deliveries with a bad signature", badSig)
	}
	repeated := 0
	for k := range stalled {
		if seen[k] < 2 {
			t.Fatalf("the stalled delivery %s was not taken up again (seen %d times)", k, seen[k])
		}
		repeated++
	}
	if repeated != 1 {
		t.Fatalf("stalled %d deliveries, want 1", repeated)
	}
	if n, _ := e.st.DeliveredCount(ctx); n != 3 {
		t.Fatalf("delivered %d", n)
	}
}
