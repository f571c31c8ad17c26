package vision

import "math"

// Float32 logarithm and exponential for the lighting transform, which evaluates one of
// each per output value: the standard library's float64 versions cost more than the
// rest of the augmentation together. Both are the classic Cephes single-precision
// minimax polynomials (logf, expf), accurate to about 1 ulp of float32 over the range
// the lighting uses, as checked against math.Log / math.Exp in the tests.

// log32 returns ln(x) for finite x > 0.
func log32(x float32) float32 {
	bits := math.Float32bits(x)
	e := int32(bits>>23) - 127
	m := math.Float32frombits(bits&0x007fffff | 0x3f800000) // mantissa in [1, 2)
	if m > math.Sqrt2 {                                     // keep m in [√½, √2)
		m *= 0.5
		e++
	}
	f := m - 1
	z := f * f
	p := float32(7.0376836292e-2)
	p = p*f - 1.1514610310e-1
	p = p*f + 1.1676998740e-1
	p = p*f - 1.2420140846e-1
	p = p*f + 1.4249322787e-1
	p = p*f - 1.6668057665e-1
	p = p*f + 2.0000714765e-1
	p = p*f - 2.4999993993e-1
	p = p*f + 3.3333331174e-1
	y := p * f * z
	fe := float32(e)
	y += -2.12194440e-4 * fe
	y += -0.5 * z
	return f + y + 0.693359375*fe
}

// exp32 returns e^x for |x| ≤ 80 (the lighting needs |x| ≲ 21).
func exp32(x float32) float32 {
	fn := x * 1.44269504088896341 // round(x / ln 2), half away from zero
	if fn >= 0 {
		fn += 0.5
	} else {
		fn -= 0.5
	}
	ni := int32(fn)
	n := float32(ni)
	r := x - n*0.693359375
	r -= n * -2.12194440e-4
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	y := p*r*r + r + 1
	return y * math.Float32frombits(uint32(ni+127)<<23)
}
