package interp

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestConfusionMatrixAndMostConfused(t *testing.T) {
	classes := []string{"cat", "dog", "fox"}
	// actual → predicted: cat→cat, cat→dog, dog→dog, fox→dog, fox→dog, fox→cat
	logits := []float32{
		5, 1, 0,
		0, 2, 1,
		0, 3, 1,
		1, 4, 0,
		0, 1, 0.5,
		2, 1, 0,
	}
	targets := []float32{
		1, 0, 0,
		1, 0, 0,
		0, 1, 0,
		0, 0, 1,
		0, 0, 1,
		0, 0, 1,
	}
	it, err := New(classes, logits, targets)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 1, 0}, {0, 1, 0}, {1, 2, 0}}
	if !reflect.DeepEqual(it.Matrix, want) {
		t.Fatalf("matrix %v, want %v", it.Matrix, want)
	}
	if got := it.Accuracy(); math.Abs(got-2.0/6) > 1e-12 {
		t.Errorf("accuracy %v, want 2/6", got)
	}
	mc := it.MostConfused(1)
	wantMC := []Confusion{{"fox", "dog", 2}, {"cat", "dog", 1}, {"fox", "cat", 1}}
	if !reflect.DeepEqual(mc, wantMC) {
		t.Errorf("most_confused %v, want %v", mc, wantMC)
	}
	if got := it.MostConfused(2); len(got) != 1 {
		t.Errorf("most_confused(2) = %v", got)
	}
	// cross-entropy of row 0: logsumexp(5,1,0) − 5
	want0 := math.Log(math.Exp(5)+math.Exp(1)+1) - 5
	if math.Abs(it.Losses[0]-want0) > 1e-12 {
		t.Errorf("loss 0 = %v, want %v", it.Losses[0], want0)
	}
	path := filepath.Join(t.TempDir(), "cm.png")
	if err := it.PlotConfusionMatrix(path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dx() != b.Dy() {
		t.Errorf("plot is %v, want a square of some size", b)
	}
	if _, err := New(classes, logits[:4], targets[:4]); err == nil {
		t.Error("rows not a multiple of the classes accepted")
	}
}
