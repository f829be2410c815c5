package api

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	storeOps *prometheus.HistogramVec
	inflight prometheus.Gauge
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byoos_http_requests_total", Help: "HTTP requests by route, method and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "byoos_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		storeOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "byoos_store_operation_duration_seconds", Help: "Store operation latency by operation and outcome.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}}, []string{"op", "outcome"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "byoos_http_requests_in_flight", Help: "HTTP requests being served."}),
	}
	reg.MustRegister(m.requests, m.latency, m.storeOps, m.inflight)
	return m
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack not supported")
}

// observe wraps a route with metrics and an access log line.
func (s *Server) observe(route string, h http.HandlerFunc) http.Handler {
	// Counters for the common codes are looked up once; others as they come.
	reqs := map[int]prometheus.Counter{}
	for _, code := range []int{200, 201, 204, 400, 401, 403, 404, 409} {
		reqs[code] = s.metrics.requests.WithLabelValues(route, strconv.Itoa(code))
	}
	lat := s.metrics.latency.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inflight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.metrics.inflight.Dec()
			d := time.Since(start)
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			c, ok := reqs[status]
			if !ok {
				c = s.metrics.requests.WithLabelValues(route, strconv.Itoa(status))
			}
			c.Inc()
			lat.Observe(d.Seconds())
			if status >= 400 || s.log.Enabled(r.Context(), -4) {
				ri := infoFrom(r.Context())
				attrs := []any{"method", r.Method, "route", route, "status", status, "duration_ms", float64(d.Microseconds()) / 1000}
				if ri != nil {
					attrs = append(attrs, "request_id", ri.id, "actor", ri.actor)
				}
				level := -4 // debug for successes
				if status >= 500 {
					level = 8
				} else if status >= 400 {
					level = 0
				}
				s.log.Log(r.Context(), slogLevel(level), "request", attrs...)
			}
		}()
		h(sw, r)
	})
}
