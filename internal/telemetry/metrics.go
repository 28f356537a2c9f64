// Package telemetry holds kolgraph's Prometheus metrics: GraphQL operations
// by name, errors by code, HTTP status, snapshot rebuilds and graph size,
// store call latency, and cache hit rates. It owns its registry, so tests and
// several servers in one process never collide.
package telemetry

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's series.
type Metrics struct {
	reg *prometheus.Registry

	operations   *prometheus.CounterVec
	opDuration   *prometheus.HistogramVec
	errors       *prometheus.CounterVec
	http         *prometheus.CounterVec
	snapshot     prometheus.Histogram
	graphNodes   prometheus.Gauge
	graphEdges   prometheus.Gauge
	graphVersion prometheus.Gauge
	storeCalls   *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec
	cache        *prometheus.CounterVec

	mu    sync.Mutex
	names map[string]bool
}

// maxOperationNames caps the operation label's cardinality: operation names
// are chosen by clients, and a series per name must not grow without bound.
const maxOperationNames = 200

var operationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// New registers every series (plus the Go runtime and process collectors).
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), names: map[string]bool{}}
	latency := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m.operations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kolgraph_graphql_operations_total", Help: "GraphQL operations executed, by operation name and outcome (ok or error)."},
		[]string{"operation", "outcome"})
	m.opDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kolgraph_graphql_operation_duration_seconds", Help: "GraphQL operation latency, by operation name.", Buckets: latency},
		[]string{"operation"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kolgraph_graphql_errors_total", Help: "GraphQL errors returned to clients, by extensions.code."}, []string{"code"})
	m.http = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kolgraph_http_requests_total", Help: "HTTP requests, by path and status code."}, []string{"path", "status"})
	m.snapshot = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "kolgraph_snapshot_build_seconds", Help: "Time to build an analytics snapshot from the store.",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}})
	m.graphNodes = prometheus.NewGauge(prometheus.GaugeOpts{Name: "kolgraph_graph_nodes", Help: "HCPs in the current analytics snapshot."})
	m.graphEdges = prometheus.NewGauge(prometheus.GaugeOpts{Name: "kolgraph_graph_edges", Help: "INFLUENCES edges in the current analytics snapshot."})
	m.graphVersion = prometheus.NewGauge(prometheus.GaugeOpts{Name: "kolgraph_graph_version", Help: "Store version of the current analytics snapshot."})
	m.storeCalls = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "kolgraph_store_call_duration_seconds", Help: "Store call latency, by method.", Buckets: latency}, []string{"method"})
	m.storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kolgraph_store_errors_total", Help: "Failed store calls, by method."}, []string{"method"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kolgraph_cache_requests_total", Help: "Cache lookups, by cache (query, apq, scores) and result (hit, miss)."},
		[]string{"cache", "result"})
	m.reg.MustRegister(m.operations, m.opDuration, m.errors, m.http, m.snapshot, m.graphNodes, m.graphEdges,
		m.graphVersion, m.storeCalls, m.storeErrors, m.cache,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the series live in (for tests and extra series).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) opLabel(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !operationName.MatchString(name):
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// ObserveOperation records one executed GraphQL operation and the codes of
// the errors it returned.
func (m *Metrics) ObserveOperation(name string, d time.Duration, codes []string) {
	op := m.opLabel(name)
	outcome := "ok"
	if len(codes) > 0 {
		outcome = "error"
	}
	m.operations.WithLabelValues(op, outcome).Inc()
	m.opDuration.WithLabelValues(op).Observe(d.Seconds())
	for _, c := range codes {
		m.errors.WithLabelValues(c).Inc()
	}
}

// ObserveHTTP records one HTTP request. Only known paths are labelled.
func (m *Metrics) ObserveHTTP(path string, status int) {
	switch path {
	case "/query", "/", "/healthz", "/readyz", "/metrics":
	default:
		path = "other"
	}
	m.http.WithLabelValues(path, strconv.Itoa(status)).Inc()
}

// ObserveSnapshot records an installed analytics snapshot.
func (m *Metrics) ObserveSnapshot(version uint64, nodes, edges int, took time.Duration) {
	m.snapshot.Observe(took.Seconds())
	m.graphNodes.Set(float64(nodes))
	m.graphEdges.Set(float64(edges))
	m.graphVersion.Set(float64(version))
}

// CacheLookup records a hit or miss of the named cache.
func (m *Metrics) CacheLookup(cache string, hit bool) {
	r := "miss"
	if hit {
		r = "hit"
	}
	m.cache.WithLabelValues(cache, r).Inc()
}
