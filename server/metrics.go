package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"minyi/ballot"
	"minyi/live"
	"minyi/store"
)

// metrics are what an operator's Prometheus scrapes. No label may carry a token, a
// ballot's content, a poll's result or a person: routes are labelled by their pattern
// ("/v/:token"), refusals by their error code, and nothing is labelled by poll.
type metrics struct {
	reg      *prometheus.Registry
	accepted prometheus.Counter
	rejected *prometheus.CounterVec
	batch    prometheus.Histogram
	commit   prometheus.Histogram
	http     *prometheus.HistogramVec
}

func newMetrics(h *live.Hub[liveView], st *store.Store) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "minyi_ballots_accepted_total", Help: "Ballots voters put in a box online (ballot page and API).",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minyi_ballots_rejected_total", Help: "Ballot submissions refused, by error code.",
		}, []string{"reason"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "minyi_batch_size", Help: "Ballots written in one transaction.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100},
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "minyi_batch_commit_seconds", Help: "Time to write and commit one batch of ballots.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		http: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "minyi_http_request_duration_seconds", Help: "HTTP request latency by route pattern, method and status.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"route", "method", "status"}),
	}
	m.reg.MustRegister(m.accepted, m.rejected, m.batch, m.commit, m.http,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "minyi_sse_subscribers", Help: "Open live streams (organizers' pages and big screens).",
		}, func() float64 { return float64(h.Count()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minyi_live_computations_total", Help: "Computations of a poll's live turnout (one per poll and update, shared by all its streams).",
		}, func() float64 { return float64(h.Computed()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minyi_replica_box_reads_total", Help: "Counted boxes read from the read replica for a bundle download.",
		}, func() float64 { r, _ := st.ReplicaReads(); return float64(r) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "minyi_replica_behind_total", Help: "Counted boxes read from the primary because the read replica had not replayed their count or did not answer.",
		}, func() float64 { _, b := st.ReplicaReads(); return float64(b) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// A refusal that has not happened yet still shows, at 0, so alerts can name it.
	for _, code := range []string{ballot.EINVALID, ballot.ESPOILT, ballot.ETOKENUNKNOWN, ballot.ETOKENUSED,
		ballot.ETOKENVOID, ballot.ENOTOPEN, ballot.ECLOSED, ballot.ETOOMANY, ballot.ERETRY, ballot.EINTERNAL} {
		m.rejected.WithLabelValues(code)
	}
	return m
}

// submitted counts one ballot submission's outcome.
func (m *metrics) submitted(err error) {
	if err == nil {
		m.accepted.Inc()
		return
	}
	code := ballot.ErrorCode(err)
	if _, known := statusOf[code]; !known {
		code = ballot.EINTERNAL
	}
	m.rejected.WithLabelValues(code).Inc()
}

func (m *metrics) batchWritten(size int, took time.Duration) {
	m.batch.Observe(float64(size))
	m.commit.Observe(took.Seconds())
}

func (m *metrics) request(route, method string, status int, took time.Duration) {
	m.http.WithLabelValues(route, method, strconv.Itoa(status)).Observe(took.Seconds())
}

// MetricsHandler serves the metrics in Prometheus' format. cmd/minyi serves it on its
// own address (MINYI_METRICS_ADDR), not on the one voters and the proxy reach.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{})
}
