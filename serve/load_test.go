package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestConcurrentClients: clients sending single images and multipart batches at once
// get exactly the numbers of each image predicted on its own, whatever batches the
// server formed (run with -race).
func TestConcurrentClients(t *testing.T) {
	p := tinyModel(t, 1)
	r := start(t, p, Config{MaxBatch: 4, MaxWait: 2 * time.Millisecond}, DefaultTimeouts())
	imgs := make([][]byte, 6)
	want := make([][]float32, len(imgs))
	for i := range imgs {
		imgs[i] = testImage(t, 40+5*i, 60-3*i, 10+i, i%3 == 0)
		want[i] = direct(t, p, imgs[i])
	}
	c := NewClient(r.url)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 {
				first, n := (w+k)%len(imgs), 1+(w+k)%3
				var batch [][]byte
				var idx []int
				for j := range n {
					idx = append(idx, (first+j)%len(imgs))
					batch = append(batch, imgs[idx[j]])
				}
				resp, err := c.Predict(context.Background(), batch)
				if err != nil {
					errs <- err
					return
				}
				for j, pr := range resp.Predictions {
					if !sameProbs(p.Classes(), want[idx[j]], pr) {
						errs <- fmt.Errorf("client %d request %d image %d: %v, want %v", w, k, j, pr.Probabilities, want[idx[j]])
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("batches: %v images in %d forward passes", testutil.ToFloat64(r.s.metrics.images), testutil.CollectAndCount(r.s.metrics.batchSize))
}

// loadLoop runs clients that send img until stop is closed, counting outcomes.
type loadStats struct {
	ok, busy, other atomic.Int64
	connErrs        atomic.Int64
	mu              sync.Mutex
	firstBad        error
}

func (l *loadStats) bad(err error) {
	l.mu.Lock()
	if l.firstBad == nil {
		l.firstBad = err
	}
	l.mu.Unlock()
}

func loadLoop(c *Client, clients int, img []byte, stop <-chan struct{}, check func(*Response) error, st *loadStats) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Predict(context.Background(), [][]byte{img})
				var se *StatusError
				switch {
				case err == nil:
					st.ok.Add(1)
					if check != nil {
						if err := check(resp); err != nil {
							st.bad(err)
						}
					}
				case errors.As(err, &se) && se.Code == http.StatusServiceUnavailable:
					st.busy.Add(1)
				case errors.As(err, &se):
					st.other.Add(1)
					st.bad(err)
				default: // the listener is closed: the request was never accepted
					st.connErrs.Add(1)
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	return &wg
}

// TestDrainUnderLoad: ending Run while clients keep sending answers every request
// the server accepted (accepted = answered, and the clients got every 200 the server
// sent), fails /readyz during the drain delay, and returns nil.
func TestDrainUnderLoad(t *testing.T) {
	p := tinyModel(t, 1)
	r := start(t, p, Config{MaxBatch: 8}, Timeouts{ReadHeader: time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Idle: 5 * time.Second, Drain: 150 * time.Millisecond})
	img := testImage(t, 48, 48, 20, false)
	stop := make(chan struct{})
	var st loadStats
	wg := loadLoop(NewClient(r.url), 8, img, stop, nil, &st)
	waitFor(t, func() bool { return st.ok.Load() >= 20 })
	r.cancel()
	waitFor(t, func() bool { return !r.s.Ready() })
	res, err := http.Get(r.url + "/readyz")
	if err == nil {
		res.Body.Close()
		if res.StatusCode != 503 {
			t.Errorf("/readyz during the drain: %d", res.StatusCode)
		}
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run after the drain: %v", err)
	}
	close(stop)
	wg.Wait()
	s := r.s.Stats()
	served := int64(testutil.ToFloat64(r.s.metrics.requests.WithLabelValues("200")))
	t.Logf("accepted %d, answered %d; clients: %d ok, %d busy, %d not accepted", s.Accepted, s.Answered, st.ok.Load(), st.busy.Load(), st.connErrs.Load())
	if s.Accepted != s.Answered || s.Accepted == 0 {
		t.Errorf("accepted %d requests, answered %d", s.Accepted, s.Answered)
	}
	if served != st.ok.Load() {
		t.Errorf("the server sent %d answers 200, the clients got %d", served, st.ok.Load())
	}
	if st.other.Load() != 0 {
		t.Errorf("%d unexpected statuses, first: %v", st.other.Load(), st.firstBad)
	}
}

// TestReloadUnderLoad: swapping models while clients send answers every request with
// one model's exact numbers (named in the answer); a model failing its check is refused
// and the old one goes on.
func TestReloadUnderLoad(t *testing.T) {
	a, b := tinyModel(t, 1), tinyModel(t, 2)
	img := testImage(t, 50, 40, 21, false)
	wa, wb := direct(t, a, img), direct(t, b, img)
	r := start(t, a, Config{MaxBatch: 4}, DefaultTimeouts())
	var fromA, fromB atomic.Int64
	check := func(resp *Response) error {
		pr := resp.Predictions[0]
		switch {
		case resp.Model == "a" && sameProbs(a.Classes(), wa, pr):
			fromA.Add(1)
		case resp.Model == "b" && sameProbs(b.Classes(), wb, pr):
			fromB.Add(1)
		default:
			return fmt.Errorf("model %s answered %v (a: %v, b: %v)", resp.Model, pr.Probabilities, wa, wb)
		}
		return nil
	}
	stop := make(chan struct{})
	var st loadStats
	wg := loadLoop(NewClient(r.url), 6, img, stop, check, &st)
	for i := range 6 {
		waitFor(t, func() bool { return st.ok.Load() >= int64(5*(i+1)) })
		m, name := a, "a"
		if i%2 == 0 {
			m, name = b, "b"
		}
		if err := r.s.Reload(m, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.s.Reload(&broken{a}, "broken"); err == nil {
		t.Error("a model failing its check was loaded")
	}
	if err := r.s.ReloadWith("missing", func() (Model, error) { return nil, errors.New("no such file") }); err == nil {
		t.Error("a model that failed to load was reported loaded")
	}
	waitFor(t, func() bool { return st.ok.Load() >= 40 })
	close(stop)
	wg.Wait()
	t.Logf("%d answers from a, %d from b", fromA.Load(), fromB.Load())
	if st.firstBad != nil || st.other.Load()+st.busy.Load()+st.connErrs.Load() != 0 {
		t.Errorf("%d other statuses, %d busy, %d connection errors; first: %v", st.other.Load(), st.busy.Load(), st.connErrs.Load(), st.firstBad)
	}
	if fromA.Load() == 0 || fromB.Load() == 0 {
		t.Error("one of the models never answered")
	}
	if got := testutil.ToFloat64(r.s.metrics.reloads.WithLabelValues("failed")); got != 2 {
		t.Errorf("%v failed reloads counted", got)
	}
}

// broken is a model whose check fails.
type broken struct{ *predictor.Predictor }

func (broken) Check() error { return errors.New("probability NaN on a grey image") }

// FuzzPredictBody: no request body, raw or multipart, makes the handler panic or
// answer anything but 200, 400 or 413. The seeds run in every go test.
func FuzzPredictBody(f *testing.F) {
	p := tinyModel(f, 1)
	s, err := New(p, "a", Config{MaxBodyBytes: 1 << 20, MaxImages: 3, Logger: discardLogger()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	jpg, png := testImage(f, 20, 16, 1, false), testImage(f, 17, 9, 2, true)
	_, mp := multipartBody([]string{"a.jpg", "b.png"}, [][]byte{jpg, png})
	f.Add(jpg, false)
	f.Add(png, false)
	f.Add(jpg[:len(jpg)/3], false)
	f.Add(pngHeader(10000, 10000), false)
	f.Add(jpegDims(f, jpg, 65535, 65535), false)
	f.Add([]byte("GIF89a"), false)
	f.Add(mp, true)
	f.Add(mp[:len(mp)/2], true)
	f.Add(bytes.ReplaceAll(mp, []byte("\r\n"), []byte("\n")), true)
	f.Add([]byte("--fuzzboundary\r\n\r\n\r\n--fuzzboundary--\r\n"), true)
	f.Fuzz(func(t *testing.T, body []byte, asMultipart bool) {
		if asMultipart {
			// multipartBody's writer picks a random boundary: use the seed's own
			body = bytes.ReplaceAll(body, boundaryOf(mp), []byte("fuzzboundary"))
		}
		req := httptest.NewRequest(http.MethodPost, "/v1/predict", bytes.NewReader(body))
		req.Header.Set("Content-Type", "image/jpeg")
		if asMultipart {
			req.Header.Set("Content-Type", "multipart/form-data; boundary=fuzzboundary")
		}
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		if c := w.Code; c != 200 && c != 400 && c != 413 {
			t.Errorf("status %d: %s", c, w.Body.String())
		}
		if n := testutil.ToFloat64(s.metrics.panics); n != 0 {
			t.Fatalf("%v panics", n)
		}
	})
}

// boundaryOf returns the boundary of a body written by multipartBody.
func boundaryOf(body []byte) []byte {
	i := bytes.Index(body, []byte("\r\n"))
	return body[2:i]
}
