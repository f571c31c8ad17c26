package metrics

import (
	"fmt"
	"math"
	"sort"

	"github.com/fastgo/fastgo/tensor"
)

// APMethod selects the PASCAL VOC definition of average precision (SPEC §10.1).
type APMethod int

const (
	// VOC07 is the 11-point interpolated AP of the VOC2007 devkit: the mean over
	// t = 0, 0.1, …, 1 (exact decimals k/10) of the best precision at recall ≥ t.
	VOC07 APMethod = iota
	// VOC10 is the area under the interpolated (right-maximum) precision/recall curve used
	// from VOC2010 on.
	VOC10
)

// String names the method as reports should.
func (m APMethod) String() string {
	switch m {
	case VOC07:
		return "VOC07 11-point"
	case VOC10:
		return "VOC2010 area"
	}
	return fmt.Sprintf("APMethod(%d)", int(m))
}

// Ground-truth labels for AveragePrecision, as the VOC devkit codes them.
const (
	Negative  int8 = -1
	Difficult int8 = 0 // counted as neither positive nor negative
	Positive  int8 = 1
)

// AveragePrecision returns one class's AP for scores and devkit labels gt (Positive,
// Negative or Difficult). Scores are ranked in descending order with a stable sort (ties
// keep their input order, as MATLAB's sort does); difficult items are skipped;
// rec_k = tp_k/#pos and prec_k = tp_k/(tp_k + fp_k) at each rank k. It returns NaN when
// there is no positive, and an error when the lengths differ, a label is not −1/0/1 or a
// score is NaN.
func AveragePrecision(scores []float32, gt []int8, m APMethod) (float64, error) {
	if len(scores) != len(gt) {
		return 0, fmt.Errorf("metrics.AveragePrecision: %d scores for %d labels", len(scores), len(gt))
	}
	idx := make([]int, 0, len(scores))
	npos := 0
	for i, l := range gt {
		switch l {
		case Positive:
			npos++
		case Negative, Difficult:
		default:
			return 0, fmt.Errorf("metrics.AveragePrecision: label %d of item %d is not -1, 0 or 1", l, i)
		}
		if math.IsNaN(float64(scores[i])) {
			return 0, fmt.Errorf("metrics.AveragePrecision: score of item %d is NaN", i)
		}
		if l != Difficult {
			idx = append(idx, i)
		}
	}
	if npos == 0 {
		return math.NaN(), nil
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	rec := make([]float64, len(idx))
	prec := make([]float64, len(idx))
	tp, fp := 0, 0
	for k, i := range idx {
		if gt[i] == Positive {
			tp++
		} else {
			fp++
		}
		rec[k] = float64(tp) / float64(npos)
		prec[k] = float64(tp) / float64(tp+fp)
	}
	switch m {
	case VOC07:
		return ap11(rec, prec), nil
	case VOC10:
		return apArea(rec, prec), nil
	}
	return 0, fmt.Errorf("metrics.AveragePrecision: unknown method %d", int(m))
}

// ap11 is the VOC2007 11-point AP: Σ_{k=0..10} max{prec : rec ≥ k/10} / 11, a term being 0
// when no rank reaches that recall.
func ap11(rec, prec []float64) float64 {
	var ap float64
	for k := 0; k <= 10; k++ {
		t := float64(k) / 10
		p := 0.0
		for i, r := range rec {
			if r >= t && prec[i] > p {
				p = prec[i]
			}
		}
		ap += p / 11
	}
	return ap
}

// apArea is the VOC2010+ AP: with mrec = [0, rec…, 1] and mpre = [0, prec…, 0] made
// non-increasing from the right, the sum of (mrec_i − mrec_{i−1})·mpre_i where mrec changes.
func apArea(rec, prec []float64) float64 {
	n := len(rec) + 2
	mrec := make([]float64, n)
	mpre := make([]float64, n)
	copy(mrec[1:], rec)
	copy(mpre[1:], prec)
	mrec[n-1] = 1
	for i := n - 2; i >= 0; i-- {
		mpre[i] = math.Max(mpre[i], mpre[i+1])
	}
	var ap float64
	for i := 1; i < n; i++ {
		if mrec[i] != mrec[i-1] {
			ap += (mrec[i] - mrec[i-1]) * mpre[i]
		}
	}
	return ap
}

// MeanAP returns the per-class AP and their mean for scores and multi-hot targets, both
// [N, C] (a target ≠ 0 is a positive, 0 a negative; there are no difficult items). The
// mean is over all C classes, so it is NaN when some class has no positive.
func MeanAP(scores, targets *tensor.Tensor, m APMethod) (perClass []float64, mean float64, err error) {
	if err := checkBatch("MeanAP", scores, targets); err != nil {
		return nil, 0, err
	}
	n, c := scores.Dim(0), scores.Dim(1)
	return meanAP(scores.Data(), targets.Data(), n, c, m)
}

func meanAP(sd, td []float32, n, c int, m APMethod) ([]float64, float64, error) {
	perClass := make([]float64, c)
	col := make([]float32, n)
	gt := make([]int8, n)
	var sum float64
	for j := 0; j < c; j++ {
		for i := 0; i < n; i++ {
			col[i] = sd[i*c+j]
			gt[i] = Negative
			if td[i*c+j] != 0 {
				gt[i] = Positive
			}
		}
		ap, err := AveragePrecision(col, gt, m)
		if err != nil {
			return nil, 0, fmt.Errorf("class %d: %w", j, err)
		}
		perClass[j] = ap
		sum += ap
	}
	return perClass, sum / float64(c), nil
}

// MAP is the mAP metric column: it keeps the epoch's logits (σ is monotonic, so ranking
// logits ranks probabilities) and computes MeanAP at the end.
type MAP struct {
	method APMethod
	acc    accum
}

// NewMAP returns the mAP column for method m.
func NewMAP(m APMethod) *MAP { return &MAP{method: m} }

// Name implements Metric: "mAP_voc07" or "mAP_voc10".
func (m *MAP) Name() string {
	if m.method == VOC07 {
		return "mAP_voc07"
	}
	return "mAP_voc10"
}

// Reset implements Metric.
func (m *MAP) Reset() { m.acc.reset() }

// Accumulate implements Metric.
func (m *MAP) Accumulate(logits, targets *tensor.Tensor) error {
	return m.acc.add(m.Name(), logits, targets)
}

// Value implements Metric.
func (m *MAP) Value() float64 {
	n := m.acc.n()
	if n == 0 {
		return nan()
	}
	_, mean, err := meanAP(m.acc.scores, m.acc.targets, n, m.acc.c, m.method)
	if err != nil {
		return nan()
	}
	return mean
}
