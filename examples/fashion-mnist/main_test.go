package main

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/vision"
)

// writeIDX writes a tiny 10-class data set: class k is a bright horizontal bar at row
// 2k+3 of a 28×28 image, with a little per-image variation, so that a few steps learn it.
func writeIDX(t *testing.T, dir, prefix string, n int) {
	t.Helper()
	pix := make([]uint8, n*28*28)
	lab := make([]uint8, n)
	for i := 0; i < n; i++ {
		k := i % 10
		lab[i] = uint8(k)
		img := pix[i*784:][:784]
		for x := 2; x < 26; x++ {
			img[(2*k+3)*28+x] = uint8(200 + (i*7+x)%50)
		}
	}
	if err := vision.WriteIDX(filepath.Join(dir, prefix+"-images-idx3-ubyte.gz"), []int{n, 28, 28}, pix); err != nil {
		t.Fatal(err)
	}
	if err := vision.WriteIDX(filepath.Join(dir, prefix+"-labels-idx1-ubyte"), []int{n}, lab); err != nil {
		t.Fatal(err)
	}
}

func TestRunOnTinyIDX(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, dir, "train", 160)
	writeIDX(t, dir, "t10k", 40)
	r := DefaultRecipe()
	r.Data, r.Blocks, r.Widths, r.BS, r.Epochs, r.LR, r.NoAug, r.Out = dir, [4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 8}, 16, 4, 1e-2, true, t.TempDir()
	var out bytes.Buffer
	res, err := Run(r, &out)
	if err != nil {
		t.Fatal(err)
	}
	log := out.String()
	if !strings.Contains(log, "144 training, 16 validation images, 10 classes") {
		t.Errorf("data line missing:\n%s", log)
	}
	if !strings.Contains(log, "accuracy  error_rate") {
		t.Errorf("the epoch table has no accuracy/error_rate columns:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(r.Out, "confusion_matrix.png")); err != nil {
		t.Errorf("confusion matrix: %v", err)
	}
	if !strings.Contains(log, "most confused on the test images") {
		t.Errorf("no most_confused line:\n%s", log)
	}
	last := regexp.MustCompile(`test accuracy (\d\.\d{4})\n$`).FindStringSubmatch(log)
	if last == nil {
		t.Fatalf("output does not end with the test accuracy line:\n%s", log)
	}
	// Ten bars are easy: four epochs on 144 images are well above chance (0.1).
	if res.TestAccuracy < 0.5 {
		t.Errorf("test accuracy %v on the bars data, want > 0.5\n%s", res.TestAccuracy, log)
	}
	if !regexp.MustCompile(`validation accuracy \d\.\d{4}, with TTA \(n 4, beta 0.25\) \d\.\d{4}\n`).MatchString(log) {
		t.Errorf("no validation line with and without TTA:\n%s", log)
	}

	// -save then -load -epochs 0: the loaded model (batch-norm statistics included)
	// predicts exactly what the trained one did; -tta evaluates the test images with TTA.
	r.Save = filepath.Join(t.TempDir(), "model.pth")
	trained, err := Run(r, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r.Save, r.Load, r.Epochs, r.TTA = "", r.Save, 0, true
	out.Reset()
	loaded, err := Run(r, &out)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ValidAccuracy != trained.ValidAccuracy || loaded.ValidTTAAccuracy != trained.ValidTTAAccuracy {
		t.Errorf("loaded model: validation %v / TTA %v, trained %v / %v", loaded.ValidAccuracy, loaded.ValidTTAAccuracy, trained.ValidAccuracy, trained.ValidTTAAccuracy)
	}
	if !strings.Contains(out.String(), "the test figure uses TTA, n 4, beta 0.25\ntest accuracy ") {
		t.Errorf("-tta run's ending:\n%s", out.String())
	}
	r.Load = filepath.Join(t.TempDir(), "missing.pth")
	if _, err := Run(r, io.Discard); err == nil || !strings.Contains(err.Error(), "missing.pth") {
		t.Errorf("missing -load file: %v", err)
	}

	r.Load = ""
	r.Data = t.TempDir()
	if _, err := Run(r, &out); err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Errorf("missing data: %v", err)
	}
}

// TestSmoothedCrossEntropy checks the label-smoothed loss against its definition,
// (1−ε)·CE(one-hot) + ε·mean_c(−log_softmax(x)_c), computed here in float64, and that
// ε = 0 is the plain cross-entropy.
func TestSmoothedCrossEntropy(t *testing.T) {
	logits := []float32{2, -1, 0.5, 0.1, 3, -2}
	onehot := []float32{0, 0, 1, 0, 1, 0}
	const eps = 0.1
	var want float64
	for i := 0; i < 2; i++ {
		row := logits[i*3:][:3]
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v))
		}
		lse := math.Log(s)
		for c, v := range row {
			lp := float64(v) - lse
			want -= (1-eps)*float64(onehot[i*3+c])*lp + eps/3*lp
		}
	}
	want /= 2
	for _, tc := range []struct {
		eps  float64
		want float64
	}{{eps, want}, {0, -1}} {
		g := autograd.NewGraph(nil, autograd.Record)
		x := g.Input(tensor.FromData(append([]float32(nil), logits...), 2, 3))
		y := tensor.FromData(append([]float32(nil), onehot...), 2, 3)
		got := float64(SmoothedCrossEntropy(tc.eps)(x, y).Value.Data()[0])
		if tc.eps == 0 {
			tc.want = float64(autograd.CrossEntropy(x, y).Value.Data()[0])
		}
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("ε %g: loss %v, want %v", tc.eps, got, tc.want)
		}
		g.Release()
	}
}
