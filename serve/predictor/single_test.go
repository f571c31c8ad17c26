package predictor

import (
	"math"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision/cnn"
)

// A single-label model predicts the softmax's most probable class, whatever the
// threshold; the same network read as multi-label gives independent sigmoids.
func TestSingleLabelModel(t *testing.T) {
	info := tinyInfo()
	m, err := cnn.NewModel(nn.ResNet34, len(info.Classes), cnn.ModelOptions{Widths: info.Widths, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	info.Single = true
	single, err := New(m, info, 0)
	if err != nil {
		t.Fatal(err)
	}
	info.Single = false
	multi, err := New(m, info, 0)
	if err != nil {
		t.Fatal(err)
	}
	if single.Task() != TaskSingleLabel || multi.Task() != TaskMultiLabel {
		t.Fatalf("tasks %q, %q", single.Task(), multi.Task())
	}
	x := make([]float32, 2*single.InputLen())
	for i := range x {
		x[i] = float32(i%17)/8 - 1
	}
	c := len(info.Classes)
	ps, pm := make([]float32, 2*c), make([]float32, 2*c)
	if err := single.Forward(x, 2, ps); err != nil {
		t.Fatal(err)
	}
	if err := multi.Forward(x, 2, pm); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		rs, rm := ps[i*c:][:c], pm[i*c:][:c]
		var sum float64
		for k := range rs {
			sum += float64(rs[k])
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Errorf("image %d: softmax sums to %v", i, sum)
		}
		// softmax and sigmoid are both increasing in the logit: the same class ranks first
		if metrics.Argmax(rs) != metrics.Argmax(rm) {
			t.Errorf("image %d: softmax %v and sigmoid %v disagree on the top class", i, rs, rm)
		}
		d := single.Decide(rs, 0.999)
		if len(d.Labels) != 1 || d.Labels[0] != info.Classes[metrics.Argmax(rs)] || len(d.Probabilities) != c {
			t.Errorf("image %d: single-label decision %+v", i, d)
		}
	}
}
