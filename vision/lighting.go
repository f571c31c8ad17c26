package vision

import "math"

// logitEps is fastai's clamp before logit: p ∈ [1e-7, 1-1e-7] (float32).
const logitEps = 1e-7

// applyLighting applies fastai's LightingTfm with brightness b and contrast c to the
// values in planes, in place: y = σ((logit(x) + logit(b))·c) with logit clamped as in
// fastai (SPEC §1.6). It is rewritten without the sigmoid's exp when c == 1:
// y = 1 / (1 + (1/x - 1)·(1-b)/b).
func applyLighting(planes [3][]float32, b, c float64) {
	lo, hi := float32(logitEps), float32(1-logitEps)
	lb := logit(b)
	if c == 1 {
		k := float32(math.Exp(-lb))
		for _, p := range planes {
			for i, x := range p {
				x = min(max(x, lo), hi)
				p[i] = 1 / (1 + (1/x-1)*k)
			}
		}
		return
	}
	c32, clb := float32(c), float32(c*lb)
	for _, p := range planes {
		for i, x := range p {
			x = min(max(x, lo), hi)
			// σ(c·(logit(x)+lb)) = 1/(1 + exp(c·ln(1/x-1) - c·lb))
			t := min(max(c32*log32(1/x-1)-clb, -80), 80) // |t| ≲ 21 in practice
			p[i] = 1 / (1 + exp32(t))
		}
	}
}

// logit is fastai's logit with its clamp, in float64.
func logit(p float64) float64 {
	p = math.Min(math.Max(p, logitEps), 1-logitEps)
	return -math.Log(1/p - 1)
}
