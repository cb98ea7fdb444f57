package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"minyi/server"
	"minyi/store"
)

// benchServer starts one server instance on st, on a free local port, and returns its
// address and how to stop it.
// benchServers are the instances the bench started, whose ballot pools it lets fill before
// a burst.
var benchServers []*server.Server

func benchServer(ctx context.Context, st *store.Store, cfg server.Config) (string, func(), error) {
	srv, err := server.New(cfg, st)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	app := srv.App()
	sctx, cancel := context.WithCancel(ctx)
	if err := srv.Start(sctx); err != nil {
		cancel()
		ln.Close()
		return "", nil, err
	}
	go app.Listener(ln)
	benchServers = append(benchServers, srv)
	return "http://" + ln.Addr().String(), func() { srv.Close(); app.ShutdownWithTimeout(5 * time.Second); cancel() }, nil
}

// benchUpdates is how many single votes are timed on their way to the streams.
const benchUpdates = 5

// streamWatch is what one stream showed: each event's time and count.
type streamWatch struct {
	mu    sync.Mutex
	seen  []streamSeen
	ended bool // the stream ended before the bench closed it
}

type streamSeen struct {
	at   time.Time
	data []byte
	used int // -1 until read
}

// first is when the stream first showed at least used votes.
func (w *streamWatch) first(used int) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := range w.seen {
		s := &w.seen[i]
		if s.used < 0 {
			var ev struct {
				Turnout struct{ Total struct{ Used int } }
			}
			json.Unmarshal(s.data, &ev)
			s.used, s.data = ev.Turnout.Total.Used, nil
		}
		if s.used >= used {
			return s.at, true
		}
	}
	return time.Time{}, false
}

// benchStreams opens the streams of a big screen on a fresh poll, round robin over the
// instances; times single votes on their way to every stream; then votes n tokens of the
// same poll, c at a time, with the streams open, and audits the box.
func benchStreams(ctx context.Context, st *store.Store, keys server.Keys, bases []string, n, c, streams int, away bool) (*streamResult, error) {
	r := &streamResult{Streams: streams, Instances: len(bases), Away: away}
	// With away, the readers stop between two reads while the burst runs: the events wait
	// in the sockets, written by the servers all the same, and are read after.
	var paused sync.RWMutex
	before, err := benchBare(ctx, st, keys, bases, n, c)
	if err != nil {
		return nil, err
	}
	p, toks, err := benchPoll(ctx, st, keys, n+benchUpdates)
	if err != nil {
		return nil, err
	}
	key, err := st.ScreenKey(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watches := make([]*streamWatch, streams)
	var ready sync.WaitGroup
	opening := make(chan struct{}, 100) // connect a hundred at a time, as pages load
	for i := range watches {
		w := &streamWatch{}
		watches[i] = w
		ready.Add(1)
		opening <- struct{}{}
		go func() {
			first := true
			done := func() {
				if first {
					first = false
					<-opening
					ready.Done()
				}
			}
			defer done()
			// A bare connection and a line reader: the bench shares the machine with the
			// servers, and a thousand browsers would not, so its side is kept cheap. The
			// events are also only kept as they come, and read afterwards.
			host := strings.TrimPrefix(bases[i%len(bases)], "http://")
			conn, err := (&net.Dialer{}).DialContext(sctx, "tcp", host)
			if err != nil {
				w.mu.Lock()
				w.ended = sctx.Err() == nil
				w.mu.Unlock()
				return
			}
			stop := context.AfterFunc(sctx, func() { conn.Close() })
			defer stop()
			defer conn.Close()
			fmt.Fprintf(conn, "GET /screen/%s/live HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", key, host)
			rd := bufio.NewReader(conn)
			for {
				if rd.Buffered() == 0 {
					// Taking the read lock waits while the readers are away; nothing is guarded.
					paused.RLock()
					//lint:ignore SA2001 the lock is a gate, not a guard
					paused.RUnlock()
				}
				line, err := rd.ReadSlice('\n')
				if err != nil {
					break
				}
				// Chunk sizes of the chunked body come on lines of their own; the events'
				// lines are whole within a chunk.
				data, ok := bytes.CutPrefix(line, []byte("data: "))
				if !ok {
					continue
				}
				w.mu.Lock()
				w.seen = append(w.seen, streamSeen{at: time.Now(), data: bytes.Clone(data), used: -1})
				w.mu.Unlock()
				done()
			}
			w.mu.Lock()
			w.ended = sctx.Err() == nil
			w.mu.Unlock()
		}()
	}
	ready.Wait()
	for _, w := range watches {
		if _, ok := w.first(0); !ok {
			return nil, fmt.Errorf("a stream did not open")
		}
	}

	// Single votes, a second apart: from just before each submit until each stream shows it.
	voter := &http.Client{Timeout: 60 * time.Second}
	body := benchForm(p)
	var lat []float64
	for k := 1; k <= benchUpdates; k++ {
		kind, d := benchVote(ctx, voter, bases[k%len(bases)]+"/v/"+string(toks[n+k-1]), body)
		if kind != "" {
			return nil, fmt.Errorf("a timed vote failed: %s", kind)
		}
		sent := time.Now().Add(-d)
		deadline := sent.Add(5 * time.Second)
		for _, w := range watches {
			for {
				at, ok := w.first(k)
				if ok {
					lat = append(lat, float64(at.Sub(sent).Microseconds())/1000)
					break
				}
				if time.Now().After(deadline) {
					r.Missed++
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		time.Sleep(time.Until(sent.Add(time.Second)))
	}
	r.Updates = len(lat) + r.Missed
	sort.Float64s(lat)
	if len(lat) > 0 {
		q := func(f float64) float64 { return lat[min(len(lat)-1, int(f*float64(len(lat))))] }
		r.UpdateP50ms, r.UpdateP99ms, r.UpdateMaxms = q(.50), q(.99), lat[len(lat)-1]
	}

	// The burst, watched.
	burst := benchResult{Voters: n, Concurrency: c, Errors: map[string]int{}}
	if away {
		paused.Lock()
	}
	start := time.Now()
	benchBurst(ctx, &burst, p, toks[:n], bases, c)
	end := time.Now()
	if away {
		paused.Unlock()
	}
	for _, w := range watches {
		w.mu.Lock()
		for _, e := range w.seen {
			if e.at.After(start) && e.at.Before(end) {
				r.BurstEvents++
			}
		}
		w.mu.Unlock()
	}
	r.BurstEvents /= float64(len(watches))
	r.BallotsPerSec, r.P99ms = burst.BallotsPerSec, burst.P99ms
	final := burst.OK + benchUpdates
	deadline := end.Add(10 * time.Second)
	for _, w := range watches {
		for {
			if at, ok := w.first(final); ok {
				r.SettleMaxms = max(r.SettleMaxms, float64(at.Sub(end).Microseconds())/1000)
				break
			}
			if time.Now().After(deadline) {
				r.SettleMaxms = -1 // some stream never showed the final count
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if r.SettleMaxms < 0 {
			break
		}
	}
	for _, w := range watches {
		w.mu.Lock()
		if w.ended {
			r.Dropped++
		}
		w.mu.Unlock()
	}
	cancel()
	burst.OK += benchUpdates
	if err := benchAudit(ctx, st, p.ID, &burst); err != nil {
		return nil, err
	}
	after, err := benchBare(ctx, st, keys, bases, n, c)
	if err != nil {
		return nil, err
	}
	r.AuditOK = burst.AuditOK && before.AuditOK && after.AuditOK
	r.WithoutPerSec = (before.BallotsPerSec + after.BallotsPerSec) / 2
	r.CPUusWith = burst.CPUms * 1000 / float64(max(1, burst.OK-benchUpdates))
	r.CPUusWithout = (before.CPUms + after.CPUms) * 1000 / float64(max(1, before.OK+after.OK))
	if r.WithoutPerSec > 0 {
		r.Kept = r.BallotsPerSec / r.WithoutPerSec
	}
	return r, nil
}

// benchBare is the burst alone, on a poll of its own, audited.
func benchBare(ctx context.Context, st *store.Store, keys server.Keys, bases []string, n, c int) (benchResult, error) {
	res := benchResult{Voters: n, Concurrency: c, Errors: map[string]int{}}
	p, toks, err := benchPoll(ctx, st, keys, n)
	if err != nil {
		return res, err
	}
	benchBurst(ctx, &res, p, toks, bases, c)
	return res, benchAudit(ctx, st, p.ID, &res)
}
