package metrics

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// Metric is one column of the learner's epoch table, accumulated over the validation
// batches of an epoch.
type Metric interface {
	// Name is the column header.
	Name() string
	// Reset starts a new epoch.
	Reset()
	// Accumulate adds one batch: logits and multi-hot targets, both [B, C]. The tensors
	// are only valid during the call.
	Accumulate(logits, targets *tensor.Tensor) error
	// Value is the metric over every batch since Reset (NaN before any batch).
	Value() float64
}

// checkBatch verifies that logits and targets are [B, C] of the same shape.
func checkBatch(name string, logits, targets *tensor.Tensor) error {
	if logits == nil || targets == nil {
		return fmt.Errorf("metrics.%s: nil batch", name)
	}
	if !tensor.SameShape(logits, targets) || logits.Dims() != 2 {
		return fmt.Errorf("metrics.%s: logits %v and targets %v must both be [B, C]", name, logits.Shape(), targets.Shape())
	}
	return nil
}

// AvgMetric is fastai's AvgMetric: a per-batch function averaged over batches weighted by
// batch size, Σ f_b·B_b / Σ B_b, with the sum kept in float32 as fastai's tensor sum is.
type AvgMetric struct {
	name  string
	f     func(logits, targets []float32) float32
	total float32
	count int
}

// NewAvgMetric returns an AvgMetric named name over the batch function f (which gets
// flattened [B·C] logits and targets and returns the batch's mean value).
func NewAvgMetric(name string, f func(logits, targets []float32) float32) *AvgMetric {
	return &AvgMetric{name: name, f: f}
}

// Name implements Metric.
func (m *AvgMetric) Name() string { return m.name }

// Reset implements Metric.
func (m *AvgMetric) Reset() { m.total, m.count = 0, 0 }

// Accumulate implements Metric.
func (m *AvgMetric) Accumulate(logits, targets *tensor.Tensor) error {
	if err := checkBatch(m.name, logits, targets); err != nil {
		return err
	}
	bs := logits.Dim(0)
	m.total += float32(m.f(logits.Data(), targets.Data()) * float32(bs))
	m.count += bs
	return nil
}

// Value implements Metric.
func (m *AvgMetric) Value() float64 {
	if m.count == 0 {
		return nan()
	}
	return float64(m.total / float32(m.count))
}

// accum collects every batch of an epoch for metrics computed on the whole set.
type accum struct {
	scores, targets []float32
	c               int
}

func (a *accum) reset() { a.scores, a.targets, a.c = a.scores[:0], a.targets[:0], 0 }

func (a *accum) add(name string, logits, targets *tensor.Tensor) error {
	if err := checkBatch(name, logits, targets); err != nil {
		return err
	}
	c := logits.Dim(1)
	if a.c != 0 && a.c != c {
		return fmt.Errorf("metrics.%s: batch has %d classes, earlier batches %d", name, c, a.c)
	}
	a.c = c
	a.scores = append(a.scores, logits.Data()...)
	a.targets = append(a.targets, targets.Data()...)
	return nil
}

// n returns the number of samples collected.
func (a *accum) n() int {
	if a.c == 0 {
		return 0
	}
	return len(a.scores) / a.c
}
