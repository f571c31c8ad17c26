package asm

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

// reluNaN is PyTorch's relu: v unless v <= 0 (NaN stays NaN).
func reluNaN(v float32) float32 {
	if v <= 0 {
		return 0
	}
	return v
}

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
// elsewhere (NaN outputs pass the gradient).
func reluGrad(g, y float32) float32 {
	if y <= 0 {
		return 0
	}
	return g
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
	for i := range dx {
		t := reluGrad(dy[i], y[i])
		dx[i] = a*t + b*x[i] + c
		if dres != nil {
			dres[i] = t
		}
	}
}
