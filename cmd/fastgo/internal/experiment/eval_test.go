package experiment

import (
	"math"
	"testing"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
)

// TestEvaluate checks per-class AP, mAP, accuracy_multi, the baseline and the chance
// mAP on a case worked out by hand.
func TestEvaluate(t *testing.T) {
	// Class 0 ranks pos, neg, pos, neg: precision 1 at recall 0.5, 2/3 at recall 1.
	// Class 1 has no positive: NaN, left out of the means.
	p := &preds{classes: 2,
		logits:  []float32{3, -1, 2, -1, 1, -1, 0, -1},
		targets: []float32{1, 0, 0, 0, 1, 0, 0, 0}}
	e, err := evaluate(p, []string{"a", "b"}, false)
	if err != nil {
		t.Fatal(err)
	}
	near := func(what string, got report.Float, want float64) {
		t.Helper()
		if math.Abs(float64(got)-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("AP VOC2010 a", e.AP10[0], 0.5*1+0.5*2.0/3)
	near("AP VOC07 a", e.AP07[0], (6+5*2.0/3)/11)
	if !math.IsNaN(float64(e.AP07[1])) || !math.IsNaN(float64(e.AP10[1])) {
		t.Errorf("AP of a class without positives: %v %v", e.AP07[1], e.AP10[1])
	}
	near("mAP VOC2010", e.MAP10, 0.5*1+0.5*2.0/3)
	near("mAP VOC07", e.MAP07, (6+5*2.0/3)/11)
	// σ(0) = 0.5 is not > 0.5: only image 1's class a is wrong at 0.5.
	near("accuracy at 0.5", e.AccuracyAt(0.5), 7.0/8)
	near("baseline", e.Baseline, 6.0/8)
	near("chance mAP", e.ChanceMAP, 0.5)
	if len(e.Thresholds) != 9 || e.Thresholds[0] != 0.1 || e.Thresholds[8] != 0.9 || e.Images != 4 {
		t.Errorf("thresholds %v, images %d", e.Thresholds, e.Images)
	}
	if _, err := evaluate(&preds{classes: 2}, []string{"a", "b"}, false); err == nil {
		t.Error("an empty pass evaluated")
	}
	if _, err := evaluate(p, []string{"a"}, false); err == nil {
		t.Error("a wrong number of class names accepted")
	}
}
