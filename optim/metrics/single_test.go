package metrics

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func TestSingleLabelHandChecked(t *testing.T) {
	// 3 rows of 4 classes: row 0 right, row 1 second-best, row 2 tied first place (argmax
	// takes the first, class 1, the target is class 2).
	logits := []float32{
		3, 1, 0, -1, // target 0: top-1 hit
		0, 5, 4, 1, // target 2: top-2 hit
		0, 2, 2, 1, // target 2: argmax 1 (first of the tie); top-2 counts it
	}
	targets := []float32{1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0}
	if got := Accuracy(logits, targets, 4); got != float32(1)/3 {
		t.Errorf("accuracy %v, want 1/3", got)
	}
	if got := TopKAccuracy(logits, targets, 4, 2); got != 1 {
		t.Errorf("top-2 accuracy %v, want 1", got)
	}
	if got := Argmax([]float32{1, float32(math.NaN()), 5}); got != 1 {
		t.Errorf("argmax with NaN = %d, want 1 (NaN is the largest, as torch)", got)
	}
	// Metrics weight batches by their size, as fastai's AvgMetric.
	m, e := NewAccuracy(), NewErrorRate()
	for _, b := range [][2][]float32{{logits, targets}, {logits[:4], targets[:4]}} {
		n := len(b[0]) / 4
		for _, x := range []Metric{m, e} {
			if err := x.Accumulate(tensor.FromData(b[0], n, 4), tensor.FromData(b[1], n, 4)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := m.Value(); math.Abs(got-0.5) > 1e-7 {
		t.Errorf("accuracy over batches of 3 and 1 = %v, want (1+1)/4 = 0.5", got)
	}
	if got := e.Value(); math.Abs(got-0.5) > 1e-7 {
		t.Errorf("error_rate %v, want 0.5", got)
	}
	if err := m.Accumulate(tensor.New(2, 3), tensor.New(2, 4)); err == nil {
		t.Error("shape mismatch accepted")
	}
}

func TestSingleLabelAgainstTorchFixture(t *testing.T) {
	load := func(n string) *tensor.Tensor {
		x, err := tensor.LoadNPY(filepath.Join("testdata", "single_"+n+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	logits, targets, want := load("logits"), load("targets"), load("values").Data()
	for i, m := range []Metric{NewAccuracy(), NewErrorRate(), NewTopKAccuracy(3)} {
		if err := m.Accumulate(logits, targets); err != nil {
			t.Fatal(err)
		}
		if got := m.Value(); math.Abs(got-float64(want[i])) > 1e-6 {
			t.Errorf("%s = %v, torch %v", m.Name(), got, want[i])
		}
	}
}
