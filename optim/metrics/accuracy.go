package metrics

import (
	"math"
	"strconv"
)

func nan() float64 { return math.NaN() }

// Sigmoid is the logistic function in float32 (computed in float64 and rounded once).
func Sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// AccuracyMulti is fastai's accuracy_multi on one batch of flattened logits and targets:
// the mean over all elements of [(p > thresh) == (target ≠ 0)], with p = σ(logit) when
// sigmoid is true and p = logit otherwise. The comparison is strict and made in float32
// (thresh is rounded to float32, as PyTorch compares a float32 tensor with a Python
// float). It returns NaN for an empty batch and panics if the lengths differ.
func AccuracyMulti(logits, targets []float32, thresh float64, sigmoid bool) float32 {
	if len(logits) != len(targets) {
		panic("metrics.AccuracyMulti: " + strconv.Itoa(len(logits)) + " logits for " + strconv.Itoa(len(targets)) + " targets")
	}
	th := float32(thresh)
	hits := 0
	for i, x := range logits {
		p := x
		if sigmoid {
			p = Sigmoid(x)
		}
		if (p > th) == (targets[i] != 0) {
			hits++
		}
	}
	return float32(hits) / float32(len(logits))
}

// NewAccuracyMulti returns the accuracy_multi column at thresh (on sigmoid outputs).
func NewAccuracyMulti(thresh float64) *AvgMetric {
	return NewAvgMetric("accuracy_multi", func(l, t []float32) float32 { return AccuracyMulti(l, t, thresh, true) })
}

// AccuracyMultiThresholds returns one accuracy_multi column per threshold; with no
// thresholds it returns fastai's nine, i/10 for i = 1…9 (float64 i/10), all named
// accuracy_multi as fastai names them.
func AccuracyMultiThresholds(thresholds ...float64) []Metric {
	if len(thresholds) == 0 {
		for i := 1; i <= 9; i++ {
			thresholds = append(thresholds, float64(i)/10)
		}
	}
	ms := make([]Metric, len(thresholds))
	for i, th := range thresholds {
		ms[i] = NewAccuracyMulti(th)
	}
	return ms
}
