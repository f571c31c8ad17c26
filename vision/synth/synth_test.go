package synth

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerateDeterministic(t *testing.T) {
	o := Options{Seed: 7, Train: 40, Valid: 16, Size: 64, COCO: true}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Generate(a, o); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, o); err != nil {
		t.Fatal(err)
	}
	o.Seed = 8
	if _, err := Generate(c, o); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(a, "*", "*.jpg"))
	files = append(files, filepath.Join(a, "train.csv"), filepath.Join(a, "train.json"), filepath.Join(a, "valid.json"))
	if len(files) != 59 {
		t.Fatalf("%d files, want 56 images + 3", len(files))
	}
	differ := 0
	for _, f := range files {
		rel, _ := filepath.Rel(a, f)
		x, _ := os.ReadFile(f)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", rel)
		}
		if z, _ := os.ReadFile(filepath.Join(c, rel)); !bytes.Equal(x, z) {
			differ++
		}
	}
	if differ < len(files)-1 {
		t.Errorf("only %d of %d files change with the seed", differ, len(files))
	}
}

func TestGenerateContents(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	s, err := Generate(dir, Default())
	if err != nil {
		t.Fatal(err)
	}
	// Logged, not asserted: a test's wall time says nothing on a shared machine.
	t.Logf("default set (%d+%d images of %d px) in %v; class counts %v", s.Train, s.Valid, Default().Size, time.Since(start), s.ClassCounts)
	csv, err := os.ReadFile(filepath.Join(dir, "train.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if lines[0] != "fname,labels,is_valid" || len(lines) != 1+s.Train+s.Valid {
		t.Fatalf("header %q, %d lines", lines[0], len(lines))
	}
	nValid := 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != 3 || f[1] == "" {
			t.Fatalf("bad row %q", l)
		}
		if f[2] == "True" {
			nValid++
		}
	}
	if nValid != s.Valid {
		t.Errorf("%d valid rows, want %d", nValid, s.Valid)
	}
	for _, c := range Classes {
		if n := s.ClassCounts[c]; n < (s.Train+s.Valid)/10 {
			t.Errorf("class %s in only %d images", c, n)
		}
	}
	f, err := os.Open(filepath.Join(dir, "train", "000000.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil || img.Bounds().Dx() != 96 {
		t.Errorf("image: %v %v", err, img.Bounds())
	}
}

func TestOptionsValidated(t *testing.T) {
	for _, o := range []Options{{Train: -1}, {Size: 8, Train: 1}, {Quality: 101, Train: 1}} {
		if _, err := Generate(t.TempDir(), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
