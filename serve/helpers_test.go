package serve

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// tinyInfo is a reduced-width model (what -widths 8,16,32,64 builds) on 48-pixel
// inputs: quick to build and run.
func tinyInfo() cnn.ModelInfo {
	return cnn.ModelInfo{Widths: [4]int{8, 16, 32, 64}, Classes: []string{"cat", "dog", "person", "car"}, Size: 48, Resize: 64,
		Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
}

var (
	tinyMu     sync.Mutex
	tinyModels = map[uint64]*predictor.Predictor{}
)

// tinyModel returns the predictor of a tiny model saved and loaded back (one per seed,
// shared by the tests).
func tinyModel(t testing.TB, seed uint64) *predictor.Predictor {
	t.Helper()
	tinyMu.Lock()
	defer tinyMu.Unlock()
	if p := tinyModels[seed]; p != nil {
		return p
	}
	m, err := cnn.NewModel(nn.ResNet34, len(tinyInfo().Classes), cnn.ModelOptions{Widths: tinyInfo().Widths, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.pth")
	if err := cnn.SaveModel(path, m, tinyInfo()); err != nil {
		t.Fatal(err)
	}
	p, err := predictor.Load(path, predictor.Options{MaxPixels: 1 << 22})
	if err != nil {
		t.Fatal(err)
	}
	tinyModels[seed] = p
	return p
}

// testImage is a w×h JPEG (or PNG) whose pattern depends on seed.
func testImage(t testing.TB, w, h, seed int, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x*seed + y), uint8(y * 3 * seed), uint8((x ^ y) + seed*40), 255})
		}
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// direct is what the predictor gives for one image on its own: the reference.
func direct(t testing.TB, p *predictor.Predictor, img []byte) []float32 {
	t.Helper()
	x := make([]float32, p.InputLen())
	if err := p.Preprocess(img, x); err != nil {
		t.Fatal(err)
	}
	probs := make([]float32, len(p.Classes()))
	if err := p.Forward(x, 1, probs); err != nil {
		t.Fatal(err)
	}
	return probs
}

// sameProbs reports whether a served prediction has exactly the reference numbers.
func sameProbs(classes []string, want []float32, got Prediction) bool {
	if len(got.Probabilities) != len(classes) {
		return false
	}
	for k, c := range classes {
		if v, ok := got.Probabilities[c]; !ok || v != float64(want[k]) {
			return false
		}
	}
	return true
}

// running is a server under test on a loopback port.
type running struct {
	s      *Server
	url    string
	cancel context.CancelFunc
	errc   chan error
}

// start runs a server for m on 127.0.0.1 with cfg and timeouts t.
func start(t testing.TB, m Model, cfg Config, to Timeouts) *running {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := New(m, "a", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{s: s, url: "http://" + ln.Addr().String(), cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- s.Run(ctx, ln, to) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop drains the server and returns Run's result (once).
func (r *running) stop(t testing.TB) error {
	r.cancel()
	select {
	case err, ok := <-r.errc:
		if ok {
			close(r.errc)
			return err
		}
		return nil
	case <-time.After(30 * time.Second):
		t.Error("the server did not stop within 30 s")
		return errors.New("stuck")
	}
}

// gated wraps a predictor: Forward reports each batch size on entered (if set) and
// waits for gate (if set); panics when panicForward is set.
type gated struct {
	*predictor.Predictor
	entered      chan int
	gate         chan struct{}
	panicForward bool
	panicDecide  bool
}

func (g *gated) Forward(x []float32, n int, probs []float32) error {
	if g.entered != nil {
		g.entered <- n
	}
	if g.gate != nil {
		<-g.gate
	}
	if g.panicForward {
		panic("test: forward exploded")
	}
	return g.Predictor.Forward(x, n, probs)
}

func (g *gated) Decide(probs []float32, thresh float64) predictor.Prediction {
	if g.panicDecide {
		var m map[string]int
		m["boom"]++ // a nil-map write: a runtime panic in the handler
	}
	return g.Predictor.Decide(probs, thresh)
}

// post sends body with the content type and returns the status, headers and body.
func post(t testing.TB, url, ctype string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.Post(url+"/v1/predict", ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
