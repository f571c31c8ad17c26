package vision

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestPreprocessMatchesValidationLoader: a Preprocessor fed the file bytes produces
// exactly the validation loader's planes, for a shrinking and a non-shrinking size and
// for a non-square PNG.
func TestPreprocessMatchesValidationLoader(t *testing.T) {
	ds, dir := sampleDataset(t, 28, 3)
	items := ds.Valid
	// a wide grayscale PNG: another decoder path and an off-centre crop
	gray := image.NewGray(image.Rect(0, 0, 90, 37))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, gray); err != nil {
		t.Fatal(err)
	}
	pngPath := dir + "/wide.png"
	if err := os.WriteFile(pngPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	items = append(items, Item{Path: pngPath, Source: "wide.png"})
	for _, sz := range [][2]int{{80, 40}, {40, 36}, {24, 32}} {
		o := smallOptions()
		o.Resize, o.Size, o.BatchSize = sz[0], sz[1], len(items)
		l, err := NewLoader(items, ds.Vocab, false, o)
		if err != nil {
			t.Fatal(err)
		}
		d := runEpoch(t, l, 0)
		p, err := NewPreprocessor(o, 0)
		if err != nil {
			t.Fatal(err)
		}
		n, s2 := d.n[0], o.Size*o.Size
		got := make([]float32, 3*s2)
		for i, it := range items {
			data, err := os.ReadFile(it.Path)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Preprocess(data, got); err != nil {
				t.Fatal(err)
			}
			for c := range 3 {
				want := d.x[0][(c*n+i)*s2:][:s2]
				if !slices.Equal(got[c*s2:][:s2], want) {
					t.Fatalf("resize %d size %d: %s channel %d differs from the validation loader", sz[0], sz[1], it.Path, c)
				}
			}
		}
	}
}

// TestPreprocessHostile: bad data gives errors naming the problem, and a header
// declaring too many pixels is refused before decoding.
func TestPreprocessHostile(t *testing.T) {
	o := smallOptions()
	p, err := NewPreprocessor(o, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	dst := make([]float32, 3*o.Size*o.Size)
	if err := p.Preprocess(good, dst); err == nil || !strings.Contains(err.Error(), "larger than the limit of 1000 pixels") {
		t.Errorf("1200-pixel image with a 1000-pixel limit: %v", err)
	}
	p, _ = NewPreprocessor(o, 0)
	if err := p.Preprocess(good, dst); err != nil {
		t.Fatal(err)
	}
	for _, v := range dst {
		if math.IsNaN(float64(v)) {
			t.Fatal("NaN in a prepared image")
		}
	}
	cases := map[string][]byte{
		"empty":     nil,
		"text":      []byte("hello, world"),
		"truncated": good[:len(good)/2],
		"header":    good[:8],
	}
	for name, data := range cases {
		err := p.Preprocess(data, dst)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if name == "text" && !errors.Is(err, ErrNotImage) {
			t.Errorf("text: %v, want ErrNotImage", err)
		}
	}
	if err := p.Preprocess(good, dst[1:]); err == nil {
		t.Error("short destination accepted")
	}
	if _, err := NewPreprocessor(LoaderOptions{Resize: 10, Size: 1, Std: [3]float32{1, 1, 1}}, 0); err == nil {
		t.Error("size 1 accepted")
	}
}
