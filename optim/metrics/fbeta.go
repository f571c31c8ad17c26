package metrics

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// Average selects how F-beta combines its counts.
type Average int

const (
	// Samples averages the per-sample F-beta (fastai's FBetaMulti default).
	Samples Average = iota
	// Macro averages the per-class F-beta.
	Macro
	// Micro computes F-beta from the counts over all (sample, class) pairs.
	Micro
)

// fbeta is (1+β²)·tp / ((1+β²)·tp + β²·fn + fp), 0 when the denominator is 0 (sklearn's
// zero_division = 0).
func fbeta(tp, fp, fn int, beta float64) float64 {
	b2 := beta * beta
	den := (1+b2)*float64(tp) + b2*float64(fn) + float64(fp)
	if den == 0 {
		return 0
	}
	return (1 + b2) * float64(tp) / den
}

// FBeta returns the F-beta score of predictions σ(logit) > thresh (strict; p = logit when
// sigmoid is false) against multi-hot targets, both [N, C] flattened row-major, averaged
// as avg says.
func FBeta(logits, targets []float32, c int, beta, thresh float64, sigmoid bool, avg Average) (float64, error) {
	if c <= 0 || len(logits) != len(targets) || len(logits)%c != 0 {
		return 0, fmt.Errorf("metrics.FBeta: %d logits and %d targets are not [N, %d]", len(logits), len(targets), c)
	}
	n := len(logits) / c
	if n == 0 {
		return nan(), nil
	}
	th := float32(thresh)
	pred := func(i int) bool {
		p := logits[i]
		if sigmoid {
			p = Sigmoid(p)
		}
		return p > th
	}
	type counts struct{ tp, fp, fn int }
	count := func(cs *counts, i int) {
		pr, t := pred(i), targets[i] != 0
		switch {
		case pr && t:
			cs.tp++
		case pr:
			cs.fp++
		case t:
			cs.fn++
		}
	}
	switch avg {
	case Micro:
		var cs counts
		for i := range logits {
			count(&cs, i)
		}
		return fbeta(cs.tp, cs.fp, cs.fn, beta), nil
	case Macro:
		var sum float64
		for j := 0; j < c; j++ {
			var cs counts
			for i := 0; i < n; i++ {
				count(&cs, i*c+j)
			}
			sum += fbeta(cs.tp, cs.fp, cs.fn, beta)
		}
		return sum / float64(c), nil
	case Samples:
		var sum float64
		for i := 0; i < n; i++ {
			var cs counts
			for j := 0; j < c; j++ {
				count(&cs, i*c+j)
			}
			sum += fbeta(cs.tp, cs.fp, cs.fn, beta)
		}
		return sum / float64(n), nil
	}
	return 0, fmt.Errorf("metrics.FBeta: unknown average %d", int(avg))
}

// FBetaMulti is the F-beta metric column over a whole epoch (fastai's FBetaMulti).
type FBetaMulti struct {
	beta, thresh float64
	avg          Average
	acc          accum
}

// NewFBetaMulti returns the F-beta column at thresh on sigmoid outputs.
func NewFBetaMulti(beta, thresh float64, avg Average) *FBetaMulti {
	return &FBetaMulti{beta: beta, thresh: thresh, avg: avg}
}

// Name implements Metric: "fbeta_score" as fastai names it.
func (m *FBetaMulti) Name() string { return "fbeta_score" }

// Reset implements Metric.
func (m *FBetaMulti) Reset() { m.acc.reset() }

// Accumulate implements Metric.
func (m *FBetaMulti) Accumulate(logits, targets *tensor.Tensor) error {
	return m.acc.add("FBetaMulti", logits, targets)
}

// Value implements Metric.
func (m *FBetaMulti) Value() float64 {
	if m.acc.n() == 0 {
		return nan()
	}
	v, err := FBeta(m.acc.scores, m.acc.targets, m.acc.c, m.beta, m.thresh, true, m.avg)
	if err != nil {
		return nan()
	}
	return v
}
