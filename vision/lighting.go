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
	// σ(c·(logit(x)+lb)) = 1/(1 + exp(c·ln(1/x-1) - c·lb)); |t| ≲ 21 in practice, and the
	// clamp to ±80 keeps exp32 in range.
	arg := func(x float32) float32 { return 1/min(max(x, lo), hi) - 1 }
	tclamp := func(t float32) float32 { return min(max(t, -80), 80) }
	for _, p := range planes {
		i := 0
		for ; i+4 <= len(p); i += 4 {
			q := p[i : i+4 : i+4]
			l0, l1, l2, l3 := log32x4(arg(q[0]), arg(q[1]), arg(q[2]), arg(q[3]))
			e0, e1, e2, e3 := exp32x4(tclamp(c32*l0-clb), tclamp(c32*l1-clb), tclamp(c32*l2-clb), tclamp(c32*l3-clb))
			q[0], q[1], q[2], q[3] = 1/(1+e0), 1/(1+e1), 1/(1+e2), 1/(1+e3)
		}
		for ; i < len(p); i++ {
			p[i] = 1 / (1 + exp32(tclamp(c32*log32(arg(p[i]))-clb)))
		}
	}
}

// logit is fastai's logit with its clamp, in float64.
func logit(p float64) float64 {
	p = math.Min(math.Max(p, logitEps), 1-logitEps)
	return -math.Log(1/p - 1)
}
