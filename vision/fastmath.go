package vision

import "math"

// Float32 logarithm and exponential for the lighting transform, which evaluates one of
// each per output value: the standard library's float64 versions cost more than the
// rest of the augmentation together. Both are the classic Cephes single-precision
// minimax polynomials (logf, expf), accurate to about 1 ulp of float32 over the range
// the lighting uses, as checked against math.Log / math.Exp in the tests. They are
// branch-free: on image data a sign or range branch mispredicts about half the time,
// which tripled their cost.

// log32 returns ln(x) for finite x > 0.
func log32(x float32) float32 {
	// Split x = m·2^e with m in [√½, √2) without a branch: offsetting the bits by those
	// of √½ makes the exponent field count from there.
	const sqrtHalf = 0x3f3504f3
	ix := int32(math.Float32bits(x)) - sqrtHalf
	e := ix >> 23
	m := math.Float32frombits(uint32(ix&0x007fffff + sqrtHalf))
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
	// n = round(x / ln 2) without a branch (data-dependent branches mispredict on image
	// data): adding and subtracting 1.5·2^23 rounds a float32 to an integer.
	const magic = 12582912
	n := float32(float32(x*1.44269504088896341+magic) - magic)
	ni := int32(n)
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

// log32x4 is log32 on four independent values, interleaved so that the CPU overlaps
// the four polynomial chains (one chain at a time is latency-bound). The operations
// are log32's, so the results are bit-identical to it.
func log32x4(x0, x1, x2, x3 float32) (float32, float32, float32, float32) {
	const sqrtHalf = 0x3f3504f3
	i0 := int32(math.Float32bits(x0)) - sqrtHalf
	i1 := int32(math.Float32bits(x1)) - sqrtHalf
	i2 := int32(math.Float32bits(x2)) - sqrtHalf
	i3 := int32(math.Float32bits(x3)) - sqrtHalf
	f0 := math.Float32frombits(uint32(i0&0x007fffff+sqrtHalf)) - 1
	f1 := math.Float32frombits(uint32(i1&0x007fffff+sqrtHalf)) - 1
	f2 := math.Float32frombits(uint32(i2&0x007fffff+sqrtHalf)) - 1
	f3 := math.Float32frombits(uint32(i3&0x007fffff+sqrtHalf)) - 1
	z0, z1, z2, z3 := f0*f0, f1*f1, f2*f2, f3*f3
	const c0 = float32(7.0376836292e-2)
	p0, p1, p2, p3 := c0*f0-1.1514610310e-1, c0*f1-1.1514610310e-1, c0*f2-1.1514610310e-1, c0*f3-1.1514610310e-1
	p0, p1, p2, p3 = p0*f0+1.1676998740e-1, p1*f1+1.1676998740e-1, p2*f2+1.1676998740e-1, p3*f3+1.1676998740e-1
	p0, p1, p2, p3 = p0*f0-1.2420140846e-1, p1*f1-1.2420140846e-1, p2*f2-1.2420140846e-1, p3*f3-1.2420140846e-1
	p0, p1, p2, p3 = p0*f0+1.4249322787e-1, p1*f1+1.4249322787e-1, p2*f2+1.4249322787e-1, p3*f3+1.4249322787e-1
	p0, p1, p2, p3 = p0*f0-1.6668057665e-1, p1*f1-1.6668057665e-1, p2*f2-1.6668057665e-1, p3*f3-1.6668057665e-1
	p0, p1, p2, p3 = p0*f0+2.0000714765e-1, p1*f1+2.0000714765e-1, p2*f2+2.0000714765e-1, p3*f3+2.0000714765e-1
	p0, p1, p2, p3 = p0*f0-2.4999993993e-1, p1*f1-2.4999993993e-1, p2*f2-2.4999993993e-1, p3*f3-2.4999993993e-1
	p0, p1, p2, p3 = p0*f0+3.3333331174e-1, p1*f1+3.3333331174e-1, p2*f2+3.3333331174e-1, p3*f3+3.3333331174e-1
	y0, y1, y2, y3 := p0*f0*z0, p1*f1*z1, p2*f2*z2, p3*f3*z3
	e0, e1, e2, e3 := float32(i0>>23), float32(i1>>23), float32(i2>>23), float32(i3>>23)
	y0, y1, y2, y3 = y0+-2.12194440e-4*e0, y1+-2.12194440e-4*e1, y2+-2.12194440e-4*e2, y3+-2.12194440e-4*e3
	y0, y1, y2, y3 = y0+-0.5*z0, y1+-0.5*z1, y2+-0.5*z2, y3+-0.5*z3
	return f0 + y0 + 0.693359375*e0, f1 + y1 + 0.693359375*e1, f2 + y2 + 0.693359375*e2, f3 + y3 + 0.693359375*e3
}

// exp32x4 is exp32 on four independent values, interleaved like log32x4 and
// bit-identical to exp32.
func exp32x4(x0, x1, x2, x3 float32) (float32, float32, float32, float32) {
	const magic = 12582912
	const l2e = 1.44269504088896341
	n0 := float32(float32(x0*l2e+magic) - magic)
	n1 := float32(float32(x1*l2e+magic) - magic)
	n2 := float32(float32(x2*l2e+magic) - magic)
	n3 := float32(float32(x3*l2e+magic) - magic)
	r0, r1, r2, r3 := x0-n0*0.693359375, x1-n1*0.693359375, x2-n2*0.693359375, x3-n3*0.693359375
	r0, r1, r2, r3 = r0-n0*-2.12194440e-4, r1-n1*-2.12194440e-4, r2-n2*-2.12194440e-4, r3-n3*-2.12194440e-4
	const c0 = float32(1.9875691500e-4)
	p0, p1, p2, p3 := c0*r0+1.3981999507e-3, c0*r1+1.3981999507e-3, c0*r2+1.3981999507e-3, c0*r3+1.3981999507e-3
	p0, p1, p2, p3 = p0*r0+8.3334519073e-3, p1*r1+8.3334519073e-3, p2*r2+8.3334519073e-3, p3*r3+8.3334519073e-3
	p0, p1, p2, p3 = p0*r0+4.1665795894e-2, p1*r1+4.1665795894e-2, p2*r2+4.1665795894e-2, p3*r3+4.1665795894e-2
	p0, p1, p2, p3 = p0*r0+1.6666665459e-1, p1*r1+1.6666665459e-1, p2*r2+1.6666665459e-1, p3*r3+1.6666665459e-1
	p0, p1, p2, p3 = p0*r0+5.0000001201e-1, p1*r1+5.0000001201e-1, p2*r2+5.0000001201e-1, p3*r3+5.0000001201e-1
	y0, y1, y2, y3 := p0*r0*r0+r0+1, p1*r1*r1+r1+1, p2*r2*r2+r2+1, p3*r3*r3+r3+1
	s := func(n float32) float32 { return math.Float32frombits(uint32(int32(n)+127) << 23) }
	return y0 * s(n0), y1 * s(n1), y2 * s(n2), y3 * s(n3)
}
