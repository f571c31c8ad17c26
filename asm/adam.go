package asm

import "math"

// AdamCoeffs are the scalars of one Adam step (AdamStep) for one parameter tensor.
type AdamCoeffs struct {
	// Decay multiplies the parameter first: 1 − lr·wd for decoupled weight decay, or 1.
	Decay float32
	// Mom and Damp1 update the gradient average: m = Mom·m + Damp1·g.
	Mom, Damp1 float32
	// SqrMom and Damp2 update the squared-gradient average: v = SqrMom·v + Damp2·g·g.
	SqrMom, Damp2 float32
	// Debias2 divides v before its square root (the second moment's debiasing).
	Debias2 float32
	// Eps is added to the square root.
	Eps float32
	// Step scales the update: p += Step·m / (sqrt(v/Debias2) + Eps), Step = −lr/debias1.
	Step float32
}

// AdamStep applies one Adam step to the parameters p with gradients g, updating the
// running averages m and v in place, for i < len(p) (g, m and v must be at least as
// long).
// Every operation rounds to float32 in the order the AdamCoeffs fields give, with no
// fused multiply-add, so every path returns the same bits as the generic twin.
func AdamStep(p, g, m, v []float32, c *AdamCoeffs) {
	n := len(p)
	checkLen("AdamStep", n, len(g), len(m), len(v))
	cur.adam(p, g[:n], m[:n], v[:n], c)
}

// adamStepGeneric is AdamStep in Go: the reference and fallback.
func adamStepGeneric(p, g, m, v []float32, c *AdamCoeffs) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		pi := float32(p[i] * c.Decay)
		mi := float32(m[i]*c.Mom) + float32(c.Damp1*gi)
		vi := float32(v[i]*c.SqrMom) + float32(float32(c.Damp2*gi)*gi)
		m[i], v[i] = mi, vi
		// The square root of a float32 taken in float64 and rounded back is the
		// correctly rounded float32 square root, as VSQRTPS computes it.
		denom := float32(math.Sqrt(float64(vi/c.Debias2))) + c.Eps
		p[i] = pi + float32(c.Step*mi)/denom
	}
}
