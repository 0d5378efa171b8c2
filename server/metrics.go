package server

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"airbridge"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram.
var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type routeKey struct {
	route  string
	status int
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

// metrics counts requests by route and status and their latencies, for the
// Prometheus text format.
type metrics struct {
	mu        sync.Mutex
	requests  map[routeKey]uint64
	latencies map[string]*histogram
}

func newMetrics() *metrics {
	return &metrics{requests: map[routeKey]uint64{}, latencies: map[string]*histogram{}}
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	secs := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[routeKey{route, status}]++
	h, ok := m.latencies[route]
	if !ok {
		h = &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
		m.latencies[route] = h
	}
	i, _ := slices.BinarySearch(latencyBuckets, secs)
	h.counts[i]++
	h.sum += secs
	h.n++
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe wraps next with panic recovery, metrics and a log line per request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.error(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			route := r.Pattern
			if route == "" || route == "/" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.observe(route, sw.status, d)
			// One line per request at debug level: at thousands of scans a
			// second an access log costs a tenth of the server's throughput.
			s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
				slog.Int("status", sw.status), slog.Duration("duration", d))
		}()
		next.ServeHTTP(sw, r)
	})
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	fmt.Fprintln(&b, "# HELP airbridge_http_requests_total HTTP requests by route and status.")
	fmt.Fprintln(&b, "# TYPE airbridge_http_requests_total counter")
	keys := slices.SortedFunc(maps.Keys(m.requests), func(a, b routeKey) int {
		if a.route != b.route {
			return strings.Compare(a.route, b.route)
		}
		return a.status - b.status
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "airbridge_http_requests_total{route=%s,status=\"%d\"} %d\n", quote(k.route), k.status, m.requests[k])
	}
	fmt.Fprintln(&b, "# HELP airbridge_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(&b, "# TYPE airbridge_http_request_duration_seconds histogram")
	for _, route := range slices.Sorted(maps.Keys(m.latencies)) {
		h := m.latencies[route]
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "airbridge_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", quote(route), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(&b, "airbridge_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(route), h.n)
		fmt.Fprintf(&b, "airbridge_http_request_duration_seconds_sum{route=%s} %g\n", quote(route), h.sum)
		fmt.Fprintf(&b, "airbridge_http_request_duration_seconds_count{route=%s} %d\n", quote(route), h.n)
	}
	m.mu.Unlock()

	fmt.Fprintln(&b, "# HELP airbridge_events_appended_total Ledger events appended by this process.")
	fmt.Fprintln(&b, "# TYPE airbridge_events_appended_total counter")
	fmt.Fprintf(&b, "airbridge_events_appended_total %d\n", s.ledger.EventsAppended())

	if p, err := s.ledger.Pipeline(r.Context()); err == nil {
		fmt.Fprintln(&b, "# HELP airbridge_persons Persons by pipeline stage.")
		fmt.Fprintln(&b, "# TYPE airbridge_persons gauge")
		for _, st := range airbridge.Stages {
			fmt.Fprintf(&b, "airbridge_persons{stage=%q} %d\n", st, p.Totals[st])
		}
	} else {
		s.log.Error("metrics: pipeline", "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}

// quote quotes a label value as the Prometheus text format wants.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
