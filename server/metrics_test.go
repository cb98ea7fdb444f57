package server_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"minyi/ballot"
)

// scrape reads the instance's /metrics as Prometheus would.
func (e *env) scrape() string {
	e.t.Helper()
	res, err := http.Get(e.metrics)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("/metrics: %d %s", res.StatusCode, b)
	}
	return string(b)
}

// metric is the value of one series ("name{labels}"), or -1 when it is not there.
func metric(body, series string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func rejected(code string) string { return `minyi_ballots_rejected_total{reason="` + code + `"}` }

// The operator sees ballots accepted and refused, batches, live streams and latency by
// route; the scrape carries no token, no name on the ballot and no path a voter typed.
func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.evaluation("张三", "李四")
	codes := e.tokens(p, 2)
	e.openPoll(p.ID)

	before := e.scrape()
	if metric(before, "minyi_ballots_accepted_total") != 0 || metric(before, rejected(ballot.ETOKENUSED)) != 0 {
		t.Fatalf("a fresh instance counts ballots:\n%s", before)
	}
	if status, _ := e.vote(codes[0], form("优秀", "称职")); status != 200 {
		t.Fatalf("vote: %d", status)
	}
	if status, _ := e.vote(codes[0], form("优秀", "称职")); status != 409 {
		t.Fatalf("second vote with one token: %d", status)
	}
	if status, _ := e.vote("QQQQ-QQQQ-QQQQ-QQQQ", form("优秀", "称职")); status != 404 {
		t.Fatalf("vote with an unknown token: %d", status)
	}
	if status, _ := e.get(nil, "/no-such-page/"+codes[1]); status != 404 {
		t.Fatalf("unknown page: %d", status)
	}

	body := e.scrape()
	for series, want := range map[string]float64{
		"minyi_ballots_accepted_total":     1,
		rejected(ballot.ETOKENUSED):        1,
		rejected(ballot.ETOKENUNKNOWN):     1,
		rejected(ballot.ECLOSED):           0,
		"minyi_batch_size_count":           1,
		"minyi_batch_size_sum":             1,
		"minyi_batch_commit_seconds_count": 1,
		"minyi_sse_subscribers":            0,
		`minyi_http_request_duration_seconds_count{method="POST",route="/v/:token",status="200"}`: 1,
		`minyi_http_request_duration_seconds_count{method="POST",route="/v/:token",status="409"}`: 1,
		`minyi_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}`:  1,
	} {
		if got := metric(body, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if metric(body, "process_resident_memory_bytes") <= 0 {
		t.Error("no resident memory figure")
	}
	raw := strings.NewReplacer("-", "").Replace(codes[0])
	for _, secret := range []string{codes[0], codes[1], raw, "QQQQ", "张三", "优秀", "no-such-page", p.ID} {
		if strings.Contains(body, secret) {
			t.Errorf("the metrics carry %q", secret)
		}
	}
}
