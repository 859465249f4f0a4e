package api

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Metrics holds Trazo's Prometheus metrics in a registry of its own (never
// the global one), served at GET /metrics. Requests are labelled by route
// pattern, never by the raw URL. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	rateLimited *prometheus.CounterVec
	authRefused *prometheus.CounterVec

	commits        prometheus.Counter
	commitEntries  prometheus.Histogram
	commitRequests prometheus.Histogram
	commitLatency  prometheus.Histogram
	logSize        prometheus.Gauge

	cache atomic.Pointer[func() auth.CacheStats]
}

// NewMetrics returns a Metrics with every collector registered, plus the
// Go runtime and process collectors. It cannot fail.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trazo_http_requests_total",
		Help: "HTTP requests answered, by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "trazo_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by method and route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trazo_http_rate_limited_total",
		Help: "Requests refused with 429, by what was limited (subject or ip).",
	}, []string{"scope"})
	m.authRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trazo_auth_refusals_total",
		Help: "Requests refused with 401 or 403, by error code.",
	}, []string{"code"})
	m.commits = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "trazo_ledger_commits_total",
		Help: "Durable commits of the ledger's writer.",
	})
	m.commitEntries = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "trazo_ledger_commit_entries",
		Help:    "Entries appended per commit (group commit batch size).",
		Buckets: prometheus.ExponentialBuckets(1, 2, 13), // 1 … 4096
	})
	m.commitRequests = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "trazo_ledger_commit_requests",
		Help:    "Append requests answered per commit.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 13),
	})
	m.commitLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "trazo_ledger_commit_duration_seconds",
		Help:    "Time spent in the store's commit, fsync included.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	m.logSize = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trazo_ledger_size",
		Help: "Number of entries durably in the log.",
	})
	cacheFunc := func(pick func(auth.CacheStats) float64) func() float64 {
		return func() float64 {
			if f := m.cache.Load(); f != nil {
				return pick((*f)())
			}
			return 0
		}
	}
	m.reg.MustRegister(
		m.requests, m.latency, m.rateLimited, m.authRefused,
		m.commits, m.commitEntries, m.commitRequests, m.commitLatency, m.logSize,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trazo_token_cache_hits_total",
			Help: "Token verifications answered from the verifier's cache.",
		}, cacheFunc(func(s auth.CacheStats) float64 { return float64(s.Hits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trazo_token_cache_misses_total",
			Help: "Token verifications that checked a signature.",
		}, cacheFunc(func(s auth.CacheStats) float64 { return float64(s.Misses) })),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ObserveCommit records one durable commit of the ledger. It is meant to be
// tlog.Options.OnCommit, and is fast: a few atomic updates.
func (m *Metrics) ObserveCommit(st tlog.CommitStats) {
	m.commits.Inc()
	m.commitEntries.Observe(float64(st.Entries))
	m.commitRequests.Observe(float64(st.Requests))
	m.commitLatency.Observe(st.Duration.Seconds())
	m.logSize.Set(float64(st.Size))
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// knownMethod returns method, or "OTHER" for a method no route uses, so that
// a client cannot grow the label set.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions,
		http.MethodPut, http.MethodPatch, http.MethodDelete:
		return method
	}
	return "OTHER"
}
