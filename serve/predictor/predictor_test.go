package predictor

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// tinyInfo is a reduced-width model on small inputs: quick to build and run.
func tinyInfo() cnn.ModelInfo {
	return cnn.ModelInfo{Widths: [4]int{8, 16, 32, 64}, Classes: []string{"cat", "dog", "person"}, Size: 48, Resize: 64,
		Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
}

// testImage is a w×h JPEG (or PNG) with a pattern depending on seed.
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

func savedTiny(t testing.TB, seed uint64) string {
	t.Helper()
	m, err := cnn.NewModel(nn.ResNet34, len(tinyInfo().Classes), cnn.ModelOptions{Widths: tinyInfo().Widths, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.pth")
	if err := cnn.SaveModel(path, m, tinyInfo()); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBatchInvariant: an image's probabilities do not depend on the batch it is in
// (the server batches whatever requests arrive together).
func TestBatchInvariant(t *testing.T) {
	p, err := Load(savedTiny(t, 1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Task() != TaskMultiLabel || !slices.Equal(p.Classes(), tinyInfo().Classes) {
		t.Fatalf("task %q classes %v", p.Task(), p.Classes())
	}
	const n = 5
	L, c := p.InputLen(), len(p.Classes())
	single := make([][]float32, n)
	imgs := make([][]float32, n)
	for i := range n {
		imgs[i] = make([]float32, L)
		if err := p.Preprocess(testImage(t, 40+13*i, 70-7*i, i+1, i%2 == 1), imgs[i]); err != nil {
			t.Fatal(err)
		}
		single[i] = make([]float32, c)
		if err := p.Forward(imgs[i], 1, single[i]); err != nil {
			t.Fatal(err)
		}
	}
	// the batch in C×N×H×W
	sz := L / 3
	x := make([]float32, n*L)
	for i := range n {
		for ch := range 3 {
			copy(x[(ch*n+i)*sz:][:sz], imgs[i][ch*sz:][:sz])
		}
	}
	probs := make([]float32, n*c)
	if err := p.Forward(x, n, probs); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if !slices.Equal(probs[i*c:][:c], single[i]) {
			t.Errorf("image %d: alone %v, in a batch of %d %v", i, single[i], n, probs[i*c:][:c])
		}
		for _, v := range single[i] {
			if !(v >= 0 && v <= 1) {
				t.Errorf("image %d: probability %v", i, v)
			}
		}
	}
	if err := p.Check(); err != nil {
		t.Error(err)
	}
	d := p.Decide([]float32{0.2, 0.5000001, 0.9}, 0.5)
	if !slices.Equal(d.Labels, []string{"dog", "person"}) || d.Probabilities["cat"] != float64(float32(0.2)) {
		t.Errorf("Decide: %+v", d)
	}
}

// TestLoadErrors: a file without metadata needs the class names; bad metadata and
// shapes are named.
func TestLoadErrors(t *testing.T) {
	m, _ := cnn.NewModel(nn.ResNet34, len(tinyInfo().Classes), cnn.ModelOptions{Widths: tinyInfo().Widths, Seed: 2})
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pth")
	sd := nn.StateDict(m)
	if err := pth.Save(plain, sd); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(plain, Options{}); err == nil || !strings.Contains(err.Error(), "no fastgo metadata") {
		t.Errorf("plain file without classes: %v", err)
	}
	p, err := Load(plain, Options{Classes: []string{"a", "b", "c"}, Widths: [4]int{8, 16, 32, 64}, Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	if i := p.Info(); i.Size != 40 || i.Resize != (40*460+112)/224 {
		t.Errorf("info %+v", i)
	}
	if _, err := Load(plain, Options{Classes: []string{"a", "b"}, Widths: [4]int{8, 16, 32, 64}}); err == nil {
		t.Error("2 classes for a 3-output head accepted")
	}
	sd.Meta = map[string]string{cnn.ModelKey: "{"}
	bad := filepath.Join(dir, "bad.pth")
	if err := pth.Save(bad, sd); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad, Options{}); err == nil || !strings.Contains(err.Error(), "bad.pth: metadata") {
		t.Errorf("bad metadata: %v", err)
	}
	for _, info := range []cnn.ModelInfo{{}, {Classes: []string{"a", "a"}, Size: 8, Resize: 8, Std: [3]float32{1, 1, 1}},
		{Classes: []string{"a"}, Size: 8, Resize: 8, Std: [3]float32{1, 0, 1}}, {Classes: []string{"a"}, Size: 8, Resize: 8, Std: [3]float32{1, 1, 1}, Widths: [4]int{1, 2, 3, -1}}} {
		if err := CheckInfo(info); err == nil {
			t.Errorf("%+v accepted", info)
		}
	}
	if err := p.Forward(make([]float32, 3), 1, make([]float32, 3)); err == nil {
		t.Error("short input accepted")
	}
}

// TestPoolsBounded: the forward keeps the buffer pools of the last two batch sizes only.
func TestPoolsBounded(t *testing.T) {
	p, err := Load(savedTiny(t, 3), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 2, 4, 4, 1} {
		if err := p.Forward(make([]float32, n*p.InputLen()), n, make([]float32, n*len(p.Classes()))); err != nil {
			t.Fatal(err)
		}
	}
	if p.pools[0].n != 1 || p.pools[1].n != 4 {
		t.Errorf("pools for sizes %d and %d, want 1 and 4", p.pools[0].n, p.pools[1].n)
	}
	a := p.pools[0].pool.AllocatedBytes()
	p.Forward(make([]float32, p.InputLen()), 1, make([]float32, len(p.Classes())))
	if b := p.pools[0].pool.AllocatedBytes(); b != a {
		t.Errorf("a repeated batch size allocated %d more bytes", b-a)
	}
}
