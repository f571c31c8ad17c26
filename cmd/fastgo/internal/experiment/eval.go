package experiment

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/optim/interp"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/tensor"
)

// Thresholds are fastai's accuracy_multi thresholds of the second learner, i/10.
func Thresholds() []float64 {
	t := make([]float64, 9)
	for i := range t {
		t[i] = float64(i+1) / 10
	}
	return t
}

// evaluate computes per-class AP (VOC07 and VOC2010), their means over the classes
// with positives, accuracy_multi at each threshold, the all-negative baseline and the
// mAP of a random ranking from a validation pass's logits and targets; for a
// single-label task (single) also the accuracy, the confusion matrix and the
// most-confused pairs.
func evaluate(p *preds, classes []string, single bool) (*report.Eval, error) {
	n, c := p.n(), p.classes
	if n == 0 {
		return nil, fmt.Errorf("no validation predictions to evaluate")
	}
	if len(p.logits) != len(p.targets) || c != len(classes) {
		return nil, fmt.Errorf("validation pass: %d logits, %d targets, %d classes for %d names", len(p.logits), len(p.targets), c, len(classes))
	}
	e := &report.Eval{Classes: classes, Thresholds: Thresholds(), Images: n}
	scores, targets := tensor.FromData(p.logits, n, c), tensor.FromData(p.targets, n, c)
	for _, m := range []metrics.APMethod{metrics.VOC07, metrics.VOC10} {
		per, _, err := metrics.MeanAP(scores, targets, m)
		if err != nil {
			return nil, err
		}
		mean := meanFinite(per)
		if m == metrics.VOC07 {
			e.AP07, e.MAP07 = report.Floats(per), report.Float(mean)
		} else {
			e.AP10, e.MAP10 = report.Floats(per), report.Float(mean)
		}
	}
	for _, th := range e.Thresholds {
		e.Accuracy = append(e.Accuracy, report.Float(metrics.AccuracyMulti(p.logits, p.targets, th, true)))
	}
	neg := 0
	pos := make([]float64, c)
	for i, t := range p.targets {
		if t == 0 {
			neg++
		} else {
			pos[i%c]++
		}
	}
	e.Baseline = report.Float(float64(neg) / float64(len(p.targets)))
	for k := range pos {
		if pos[k] == 0 {
			pos[k] = math.NaN()
		} else {
			pos[k] /= float64(n)
		}
	}
	e.ChanceMAP = report.Float(meanFinite(pos))
	if single {
		ci, err := interp.New(classes, p.logits, p.targets)
		if err != nil {
			return nil, err
		}
		acc := ci.Accuracy()
		se := &report.SingleEval{Accuracy: report.Float(acc), ErrorRate: report.Float(1 - acc), Confusion: ci.Matrix}
		for i, c := range ci.MostConfused(1) {
			if i == 10 {
				break
			}
			se.MostConfused = append(se.MostConfused, report.Confusion{Actual: c.Actual, Predicted: c.Predicted, Count: c.Count})
		}
		e.Single = se
	}
	return e, nil
}

// meanFinite averages the non-NaN values (classes without positives have NaN AP).
func meanFinite(x []float64) float64 {
	s, k := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) {
			s += v
			k++
		}
	}
	if k == 0 {
		return math.NaN()
	}
	return s / float64(k)
}
