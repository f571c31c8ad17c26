package serve

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestPredictJSON: one raw image and a multipart request give the documented JSON,
// with exactly the predictor's probabilities for each image on its own; the probes
// and metrics answer.
func TestPredictJSON(t *testing.T) {
	p := tinyModel(t, 1)
	r := start(t, p, Config{}, DefaultTimeouts())
	imgs := [][]byte{testImage(t, 64, 48, 1, false), testImage(t, 30, 90, 2, true), testImage(t, 100, 100, 3, false)}

	code, h, body := post(t, r.url, "image/jpeg", imgs[0])
	if code != 200 || h.Get("Content-Type") != "application/json" || h.Get("X-Request-ID") == "" {
		t.Fatalf("status %d, headers %v: %s", code, h, body)
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "model", "task", "threshold", "classes", "predictions"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("answer lacks %q: %s", k, body)
		}
	}
	var resp Response
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatal(err)
	}
	want := direct(t, p, imgs[0])
	if resp.Task != "multi-label" || resp.Threshold != 0.5 || !slices.Equal(resp.Classes, p.Classes()) ||
		len(resp.Predictions) != 1 || resp.Predictions[0].Image != "image" || !sameProbs(p.Classes(), want, resp.Predictions[0]) {
		t.Fatalf("answer %s, want probabilities %v", body, want)
	}
	var labels []string
	for k, c := range p.Classes() {
		if want[k] > 0.5 {
			labels = append(labels, c)
		}
	}
	if !slices.Equal(resp.Predictions[0].Labels, labels) || resp.Predictions[0].Labels == nil {
		t.Errorf("labels %v, want %v", resp.Predictions[0].Labels, labels)
	}

	c := NewClient(r.url)
	got, err := c.PredictNamed(context.Background(), []string{"a.jpg", "b.png", "c.jpg"}, imgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, pr := range got.Predictions {
		if pr.Image != []string{"a.jpg", "b.png", "c.jpg"}[i] || !sameProbs(p.Classes(), direct(t, p, imgs[i]), pr) {
			t.Errorf("multipart image %d: %+v", i, pr)
		}
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/nothing": 404} {
		res, err := http.Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
	res, err := http.Get(r.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, s := range []string{`fastgo_serve_requests_total{code="200"} 2`, "fastgo_serve_request_duration_seconds_bucket",
		"fastgo_serve_batch_size_bucket", "fastgo_serve_queue_depth 0", "fastgo_serve_images_total 4",
		"fastgo_serve_images_per_second", "fastgo_serve_ready 1", "process_resident_memory_bytes", "go_goroutines"} {
		if !strings.Contains(string(m), s) {
			t.Errorf("/metrics lacks %q", s)
		}
	}
}

// pngHeader is the start of a PNG declaring w×h RGB pixels: signature, IHDR and an
// IDAT of a few compressed zero rows (a decompression bomb's header).
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1<<16))
	zw.Close()
	chunk("IDAT", z.Bytes())
	return b.Bytes()
}

// jpegDims rewrites the frame size of a baseline JPEG (SOF0).
func jpegDims(t testing.TB, data []byte, w, h uint16) []byte {
	out := slices.Clone(data)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

// multipartBody builds a multipart body of parts (file name → data).
func multipartBody(names []string, parts [][]byte) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i, p := range parts {
		w, _ := mw.CreateFormFile("image", names[i])
		w.Write(p)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// TestHostileInputs: every bad body gets a 4xx naming the problem; nothing panics and
// the server keeps answering.
func TestHostileInputs(t *testing.T) {
	p := tinyModel(t, 1)
	var logs safeBuffer
	r := start(t, p, Config{MaxBodyBytes: 256 << 10, MaxImages: 4, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, DefaultTimeouts())
	good := testImage(t, 40, 40, 4, false)
	goodPNG := testImage(t, 40, 40, 5, true)
	manyType, many := multipartBody([]string{"1", "2", "3", "4", "5"}, [][]byte{good, good, good, good, good})
	mixType, mix := multipartBody([]string{"ok.jpg", "notes.txt", "half.png"}, [][]byte{good, []byte("just text"), goodPNG[:len(goodPNG)/2]})
	emptyType, empty := multipartBody(nil, nil)
	cases := []struct {
		name, ctype string
		body        []byte
		code        int
		want        string
	}{
		{"empty body", "image/jpeg", nil, 400, "empty body"},
		{"text", "text/plain", []byte("hello"), 400, "not a JPEG or PNG image"},
		{"truncated JPEG", "image/jpeg", good[:len(good)/2], 400, "unusable image: JPEG"},
		{"JPEG header only", "image/jpeg", good[:200], 400, "unusable image"},
		{"truncated PNG", "image/png", goodPNG[:len(goodPNG)-30], 400, "unusable image: PNG"},
		{"100-megapixel PNG header", "image/png", pngHeader(10000, 10000), 400, "larger than the limit"},
		{"4-gigapixel PNG header", "image/png", pngHeader(65535, 65535), 400, "larger than the limit"},
		{"zero-size PNG", "image/png", pngHeader(0, 10), 400, "unusable image"},
		{"60000x60000 JPEG header", "image/jpeg", jpegDims(t, good, 60000, 60000), 400, "larger than the limit"},
		{"JPEG declaring 41x40", "image/jpeg", jpegDims(t, good, 41, 40), 0, ""}, // may decode or not; never crash
		{"body over the limit", "image/jpeg", bytes.Repeat(good, 300<<10/len(good)), 413, "body larger than the limit of 262144 bytes"},
		{"too many parts", manyType, many, 413, "more than 4 images"},
		{"bad parts", mixType, mix, 400, "2 of 3 images unusable"},
		{"no parts", emptyType, empty, 400, "without any part"},
		{"no boundary", "multipart/form-data", []byte("--x\r\n\r\nabc\r\n--x--"), 400, "without a boundary"},
		{"garbage multipart", "multipart/form-data; boundary=zzz", []byte("garbage\x00\xff--zz"), 400, "multipart part 0"},
		{"unterminated part", "multipart/form-data; boundary=zzz", []byte("--zzz\r\nContent-Type: image/jpeg\r\n\r\n" + string(good[:100])), 400, "multipart part 0"},
		{"huge part header", "multipart/form-data; boundary=zzz", []byte("--zzz\r\nX: " + strings.Repeat("a", 200<<10) + "\r\n\r\n"), 400, "multipart part 0"},
	}
	for _, c := range cases {
		code, h, body := post(t, r.url, c.ctype, c.body)
		t.Logf("%-26s -> %d %s", c.name, code, bytes.TrimSpace(body))
		if c.code == 0 {
			if code != 200 && code != 400 {
				t.Errorf("%s: status %d: %s", c.name, code, body)
			}
			continue
		}
		var resp Response
		if code != c.code || json.Unmarshal(body, &resp) != nil || !strings.Contains(resp.Error, c.want) || h.Get("X-Request-ID") != resp.ID {
			t.Errorf("%s: status %d %s, want %d with %q", c.name, code, body, c.code, c.want)
		}
		if c.name == "bad parts" && (len(resp.Errors) != 2 || resp.Errors[0].Index != 1 || resp.Errors[0].Image != "notes.txt" ||
			!strings.Contains(resp.Errors[0].Error, "not a JPEG or PNG") || resp.Errors[1].Image != "half.png") {
			t.Errorf("bad parts: errors %+v", resp.Errors)
		}
	}
	res, err := http.Get(r.url + "/v1/predict")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 405 || res.Header.Get("Allow") != "POST" {
		t.Errorf("GET /v1/predict: %d", res.StatusCode)
	}
	if code, _, body := post(t, r.url, "image/jpeg", good); code != 200 {
		t.Errorf("a good image after the hostile ones: %d %s", code, body)
	}
	if n := testutil.ToFloat64(r.s.metrics.panics); n != 0 {
		t.Errorf("%v panics recovered", n)
	}
	if !strings.Contains(logs.String(), `"status":413`) || !strings.Contains(logs.String(), `"msg":"request"`) {
		t.Errorf("request log lacks the 413 line:\n%s", logs.String())
	}
}

// safeBuffer is a bytes.Buffer for concurrent log writes.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBackPressureAndDeadline: with the forward pass held, a full queue answers 503
// with Retry-After, a queued request past its deadline 504, a client that leaves has
// its queued image dropped; once released, the admitted requests are answered.
func TestBackPressureAndDeadline(t *testing.T) {
	g := &gated{Predictor: tinyModel(t, 1), entered: make(chan int, 16), gate: make(chan struct{})}
	// Overlap: the held forward pass must not stop the other requests' decoding
	r := start(t, g, Config{MaxBatch: 1, MaxQueue: 3, RequestTimeout: 10 * time.Second, RetryAfter: 2 * time.Second, Overlap: true}, DefaultTimeouts())
	img := testImage(t, 40, 40, 6, false)
	c := NewClient(r.url)
	type result struct {
		resp *Response
		err  error
	}
	results := make(chan result, 8)
	send := func(ctx context.Context) {
		resp, err := c.Predict(ctx, [][]byte{img})
		results <- result{resp, err}
	}
	go send(context.Background())
	<-g.entered // the first request holds the forward pass
	go send(context.Background())
	go send(context.Background())
	waitFor(t, func() bool { return r.s.queueDepth() == 2 })
	// a client that will give up
	ctx, cancel := context.WithCancel(context.Background())
	go send(ctx)
	waitFor(t, func() bool { return r.s.queueDepth() == 3 })
	_, err := c.Predict(context.Background(), [][]byte{img})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 503 || se.RetryAfter != 2*time.Second || !strings.Contains(err.Error(), "queue is full") {
		t.Fatalf("full queue: %v", err)
	}
	cancel()
	if res := <-results; !errors.Is(res.err, context.Canceled) {
		t.Fatalf("canceled client: %v", res.err)
	}
	// once the server has seen the client leave, its queued image is dropped, not run
	waitFor(t, func() bool { return testutil.ToFloat64(r.s.metrics.requests.WithLabelValues("499")) == 1 })
	close(g.gate)
	for range 3 {
		if res := <-results; res.err != nil {
			t.Errorf("admitted request: %v", res.err)
		}
	}
	waitFor(t, func() bool { return testutil.ToFloat64(r.s.metrics.canceled) == 1 })
	if n := testutil.ToFloat64(r.s.metrics.images); n != 3 {
		t.Errorf("%v images run, want 3", n)
	}

	// deadline: a held forward pass makes a short-deadline request answer 504
	g2 := &gated{Predictor: tinyModel(t, 1), gate: make(chan struct{})}
	r2 := start(t, g2, Config{RequestTimeout: 200 * time.Millisecond}, DefaultTimeouts())
	t0 := time.Now()
	_, err = NewClient(r2.url).Predict(context.Background(), [][]byte{img})
	if !errors.As(err, &se) || se.Code != 504 || !strings.Contains(err.Error(), "deadline of 200ms passed while queued") {
		t.Errorf("held forward pass: %v", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("the 504 took %v", d)
	}
	close(g2.gate)
}

// waitFor polls cond for up to 10 s.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not reached in 10 s")
}

// TestPanicsRecovered: a panic in the forward pass fails its batch with 500, one in a
// handler answers 500; both are logged and the server goes on.
func TestPanicsRecovered(t *testing.T) {
	g := &gated{Predictor: tinyModel(t, 1), panicForward: true}
	var logs safeBuffer
	r := start(t, g, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, DefaultTimeouts())
	img := testImage(t, 40, 40, 7, false)
	if code, _, body := post(t, r.url, "image/jpeg", img); code != 500 || !strings.Contains(string(body), "forward pass failed") {
		t.Errorf("forward panic: %d %s", code, body)
	}
	g.panicForward, g.panicDecide = false, true
	if code, _, _ := post(t, r.url, "image/jpeg", img); code != 500 {
		t.Errorf("handler panic: %d", code)
	}
	g.panicDecide = false
	if code, _, body := post(t, r.url, "image/jpeg", img); code != 200 {
		t.Errorf("after the panics: %d %s", code, body)
	}
	if n := testutil.ToFloat64(r.s.metrics.panics); n != 2 {
		t.Errorf("%v panics counted, want 2", n)
	}
	for _, want := range []string{"panic in forward pass", "test: forward exploded", "panic in handler", "assignment to entry in nil map", "stack="} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// TestSlowClients: a client that never finishes its headers (slow-loris) is cut off
// after ReadHeader; one that trickles its body gets 408 or a closed connection after
// Read.
func TestSlowClients(t *testing.T) {
	r := start(t, tinyModel(t, 1), Config{}, Timeouts{ReadHeader: 200 * time.Millisecond, Read: 400 * time.Millisecond, Write: 5 * time.Second, Idle: time.Second})
	addr := strings.TrimPrefix(r.url, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t0 := time.Now()
	fmt.Fprint(conn, "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.ReadAll(conn) // returns when the server closes the connection
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("slow-loris connection held %v", d)
	}

	conn2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprint(conn2, "POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n")
	t0 = time.Now()
	go func() {
		for range 50 {
			if _, err := conn2.Write([]byte{0xFF}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	conn2.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn2), nil)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != 408 {
			t.Errorf("trickled body: status %d", res.StatusCode)
		}
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("trickled body held %v (%v)", d, err)
	}
	if code, _, _ := post(t, r.url, "image/jpeg", testImage(t, 40, 40, 8, false)); code != 200 {
		t.Errorf("after the slow clients: %d", code)
	}
}
