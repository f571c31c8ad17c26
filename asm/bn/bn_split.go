package bn

// bnStubs are one path's assembly batch-norm kernels, each for a length that is a
// multiple of the path's vector width (bn_avx512_amd64.go, bn_avx2_amd64.go and
// bn_neon_arm64.go document them).
type bnStubs struct {
	stats        func(x []float32, shift float32) (s1, s2 float32)
	apply        func(dst, x []float32, a, b float32)
	applyReLU    func(dst, x []float32, a, b float32)
	applyAddReLU func(dst, x, res []float32, a, b float32)
	gradSums     func(dy, x []float32, mean float32) (sdy, sdyx float32)
	gradSumsReLU func(dy, y, x []float32, mean float32) (sdy, sdyx float32)
	grad         func(dx, dy, x []float32, a, b, c float32)
	gradReLU     func(dx, dy, y, x []float32, a, b, c float32)
	gradReLURes  func(dx, dres, dy, y, x []float32, a, b, c float32)
}

// withBN fills k's batch-norm entries with the stubs s, wrapped to run the first
// n &^ (width−1) elements in assembly and the rest in the generic twins; width is a
// power of two. It returns k.
func (k *layerKernels) withBN(width int, s bnStubs) *layerKernels {
	mask := width - 1
	k.bnStats = func(x []float32, shift float32) (float32, float32) {
		n := len(x) &^ mask
		a1, a2 := s.stats(x[:n], shift)
		b1, b2 := bnStatsGeneric(x[n:], shift)
		return a1 + b1, a2 + b2
	}
	k.bnApply = func(dst, x []float32, a, b float32) {
		n := len(dst) &^ mask
		s.apply(dst[:n], x[:n], a, b)
		bnApplyGeneric(dst[n:], x[n:], a, b)
	}
	k.bnApplyReLU = func(dst, x []float32, a, b float32) {
		n := len(dst) &^ mask
		s.applyReLU(dst[:n], x[:n], a, b)
		bnApplyReLUGeneric(dst[n:], x[n:], a, b)
	}
	k.bnApplyAddReLU = func(dst, x, res []float32, a, b float32) {
		n := len(dst) &^ mask
		s.applyAddReLU(dst[:n], x[:n], res[:n], a, b)
		bnApplyAddReLUGeneric(dst[n:], x[n:], res[n:], a, b)
	}
	k.bnGradSums = func(dy, x []float32, mean float32) (float32, float32) {
		n := len(dy) &^ mask
		a1, a2 := s.gradSums(dy[:n], x[:n], mean)
		b1, b2 := bnGradSumsGeneric(dy[n:], x[n:], mean)
		return a1 + b1, a2 + b2
	}
	k.bnGradSumsReLU = func(dy, y, x []float32, mean float32) (float32, float32) {
		n := len(dy) &^ mask
		a1, a2 := s.gradSumsReLU(dy[:n], y[:n], x[:n], mean)
		b1, b2 := bnGradSumsReLUGeneric(dy[n:], y[n:], x[n:], mean)
		return a1 + b1, a2 + b2
	}
	k.bnGrad = func(dx, dy, x []float32, a, b, c float32) {
		n := len(dx) &^ mask
		s.grad(dx[:n], dy[:n], x[:n], a, b, c)
		bnGradGeneric(dx[n:], dy[n:], x[n:], a, b, c)
	}
	k.bnGradReLU = func(dx, dres, dy, y, x []float32, a, b, c float32) {
		n := len(dx) &^ mask
		if dres == nil {
			s.gradReLU(dx[:n], dy[:n], y[:n], x[:n], a, b, c)
			bnGradReLUGeneric(dx[n:], nil, dy[n:], y[n:], x[n:], a, b, c)
			return
		}
		s.gradReLURes(dx[:n], dres[:n], dy[:n], y[:n], x[:n], a, b, c)
		bnGradReLUGeneric(dx[n:], dres[n:], dy[n:], y[n:], x[n:], a, b, c)
	}
	return k
}
