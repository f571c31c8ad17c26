package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Model is what the server runs: *predictor.Predictor, or a wrapper of it.
type Model interface {
	// Classes are the output names; Task how the outputs are read.
	Classes() []string
	Task() string
	// InputLen is the number of floats of one prepared image.
	InputLen() int
	// Preprocess prepares one image's file bytes into dst (InputLen floats); it is
	// called from many goroutines at once.
	Preprocess(data []byte, dst []float32) error
	// Forward runs n prepared images (C×N×H×W) and writes n×len(Classes)
	// probabilities; calls come from one goroutine at a time.
	Forward(x []float32, n int, probs []float32) error
	// Decide turns one image's probabilities into its labels.
	Decide(probs []float32, thresh float64) predictor.Prediction
}

// Config sets a Server's limits. Zero fields take the defaults of DefaultConfig.
type Config struct {
	// MaxBatch is the most images in one forward pass; MaxWait the longest the first
	// queued image waits for others while more requests are being read and decoded
	// (or a tenth of a full batch's forward pass, when that is longer; a lone request
	// never waits).
	MaxBatch int
	MaxWait  time.Duration
	// MaxQueue bounds the work admitted: images waiting for a forward pass plus
	// requests being read and decoded (0: four batches); a request that would go past
	// it is answered 503 with a Retry-After of RetryAfter.
	MaxQueue   int
	RetryAfter time.Duration
	// Threshold is the probability above which a class is a label.
	Threshold float64
	// MaxBodyBytes bounds a request body (413 past it); MaxImages the images of one
	// multipart request (413 past it).
	MaxBodyBytes int64
	MaxImages    int
	// Decoders is how many images are decoded and prepared at once (0: GOMAXPROCS).
	Decoders int
	// Overlap lets images be prepared while a forward pass runs. Leave it off when the
	// forward pass uses every core (cpu.Threads() = GOMAXPROCS, the default): it splits
	// each layer over all threads and waits for the slowest part, so a decoder holding a
	// core slows every layer to the scheduler's time slice (measured 5× slower on 2
	// cores). Turn it on when the forward pass leaves cores free for the decoders.
	Overlap bool
	// RequestTimeout is each prediction's deadline, from its arrival (504 past it).
	RequestTimeout time.Duration
	// Logger receives one line per request, reloads and recovered panics (nil: the
	// default slog logger).
	Logger *slog.Logger
}

// DefaultConfig returns the defaults: batches of up to 32 images gathered for at most
// 5 ms, 128 queued images, threshold 0.5, 32 MiB bodies of up to 64 images, a 30 s
// deadline, Retry-After 1 s.
func DefaultConfig() Config {
	return Config{MaxBatch: 32, MaxWait: 5 * time.Millisecond, MaxQueue: 128, RetryAfter: time.Second, Threshold: 0.5,
		MaxBodyBytes: 32 << 20, MaxImages: 64, RequestTimeout: 30 * time.Second}
}

func (c *Config) fill() error {
	d := DefaultConfig()
	if c.MaxBatch == 0 {
		c.MaxBatch = d.MaxBatch
	}
	if c.MaxWait == 0 {
		c.MaxWait = d.MaxWait
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = 4 * c.MaxBatch
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = d.RetryAfter
	}
	if c.Threshold == 0 {
		c.Threshold = d.Threshold
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxImages == 0 {
		c.MaxImages = d.MaxImages
	}
	if c.Decoders == 0 {
		c.Decoders = runtime.GOMAXPROCS(0)
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch {
	case c.MaxBatch < 1 || c.MaxQueue < 1 || c.MaxImages < 1 || c.Decoders < 1 || c.MaxBodyBytes < 1:
		return fmt.Errorf("serve: max batch %d, max queue %d, max images %d, decoders %d and max body %d must be positive",
			c.MaxBatch, c.MaxQueue, c.MaxImages, c.Decoders, c.MaxBodyBytes)
	case c.MaxWait < 0 || c.RetryAfter < 0 || c.RequestTimeout < 0:
		return fmt.Errorf("serve: max wait %v, retry after %v and request timeout %v must not be negative", c.MaxWait, c.RetryAfter, c.RequestTimeout)
	case !(c.Threshold > 0 && c.Threshold < 1):
		return fmt.Errorf("serve: threshold %g: want a probability strictly between 0 and 1", c.Threshold)
	}
	return nil
}

// loaded is one model the server has held; requests keep the one they started with.
type loaded struct {
	m    Model
	name string
}

// A Server answers predictions with dynamic batching (see the package doc). Create it
// with New, mount Handler (or call Run), and Close it when done.
type Server struct {
	cfg     Config
	log     *slog.Logger
	model   atomic.Pointer[loaded]
	metrics *metrics
	handler http.Handler

	decoders chan struct{} // slots for image preparation
	// cpu keeps image preparation (read-locked) out of forward passes (locked): the
	// forward pass splits each layer over every thread and waits for the slowest part,
	// so a decoder holding one of the cores slows each layer to the scheduler's time
	// slice (measured 5× slower on 2 cores); instead decoding fills the gaps between
	// passes.
	cpu       sync.RWMutex
	preparing atomic.Int64 // requests admitted, not yet queued
	draining  atomic.Bool
	nextID    atomic.Uint64

	mu       sync.Mutex
	queue    []*item
	queued   int           // images in queue
	wake     chan struct{} // cap 1: the queue or preparing changed
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when the batcher has exited

	// inflight counts prediction requests inside the handler; drained waits for it.
	inflight sync.WaitGroup
	// accepted and answered count prediction requests entering the handler and
	// leaving it with a response written (Stats).
	accepted, answered atomic.Int64
	batches, images    atomic.Int64
	forwardNs          atomic.Int64

	bufs sync.Pool // *[]float32 image buffers
}

// New returns a Server running m (named name in answers) and starts its batcher.
func New(m Model, name string, cfg Config) (*Server, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("serve: no model")
	}
	s := &Server{cfg: cfg, log: cfg.Logger, decoders: make(chan struct{}, cfg.Decoders),
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	s.model.Store(&loaded{m: m, name: name})
	s.metrics = newMetrics(s)
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/predict", s.predict)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !s.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "draining\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	s.handler = s.recoverPanics(mux)
	go s.batcher()
	return s, nil
}

// Handler is the server's HTTP handler (all endpoints).
func (s *Server) Handler() http.Handler { return s.handler }

// Config returns the limits in force (defaults filled in).
func (s *Server) Config() Config { return s.cfg }

// Ready reports whether the server takes new work: a model is loaded and it is not
// draining.
func (s *Server) Ready() bool { return !s.draining.Load() && s.model.Load() != nil }

// Drain makes /readyz fail so that load balancers stop sending work; requests that
// still arrive are answered.
func (s *Server) Drain() { s.draining.Store(true) }

// Reload makes m (named name) answer every request that arrives from now on. Requests
// already admitted finish on the model they started with, so nothing is dropped. A
// model with a Check() error method is checked first and refused if it fails.
func (s *Server) Reload(m Model, name string) error {
	if c, ok := m.(interface{ Check() error }); ok {
		if err := c.Check(); err != nil {
			s.metrics.reloads.WithLabelValues("failed").Inc()
			s.log.Error("model reload refused; the previous model goes on", "model", name, "err", err)
			return fmt.Errorf("serve: reload %s: %w", name, err)
		}
	}
	old := s.model.Swap(&loaded{m: m, name: name})
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.log.Info("model reloaded", "model", name, "previous", old.name, "classes", len(m.Classes()))
	return nil
}

// ReloadWith calls load and, if it returns a model that passes its check, makes it
// answer new requests (Reload). A failure is logged and counted in
// fastgo_serve_model_reloads_total{result="failed"}, and the current model goes on.
func (s *Server) ReloadWith(name string, load func() (Model, error)) error {
	m, err := load()
	if err != nil {
		s.metrics.reloads.WithLabelValues("failed").Inc()
		s.log.Error("model reload failed; the previous model goes on", "model", name, "err", err)
		return fmt.Errorf("serve: reload %s: %w", name, err)
	}
	return s.Reload(m, name)
}

// Stats are counts of prediction requests since the start.
type Stats struct {
	// Accepted requests entered the handler; Answered left it, with a response
	// written (every status) or with the client gone (logged as 499); the two are equal
	// once the server is idle.
	Accepted, Answered int64
	// Batches is the number of forward passes, Images the images they ran, Forward
	// the time spent in them.
	Batches, Images int64
	Forward         time.Duration
}

// Stats returns the request counts.
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Answered: s.answered.Load(), Batches: s.batches.Load(), Images: s.images.Load(),
		Forward: time.Duration(s.forwardNs.Load())}
}

// Close waits for the prediction requests in flight to finish, then stops the batcher.
// Stop the HTTP server first (http.Server.Shutdown) so that none arrive.
func (s *Server) Close() {
	s.inflight.Wait()
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
}

// Timeouts are the HTTP server's limits against slow or idle clients.
type Timeouts struct {
	// ReadHeader bounds the reading of a request's headers (slow-loris); Read the
	// whole request with its body; Write the time from the end of the request headers
	// to the end of the response; Idle a keep-alive connection's wait for its next request.
	ReadHeader, Read, Write, Idle time.Duration
	// Drain is how long Run keeps answering after its context ends with /readyz
	// failing, so that load balancers notice before the listener closes.
	Drain time.Duration
	// Shutdown bounds the wait for the requests in flight once the listener is closed
	// (0: RequestTimeout plus Write).
	Shutdown time.Duration
}

// DefaultTimeouts are 5 s for headers, 60 s to read a request, 60 s to write the
// answer, 120 s idle, no drain delay.
func DefaultTimeouts() Timeouts {
	return Timeouts{ReadHeader: 5 * time.Second, Read: 60 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}
}

// HTTPServer returns an http.Server for the handler with the timeouts t.
func (s *Server) HTTPServer(t Timeouts) *http.Server {
	return &http.Server{Handler: s.handler, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read,
		WriteTimeout: t.Write, IdleTimeout: t.Idle, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
}

// Run serves on ln until ctx ends, then drains: /readyz fails, requests go on being
// answered for t.Drain, the listener closes, every request accepted is answered, the
// batcher stops. It returns nil after a complete drain.
func (s *Server) Run(ctx context.Context, ln net.Listener, t Timeouts) error {
	hs := s.HTTPServer(t)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Drain()
	s.log.Info("draining", "delay", t.Drain, "in_flight", s.accepted.Load()-s.answered.Load())
	time.Sleep(t.Drain)
	wait := t.Shutdown
	if wait <= 0 {
		wait = s.cfg.RequestTimeout + t.Write
	}
	sctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := hs.Shutdown(sctx)
	<-errc
	s.Close()
	st := s.Stats()
	s.log.Info("drained", "accepted", st.Accepted, "answered", st.Answered, "err", err)
	return err
}

// recoverPanics answers 500 for a handler that panics and logs the panic with its
// stack; the process goes on.
func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.metrics.panics.Inc()
				s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// retryAfter is the Retry-After header's whole seconds (at least 1).
func (s *Server) retryAfter() string {
	return strconv.Itoa(max(1, int((s.cfg.RetryAfter+time.Second-1)/time.Second)))
}

// getBuf returns a buffer of n floats for a prepared image.
func (s *Server) getBuf(n int) []float32 {
	if v, ok := s.bufs.Get().(*[]float32); ok && cap(*v) >= n {
		return (*v)[:n]
	}
	return make([]float32, n)
}

func (s *Server) putBuf(b []float32) {
	if b != nil {
		s.bufs.Put(&b)
	}
}

// poke wakes the batcher.
func (s *Server) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Server) queueDepth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}
