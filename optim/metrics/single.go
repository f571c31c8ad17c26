package metrics

import (
	"fmt"
	"math"
	"strconv"

	"github.com/fastgo/fastgo/tensor"
)

// Single-label metrics: the targets are one-hot rows (the class is the position of the
// row's largest value), the prediction is the row's arg-max logit.

// Argmax returns the index of the largest value of row, the first one on ties, with NaN
// counted as larger than any number (torch.argmax's rules); -1 for an empty row.
func Argmax(row []float32) int {
	best := -1
	for i, v := range row {
		if v != v { // NaN
			return i
		}
		if best < 0 || v > row[best] {
			best = i
		}
	}
	return best
}

// rows checks a batch of flattened logits and targets and returns its row count for c
// classes.
func rows(name string, logits, targets []float32, c int) int {
	if len(logits) != len(targets) || c < 1 || len(logits)%c != 0 {
		panic("metrics." + name + ": " + strconv.Itoa(len(logits)) + " logits and " + strconv.Itoa(len(targets)) +
			" targets are not rows of " + strconv.Itoa(c) + " classes")
	}
	return len(logits) / c
}

// Accuracy is fastai's accuracy on one batch of flattened [B, c] logits and one-hot
// targets: the fraction of rows whose arg-max logit is the target class. NaN for an
// empty batch.
func Accuracy(logits, targets []float32, c int) float32 {
	return TopKAccuracy(logits, targets, c, 1)
}

// TopKAccuracy is fastai's top_k_accuracy: the fraction of rows whose target class is
// among the k largest logits. A tie at the k-th place counts in the target's favour
// when fewer than k other logits are strictly larger (torch.topk's choice among equal
// values is unspecified); a NaN logit counts as larger than everything.
func TopKAccuracy(logits, targets []float32, c, k int) float32 {
	b := rows("TopKAccuracy", logits, targets, c)
	if b == 0 {
		return float32(math.NaN())
	}
	hits := 0
	for i := 0; i < b; i++ {
		row := logits[i*c:][:c]
		cls := Argmax(targets[i*c:][:c])
		v := row[cls]
		if k == 1 {
			if Argmax(row) == cls {
				hits++
			}
			continue
		}
		above := 0
		for j, u := range row {
			if j != cls && (u > v || (u != u && v == v)) {
				above++
			}
		}
		if above < k {
			hits++
		}
	}
	return float32(hits) / float32(b)
}

// singleMetric is a single-label AvgMetric: the per-batch value needs the class count,
// which it reads from the batch's shape.
type singleMetric struct {
	name   string
	k      int
	invert bool // 1 − accuracy (error_rate)
	total  float32
	count  int
}

// NewAccuracy returns fastai's accuracy column.
func NewAccuracy() Metric { return &singleMetric{name: "accuracy", k: 1} }

// NewErrorRate returns fastai's error_rate column, 1 − accuracy.
func NewErrorRate() Metric { return &singleMetric{name: "error_rate", k: 1, invert: true} }

// NewTopKAccuracy returns fastai's top_k_accuracy column for k ≥ 1 (fastai's default
// is 5).
func NewTopKAccuracy(k int) Metric {
	if k < 1 {
		panic(fmt.Sprintf("metrics.NewTopKAccuracy: k = %d, want ≥ 1", k))
	}
	return &singleMetric{name: "top_k_accuracy", k: k}
}

// Name implements Metric.
func (m *singleMetric) Name() string { return m.name }

// Reset implements Metric.
func (m *singleMetric) Reset() { m.total, m.count = 0, 0 }

// Accumulate implements Metric; targets are one-hot rows.
func (m *singleMetric) Accumulate(logits, targets *tensor.Tensor) error {
	if err := checkBatch(m.name, logits, targets); err != nil {
		return err
	}
	bs := logits.Dim(0)
	if bs == 0 {
		return nil
	}
	v := TopKAccuracy(logits.Data(), targets.Data(), logits.Dim(1), m.k)
	if m.invert {
		v = 1 - v
	}
	m.total += v * float32(bs)
	m.count += bs
	return nil
}

// Value implements Metric: the batch values averaged with batch-size weights, as
// fastai's AvgMetric.
func (m *singleMetric) Value() float64 {
	if m.count == 0 {
		return nan()
	}
	return float64(m.total / float32(m.count))
}
