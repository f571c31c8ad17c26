package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// statusClientGone marks, in metrics and logs, a request whose client left before
// its answer (nginx's 499); nothing is written to it.
const statusClientGone = 499

// processID prefixes request IDs so that they are unique across restarts.
var processID = func() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}()

// requestID is the client's X-Request-ID when it is a short plain token, else a new one.
func (s *Server) requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); id != "" && len(id) <= 64 && strings.Trim(id,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return id
	}
	return fmt.Sprintf("%s-%d", processID, s.nextID.Add(1))
}

// outcome is how a prediction request ended, for the log and metrics.
type outcome struct {
	code   int
	images int
	err    string
}

// predict is POST /v1/predict.
func (s *Server) predict(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := s.requestID(r)
	w.Header().Set("X-Request-ID", id)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeJSON(w, http.StatusMethodNotAllowed, &Response{ID: id, Error: "use POST with a JPEG or PNG body, or multipart/form-data"})
		s.metrics.answered(http.StatusMethodNotAllowed, time.Since(start))
		s.logRequest(r, id, start, outcome{code: http.StatusMethodNotAllowed, err: "method " + r.Method})
		return
	}
	s.accepted.Add(1)
	s.inflight.Add(1)
	defer s.inflight.Done()
	o := outcome{code: http.StatusInternalServerError, err: "panic"}
	defer func() {
		// also when servePredict panics: the request is counted and logged before the
		// recovery middleware answers it
		s.answered.Add(1)
		s.metrics.answered(o.code, time.Since(start))
		s.logRequest(r, id, start, o)
	}()
	o = s.servePredict(w, r, id)
}

func (s *Server) logRequest(r *http.Request, id string, start time.Time, o outcome) {
	level := slog.LevelInfo
	if o.code >= 500 && o.code != http.StatusServiceUnavailable {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{slog.String("id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", o.code), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
		slog.Int("images", o.images), slog.String("remote", r.RemoteAddr)}
	if o.err != "" {
		attrs = append(attrs, slog.String("err", o.err))
	}
	s.log.LogAttrs(context.Background(), level, "request", attrs...)
}

// servePredict does the work of a POST and writes its answer.
func (s *Server) servePredict(w http.ResponseWriter, r *http.Request, id string) outcome {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	cur := s.model.Load()
	fail := func(code int, resp *Response, n int) outcome {
		resp.ID = id
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", s.retryAfter())
		}
		s.writeJSON(w, code, resp)
		return outcome{code: code, images: n, err: resp.Error}
	}
	// admission: requests being read or decoded count against the queue too, or an
	// overload bound by decoding (a small model, large images) would pile up unbounded
	// before the queue
	if s.queueDepth()+int(s.preparing.Load()) >= s.cfg.MaxQueue {
		return fail(http.StatusServiceUnavailable, &Response{Error: "server busy: the prediction queue is full"}, 0)
	}
	s.preparing.Add(1)
	enqueued := false
	defer func() {
		if !enqueued {
			s.preparing.Add(-1)
			s.poke()
		}
	}()
	images, names, code, err := s.readImages(w, r)
	if err != nil {
		if code == http.StatusRequestTimeout {
			w.Header().Set("Connection", "close")
		}
		return fail(code, &Response{Error: err.Error()}, len(images))
	}
	n := len(images)

	// prepare every image (decode, resize, normalise) on the decoder slots
	bufs, errs, err := s.prepare(ctx, cur.m, images)
	if err != nil {
		return s.ctxFailure(w, r, id, n, "while decoding")
	}
	var bad []ImageError
	for i, e := range errs {
		if e != nil {
			bad = append(bad, ImageError{Index: i, Image: names[i], Error: e.Error()})
		}
	}
	if bad != nil {
		for _, b := range bufs {
			s.putBuf(b)
		}
		msg := fmt.Sprintf("%d of %d images unusable", len(bad), n)
		if n == 1 {
			msg = "unusable image: " + bad[0].Error
		}
		return fail(http.StatusBadRequest, &Response{Error: msg, Errors: bad}, n)
	}

	// queue the images for the batcher, unless the queue is full
	req := &request{probs: make([][]float32, n), done: make(chan struct{})}
	req.remaining.Store(int32(n))
	s.mu.Lock()
	if s.queued > 0 && s.queued+n > s.cfg.MaxQueue {
		s.mu.Unlock()
		for _, b := range bufs {
			s.putBuf(b)
		}
		return fail(http.StatusServiceUnavailable, &Response{Error: "server busy: the prediction queue is full"}, n)
	}
	for i, b := range bufs {
		s.queue = append(s.queue, &item{req: req, idx: i, x: b, model: cur})
	}
	s.queued += n
	s.mu.Unlock()
	enqueued = true
	s.preparing.Add(-1)
	s.poke()

	select {
	case <-req.done:
	case <-ctx.Done():
		req.canceled.Store(true)
		s.poke()
		return s.ctxFailure(w, r, id, n, "while queued")
	}
	if req.err != nil {
		return fail(http.StatusInternalServerError, &Response{Error: "prediction failed: " + req.err.Error()}, n)
	}
	resp := &Response{ID: id, Model: cur.name, Task: cur.m.Task(), Threshold: s.cfg.Threshold, Classes: cur.m.Classes(),
		Predictions: make([]Prediction, n)}
	for i, p := range req.probs {
		d := cur.m.Decide(p, s.cfg.Threshold)
		resp.Predictions[i] = Prediction{Image: names[i], Labels: d.Labels, Probabilities: d.Probabilities}
	}
	s.writeJSON(w, http.StatusOK, resp)
	return outcome{code: http.StatusOK, images: n}
}

// ctxFailure answers a request whose context ended: 504 when its deadline passed,
// nothing (499 in the log) when the client left.
func (s *Server) ctxFailure(w http.ResponseWriter, r *http.Request, id string, n int, when string) outcome {
	if r.Context().Err() != nil {
		return outcome{code: statusClientGone, images: n, err: "client gone " + when}
	}
	msg := fmt.Sprintf("deadline of %v passed %s", s.cfg.RequestTimeout, when)
	s.writeJSON(w, http.StatusGatewayTimeout, &Response{ID: id, Error: msg})
	return outcome{code: http.StatusGatewayTimeout, images: n, err: msg}
}

// readImages reads the images of a request: the whole body, or each part of a
// multipart body. On failure it returns the status to answer with.
func (s *Server) readImages(w http.ResponseWriter, r *http.Request) (images [][]byte, names []string, code int, err error) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		data, err := io.ReadAll(body)
		if err != nil {
			code, err := s.readFailure(err)
			return nil, nil, code, err
		}
		if len(data) == 0 {
			return nil, nil, http.StatusBadRequest, errors.New("empty body: send one JPEG or PNG image as the body, or several as multipart/form-data")
		}
		return [][]byte{data}, []string{"image"}, 0, nil
	}
	boundary := params["boundary"]
	if boundary == "" {
		return nil, nil, http.StatusBadRequest, fmt.Errorf("multipart body without a boundary in its Content-Type %q", r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(body, boundary)
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			code, err := s.readFailure(err)
			return images, names, code, fmt.Errorf("multipart part %d: %w", len(images), err)
		}
		if len(images) == s.cfg.MaxImages {
			return images, names, http.StatusRequestEntityTooLarge, fmt.Errorf("more than %d images in one request", s.cfg.MaxImages)
		}
		name := p.FileName()
		if name == "" {
			name = p.FormName()
		}
		if name == "" {
			name = fmt.Sprintf("part %d", len(images))
		}
		if len(name) > 200 {
			name = name[:200]
		}
		data, err := io.ReadAll(p)
		if err != nil {
			code, err := s.readFailure(err)
			return images, names, code, fmt.Errorf("multipart part %d (%s): %w", len(images), name, err)
		}
		images, names = append(images, data), append(names, name)
	}
	if len(images) == 0 {
		return nil, nil, http.StatusBadRequest, errors.New("multipart body without any part")
	}
	return images, names, 0, nil
}

// readFailure maps a body read error to its status and message.
func (s *Server) readFailure(err error) (int, error) {
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than the limit of %d bytes", mbe.Limit)
	case errors.As(err, &ne) && ne.Timeout():
		return http.StatusRequestTimeout, errors.New("the body arrived too slowly")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest, errors.New("the body ended early")
	}
	return http.StatusBadRequest, fmt.Errorf("reading the body: %v", err)
}

// prepare decodes and prepares the images in parallel on the decoder slots. It returns
// a buffer or an error per image, or ctx's error if it ended while waiting for a slot
// (then no buffer is kept).
func (s *Server) prepare(ctx context.Context, m Model, images [][]byte) ([][]float32, []error, error) {
	bufs := make([][]float32, len(images))
	errs := make([]error, len(images))
	var wg sync.WaitGroup
	var ctxErr error
	for i, data := range images {
		select {
		case s.decoders <- struct{}{}:
		case <-ctx.Done():
			ctxErr = ctx.Err()
		}
		if ctxErr != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() {
				if v := recover(); v != nil {
					s.metrics.panics.Inc()
					s.log.Error("panic preparing an image", "panic", fmt.Sprint(v))
					errs[i] = fmt.Errorf("image could not be decoded: %v", v)
				}
				<-s.decoders
				wg.Done()
			}()
			b := s.getBuf(m.InputLen())
			bufs[i] = b
			if !s.cfg.Overlap {
				s.cpu.RLock()
				defer s.cpu.RUnlock()
			}
			errs[i] = m.Preprocess(data, b)
		}()
	}
	wg.Wait()
	if ctxErr == nil {
		ctxErr = ctx.Err()
	}
	if ctxErr != nil {
		for _, b := range bufs {
			s.putBuf(b)
		}
		return nil, nil, ctxErr
	}
	return bufs, errs, nil
}

// writeJSON writes resp with the status code.
func (s *Server) writeJSON(w http.ResponseWriter, code int, resp *Response) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(resp)
}
