package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
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
