package cnn

import (
	"math"

	"github.com/fastgo/fastgo/optim/metrics"
)

// Decode turns one image's logits into probabilities and predicted labels as fastai's
// loss functions decode them: for a single-label model (info.Single,
// CrossEntropyLossFlat) the softmax, and the arg-max class as the one label; for a
// multi-label model (BCEWithLogitsLossFlat) each class's sigmoid, and every class whose
// probability exceeds thresh. probs is in info.Classes order.
func Decode(info ModelInfo, logits []float32, thresh float64) (labels []string, probs []float64) {
	probs = make([]float64, len(logits))
	if info.Single {
		m := math.Inf(-1)
		for _, v := range logits {
			m = math.Max(m, float64(v))
		}
		var s float64
		for k, v := range logits {
			probs[k] = math.Exp(float64(v) - m)
			s += probs[k]
		}
		for k := range probs {
			probs[k] /= s
		}
		if k := metrics.Argmax(logits); k >= 0 {
			labels = []string{info.Classes[k]}
		}
		return labels, probs
	}
	for k, v := range logits {
		p := metrics.Sigmoid(v)
		probs[k] = float64(p)
		if p > float32(thresh) {
			labels = append(labels, info.Classes[k])
		}
	}
	return labels, probs
}
