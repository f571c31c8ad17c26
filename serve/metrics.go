package serve

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus series, on a registry of its own (so that two
// servers in one process, as in tests, do not collide).
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    prometheus.Histogram
	batchSize  prometheus.Histogram
	forward    prometheus.Histogram
	images     prometheus.Counter
	canceled   prometheus.Counter
	panics     prometheus.Counter
	reloads    *prometheus.CounterVec
	rate       rateWindow
	codesMu    sync.Mutex
	codeCounts map[int]prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), codeCounts: map[int]prometheus.Counter{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fastgo_serve_requests_total", Help: "Prediction requests answered, by HTTP status (499: the client left first).",
	}, []string{"code"})
	m.latency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "fastgo_serve_request_duration_seconds", Help: "Time from a prediction request's arrival to its answer.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16), // 1 ms … 33 s
	})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "fastgo_serve_batch_size", Help: "Images per forward pass.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 9), // 1 … 256
	})
	m.forward = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "fastgo_serve_forward_seconds", Help: "Time of one batched forward pass.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	})
	m.images = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "fastgo_serve_images_total", Help: "Images run through the network.",
	})
	m.canceled = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "fastgo_serve_canceled_images_total", Help: "Queued images dropped unrun because their request ended (client gone, deadline).",
	})
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "fastgo_serve_panics_total", Help: "Panics recovered (handlers and forward passes); each is logged with its stack.",
	})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "fastgo_serve_model_reloads_total", Help: "Model reloads, by result (ok, failed).",
	}, []string{"result"})
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fastgo_serve_queue_depth", Help: "Images prepared and waiting for a forward pass.",
	}, func() float64 { return float64(s.queueDepth()) })
	preparing := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fastgo_serve_requests_preparing", Help: "Requests being read and decoded.",
	}, func() float64 { return float64(s.preparing.Load()) })
	ips := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fastgo_serve_images_per_second", Help: "Images run through the network per second over the last 10 s.",
	}, func() float64 { return m.rate.rate(time.Now()) })
	ready := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fastgo_serve_ready", Help: "1 while the server takes requests (model loaded, not draining).",
	}, func() float64 {
		if s.Ready() {
			return 1
		}
		return 0
	})
	m.reg.MustRegister(m.requests, m.latency, m.batchSize, m.forward, m.images, m.canceled, m.panics, m.reloads,
		queue, preparing, ips, ready,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// answered records a finished request.
func (m *metrics) answered(code int, d time.Duration) {
	m.codesMu.Lock()
	c := m.codeCounts[code]
	if c == nil {
		c = m.requests.WithLabelValues(strconv.Itoa(code))
		m.codeCounts[code] = c
	}
	m.codesMu.Unlock()
	c.Inc()
	m.latency.Observe(d.Seconds())
}

// rateWindow counts events in one-second buckets over the last 10 seconds.
type rateWindow struct {
	mu  sync.Mutex
	sec [10]int64
	n   [10]int64
}

func (w *rateWindow) add(now time.Time, n int) {
	s := now.Unix()
	w.mu.Lock()
	i := s % 10
	if w.sec[i] != s {
		w.sec[i], w.n[i] = s, 0
	}
	w.n[i] += int64(n)
	w.mu.Unlock()
}

// rate is the mean per second over the 10 seconds before now.
func (w *rateWindow) rate(now time.Time) float64 {
	s := now.Unix()
	w.mu.Lock()
	defer w.mu.Unlock()
	var total int64
	for i := range w.sec {
		if w.sec[i] > s-10 && w.sec[i] <= s {
			total += w.n[i]
		}
	}
	return float64(total) / 10
}
