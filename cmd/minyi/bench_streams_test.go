package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
)

// `minyi bench -streams` over two instances: every timed vote reaches every stream, none
// is dropped, and the three boxes (before, with and after the streams) are consistent.
// Its figures are what it reports; only its accounting is asserted.
func TestBenchStreams(t *testing.T) {
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"bench", "-data", app.data, "-n", "40", "-c", "4", "-streams", "12", "-instances", "2", "-json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var r struct {
		AuditOK bool `json:"audit_ok"`
		Streams *struct {
			Streams, Instances, Updates, Missed, Dropped int
			AuditOK                                      bool    `json:"audit_ok"`
			P99                                          float64 `json:"update_p99_ms"`
			Settle                                       float64 `json:"settle_max_ms"`
			Without                                      float64 `json:"without_per_sec"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	s := r.Streams
	if !r.AuditOK || s == nil || s.Streams != 12 || s.Instances != 2 || s.Updates != 12*5 || s.Missed != 0 || s.Dropped != 0 || !s.AuditOK || s.P99 <= 0 || s.Settle < 0 || s.Without <= 0 {
		t.Fatalf("%s", out.String())
	}
}
