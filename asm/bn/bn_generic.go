package bn

import "math"

// The pure-Go twins of the batch-norm kernels: the reference and the fallback. Each is
// one loop; the SIMD kernels compute the same with fused multiply-adds and, for the
// sums, in a different order.

func bnStatsGeneric(x []float32, shift float32) (s1, s2 float32) {
	var a0, a1, q0, q1 float32
	i := 0
	for ; i+2 <= len(x); i += 2 {
		d0, d1 := x[i]-shift, x[i+1]-shift
		a0 += d0
		a1 += d1
		q0 += d0 * d0
		q1 += d1 * d1
	}
	for ; i < len(x); i++ {
		d := x[i] - shift
		a0 += d
		q0 += d * d
	}
	return a0 + a1, q0 + q1
}

func bnApplyGeneric(dst, x []float32, a, b float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = a*v + b
	}
}

// reluNaN is PyTorch's relu: v unless v <= 0 (NaN stays NaN). Go's max returns NaN
// when an operand is NaN and compiles without a branch, which ReLU's unpredictable
// signs need (a branch runs 6× slower here).
func reluNaN(v float32) float32 { return max(v, 0) }

func bnApplyReLUGeneric(dst, x []float32, a, b float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = reluNaN(a*v + b)
	}
}

func bnApplyAddReLUGeneric(dst, x, res []float32, a, b float32) {
	x, res = x[:len(dst)], res[:len(dst)]
	for i, v := range x {
		dst[i] = reluNaN(a*v + b + res[i])
	}
}

func bnGradSumsGeneric(dy, x []float32, mean float32) (sdy, sdyx float32) {
	x = x[:len(dy)]
	for i, g := range dy {
		sdy += g
		sdyx += g * (x[i] - mean)
	}
	return sdy, sdyx
}

// reluGrad is PyTorch's threshold_backward of ReLU: 0 where the output y <= 0, g
// elsewhere (NaN outputs pass the gradient). It masks g's bits rather than branch.
func reluGrad(g, y float32) float32 {
	return math.Float32frombits(math.Float32bits(g) & -b2u(!(y <= 0)))
}

// b2u is 1 for true and 0 for false; the compiler makes it a SETcc, not a branch.
func b2u(b bool) uint32 {
	var r uint32
	if b {
		r = 1
	}
	return r
}

func bnGradSumsReLUGeneric(dy, y, x []float32, mean float32) (sdy, sdyx float32) {
	y, x = y[:len(dy)], x[:len(dy)]
	for i, g := range dy {
		t := reluGrad(g, y[i])
		sdy += t
		sdyx += t * (x[i] - mean)
	}
	return sdy, sdyx
}

func bnGradGeneric(dx, dy, x []float32, a, b, c float32) {
	dy, x = dy[:len(dx)], x[:len(dx)]
	for i := range dx {
		dx[i] = a*dy[i] + b*x[i] + c
	}
}

func bnGradReLUGeneric(dx, dres, dy, y, x []float32, a, b, c float32) {
	dy, y, x = dy[:len(dx)], y[:len(dx)], x[:len(dx)]
	if dres == nil {
		for i := range dx {
			dx[i] = a*reluGrad(dy[i], y[i]) + b*x[i] + c
		}
		return
	}
	dres = dres[:len(dx)]
	for i := range dx {
		t := reluGrad(dy[i], y[i])
		dx[i] = a*t + b*x[i] + c
		dres[i] = t
	}
}
