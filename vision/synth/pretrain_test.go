package synth

import (
	"bytes"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGeneratePretrain(t *testing.T) {
	o := Options{Seed: 3, Train: 24, Valid: 8, Size: 48}
	a, b := t.TempDir(), t.TempDir()
	sum, err := GeneratePretrain(a, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GeneratePretrain(b, o); err != nil {
		t.Fatal(err)
	}
	for _, c := range PretrainClasses {
		if sum.ClassCounts[c] != 4 {
			t.Errorf("class %s has %d images, want 4 (balanced)", c, sum.ClassCounts[c])
		}
		if slices.Contains(Classes, c) {
			t.Errorf("pretraining class %s is also a class of the sample", c)
		}
	}
	files, _ := filepath.Glob(filepath.Join(a, "*", "*", "*.jpg"))
	if len(files) != 32 {
		t.Fatalf("%d images, want 32", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(a, f)
		x, _ := os.ReadFile(f)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", rel)
		}
	}
	if _, err := os.Stat(filepath.Join(a, "valid", "hexagon", "000004.jpg")); err != nil {
		t.Errorf("from_folder layout: %v", err)
	}
	for _, p := range pretrainPalette {
		for _, q := range palette {
			if d := abs(int64(p[0]-q[0])) + abs(int64(p[1]-q[1])) + abs(int64(p[2]-q[2])); d < 90 {
				t.Errorf("pretraining colour %v is close to the sample's %v", p, q)
			}
		}
	}
}

func TestGeneratePretrainPairs(t *testing.T) {
	classes := PretrainPairClasses()
	if len(classes) != 36 || !slices.IsSorted(classes) || len(slices.Compact(slices.Clone(classes))) != 36 {
		t.Fatalf("classes %v: want 8 kinds and 28 pairs, sorted, distinct", classes)
	}
	o := Options{Seed: 3, Train: 72, Valid: 36, Size: 48, Pairs: true}
	a, b := t.TempDir(), t.TempDir()
	sum, err := GeneratePretrain(a, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GeneratePretrain(b, o); err != nil {
		t.Fatal(err)
	}
	for _, c := range classes {
		if sum.ClassCounts[c] != 3 {
			t.Errorf("class %s has %d images, want 3 (balanced)", c, sum.ClassCounts[c])
		}
		for _, k := range strings.Split(c, "+") {
			if !slices.Contains(PretrainClasses, k) || slices.Contains(Classes, k) {
				t.Errorf("class %s: %s is not a pretraining kind, or is a kind of the sample", c, k)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(a, "*", "*", "*.jpg"))
	if len(files) != 108 {
		t.Fatalf("%d images, want 108", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(a, f)
		x, _ := os.ReadFile(f)
		if y, err := os.ReadFile(filepath.Join(b, rel)); err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", rel)
		}
	}
	if _, err := os.Stat(filepath.Join(a, "valid", "crescent+hexagon", "000017.jpg")); err != nil {
		t.Errorf("from_folder layout: %v", err)
	}

	// Every kind of a class is drawn: each image of a pair shows pixels of both kinds'
	// colours (within the colours' random variation and the edges' blending).
	img := image.NewRGBA(image.Rect(0, 0, 96, 96))
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range pretrainPairs() {
		for range 3 {
			drawPretrainPair(img, p, rng)
			for _, k := range p {
				if k < 0 {
					continue
				}
				n, c := 0, pretrainPalette[k]
				for i := 0; i < len(img.Pix); i += 4 {
					d := abs(int64(int(img.Pix[i])-c[0])) + abs(int64(int(img.Pix[i+1])-c[1])) + abs(int64(int(img.Pix[i+2])-c[2]))
					if d <= 60 {
						n++
					}
				}
				if n < 40 {
					t.Errorf("%s: %d pixels of %s's colour, want at least 40", pairName(p), n, PretrainClasses[k])
				}
			}
		}
	}
}
