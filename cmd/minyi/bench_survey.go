package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"minyi/server"
	"minyi/store"
)

// surveyResult is what `minyi bench -survey` measured: one bulk issue of a survey's
// codes through the API, and (with -survey-pdf) the same issue as a ZIP of the CSV and
// the PDF slips.
type surveyResult struct {
	Codes   int          `json:"codes"`
	Groups  int          `json:"groups"`
	CSV     surveyIssue  `json:"csv"`
	ZIP     *surveyIssue `json:"zip,omitempty"`
	Load    string       `json:"load"`
	Workers int          `json:"cores"`
}

type surveyIssue struct {
	Seconds   float64 `json:"seconds"`
	FirstByte float64 `json:"first_byte_seconds"`
	Bytes     int64   `json:"bytes"`
	Lines     int     `json:"lines"` // CSV lines, header left out (CSV only)
	Rows      int     `json:"rows"`  // tokens the database holds for the poll afterwards
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// CPU seconds spent meanwhile by this process (server and client) and by the
	// private PostgreSQL (every process of its cluster; 0 on a DATABASE_URL).
	CPUSeconds   float64 `json:"cpu_seconds"`
	PgCPUSeconds float64 `json:"pg_cpu_seconds"`
}

// benchSurvey makes a survey poll of groups groups whose 应到 add up to n, and issues
// its codes through the API of a server running in this process, as an organizer's
// script would: every group's remaining, in one streamed download. It reports the time to
// the download's last byte, its size, the tokens stored, and the peak resident memory of
// this process (the server, and a client that reads the download and keeps nothing).
func benchSurvey(ctx context.Context, st *store.Store, base, pgDir string, n, groups int, pdf bool) (surveyResult, error) {
	res := surveyResult{Codes: n, Groups: groups, Load: loadAverage()}
	token, done, err := benchAdmin(ctx, st, base)
	if err != nil {
		return res, err
	}
	defer done()
	u, err := st.CreateUnit(ctx, fmt.Sprintf("压测全省单位 %s", time.Now().Format("20060102-150405.000")))
	if err != nil {
		return res, err
	}
	issue := func(format string) (surveyIssue, error) {
		var out surveyIssue
		var gs []map[string]any
		for i := range groups {
			expected := n / groups
			if i < n%groups {
				expected++
			}
			gs = append(gs, map[string]any{"name": fmt.Sprintf("第%03d服务窗口", i+1), "expected": expected})
		}
		var p struct{ ID string }
		if err := benchCall(ctx, base, "POST", "/api/v1/polls", token, map[string]any{
			"title": "全省政务服务满意度测评（压测）", "unit_id": u.ID, "key_holder": "server", "groups": gs,
			"forms": []map[string]any{{"kind": "survey", "title": "满意度问卷", "survey": map[string]any{"questions": []map[string]any{
				{"kind": "single", "title": "总体评价", "options": []string{"满意", "基本满意", "不满意", "不了解"}}}}}},
		}, &p); err != nil {
			return out, err
		}
		defer benchCall(context.WithoutCancel(ctx), base, "DELETE", "/api/v1/polls/"+p.ID, token, nil, nil)
		peak := watchRSS()
		cpu0, pg0 := cpuTime(), pgCPU(pgDir)
		start := time.Now()
		body, _ := json.Marshal(map[string]any{"format": format})
		req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/polls/"+p.ID+"/codes", bytes.NewReader(body))
		if err != nil {
			return out, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return out, err
		}
		defer r.Body.Close()
		if r.StatusCode != 200 {
			raw, _ := io.ReadAll(r.Body)
			return out, fmt.Errorf("issuing: %d %s", r.StatusCode, raw)
		}
		br := bufio.NewReaderSize(r.Body, 64<<10)
		if _, err := br.Peek(1); err != nil {
			return out, err
		}
		out.FirstByte = time.Since(start).Seconds()
		buf := make([]byte, 64<<10)
		said := time.Now()
		for {
			if time.Since(said) > 30*time.Second { // a ZIP of a million slips takes many minutes
				fmt.Fprintf(os.Stderr, "%s: %.0f s, %d bytes so far\n", format, time.Since(start).Seconds(), out.Bytes)
				said = time.Now()
			}
			k, err := br.Read(buf)
			out.Bytes += int64(k)
			out.Lines += bytes.Count(buf[:k], []byte("\n"))
			if err == io.EOF {
				break
			}
			if err != nil {
				return out, fmt.Errorf("the download broke after %d bytes: %w", out.Bytes, err)
			}
		}
		out.Seconds = time.Since(start).Seconds()
		out.PeakRSSMB = peak()
		out.CPUSeconds = (cpuTime() - cpu0).Seconds()
		out.PgCPUSeconds = (pgCPU(pgDir) - pg0).Seconds()
		out.Lines-- // the header
		if format != "csv" {
			out.Lines = 0
		}
		tu, err := st.Turnout(ctx, p.ID)
		if err != nil {
			return out, err
		}
		for _, t := range tu {
			out.Rows += t.Issued
		}
		return out, nil
	}
	if res.CSV, err = issue("csv"); err != nil {
		return res, err
	}
	if pdf {
		z, err := issue("zip")
		if err != nil {
			return res, err
		}
		res.ZIP = &z
	}
	return res, nil
}

// benchAdmin makes an administrator with a random password nobody is told, signs it in
// through the API, and disables it when done is called.
func benchAdmin(ctx context.Context, st *store.Store, base string) (string, func(), error) {
	secret := make([]byte, 16)
	rand.Read(secret)
	name := "bench-" + hex.EncodeToString(secret[:6])
	pw := hex.EncodeToString(secret)
	hash, err := server.HashPassword(pw)
	if err != nil {
		return "", nil, err
	}
	admin := store.Staff{Username: name, Name: name, Role: store.RoleAdmin, PasswordHash: hash}
	if err := st.CreateStaff(ctx, &admin); err != nil {
		return "", nil, err
	}
	done := func() { st.DisableStaff(context.WithoutCancel(ctx), admin.ID) }
	var session struct{ Token string }
	if err := benchCall(ctx, base, "POST", "/api/v1/sessions", "", map[string]string{"username": name, "password": pw}, &session); err != nil {
		done()
		return "", nil, err
	}
	return session.Token, done, nil
}

func benchCall(ctx context.Context, base, method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	if r.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, r.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// watchRSS samples this process's resident memory every 50 ms until the returned
// function is called, which answers the highest sample in MB. The kernel's own peak
// (VmHWM) would also count what came before the measure.
func watchRSS() func() float64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := statusKB("VmRSS:"); kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-finished
		return float64(peak.Load()) / 1024
	}
}

// statusKB reads a field of this process's /proc status in kB; 0 where there is none.
func statusKB(field string) int64 { return procStatusKB(os.Getpid(), field) }

// loadAverage is the machine's load when the bench starts, for the record.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func printSurvey(w io.Writer, r surveyResult) {
	fmt.Fprintf(w, "survey: %d codes across %d groups, one bulk issue through the API (load average at start %s, %d cores)\n", r.Codes, r.Groups, r.Load, r.Workers)
	fmt.Fprintf(w, "  CSV  %8.1f s   first byte %.2f s   %d bytes streamed   %d lines   %d tokens stored   peak RSS %.0f MB   CPU %.1f s here, %.1f s PostgreSQL\n",
		r.CSV.Seconds, r.CSV.FirstByte, r.CSV.Bytes, r.CSV.Lines, r.CSV.Rows, r.CSV.PeakRSSMB, r.CSV.CPUSeconds, r.CSV.PgCPUSeconds)
	if z := r.ZIP; z != nil {
		fmt.Fprintf(w, "  ZIP  %8.1f s   first byte %.2f s   %d bytes streamed   (CSV and PDF slips)   %d tokens stored   peak RSS %.0f MB   CPU %.1f s here, %.1f s PostgreSQL\n",
			z.Seconds, z.FirstByte, z.Bytes, z.Rows, z.PeakRSSMB, z.CPUSeconds, z.PgCPUSeconds)
	}
}
