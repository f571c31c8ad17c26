// Package bn is the batch-normalisation kernels: per-channel statistics (Stats), the
// affine apply with optional fused ReLU and residual add (Apply, ApplyReLU,
// ApplyAddReLU) and the backward sums and gradients (GradSums, GradSumsReLU,
// Grad, GradReLU), as AVX-512, AVX2 and NEON assembly beside pure-Go twins (the
// reference and the fallback), and those backward kernels on x and y stored as bf16
// (GradSumsBF16, GradSumsReLUBF16, GradBF16, GradReLUBF16; bf16.go). The path
// follows asm/cpu's active instruction set, re-chosen whenever cpu.Use switches it
// (dispatch.go).
package bn

import "fmt"

// The batch-norm kernels: the element loops of a BatchNorm2d layer's training forward
// (statistics, then the affine apply fused with ReLU and a residual) and backward (two
// reductions, then the input gradient fused with ReLU's mask), each one pass over
// memory. Slice lengths are checked here; the kernels see equal lengths.
//
// ReLU follows PyTorch: relu(NaN) is NaN, and its backward passes the gradient where the
// output y is not <= 0 (so also where y is NaN). The plain vec.Relu and ReluBackward
// map NaN to 0 instead.

// Stats returns s1 = Σ d and s2 = Σ d² of d = x[i] − shift, summed in float32 partial
// sums (the caller keeps x short, a few thousand values, and adds the results in
// float64; with shift the block's mean, s2 is its sum of squared deviations).
func Stats(x []float32, shift float32) (s1, s2 float32) {
	return cur.bnStats(x, shift)
}

// Apply sets dst[i] = a·x[i] + b for i < len(dst) (a fused multiply-add on the SIMD
// paths); dst may be x.
func Apply(dst, x []float32, a, b float32) {
	checkLen("Apply", len(dst), len(x))
	cur.bnApply(dst, x[:len(dst)], a, b)
}

// ApplyReLU sets dst[i] = relu(a·x[i] + b) for i < len(dst), relu(v) = v unless
// v <= 0 (NaN stays NaN); dst may be x.
func ApplyReLU(dst, x []float32, a, b float32) {
	checkLen("ApplyReLU", len(dst), len(x))
	cur.bnApplyReLU(dst, x[:len(dst)], a, b)
}

// ApplyAddReLU sets dst[i] = relu(a·x[i] + b + res[i]) for i < len(dst), as
// ApplyReLU; dst may be x or res.
func ApplyAddReLU(dst, x, res []float32, a, b float32) {
	checkLen("ApplyAddReLU", len(dst), len(x), len(res))
	n := len(dst)
	cur.bnApplyAddReLU(dst, x[:n], res[:n], a, b)
}

// GradSums returns sdy = Σ dy[i] and sdyx = Σ dy[i]·(x[i] − mean) over i < len(dy),
// in float32 partial sums (keep dy short, as for Stats).
func GradSums(dy, x []float32, mean float32) (sdy, sdyx float32) {
	checkLen("GradSums", len(dy), len(x))
	return cur.bnGradSums(dy, x[:len(dy)], mean)
}

// GradSumsReLU is GradSums of dt[i] = dy[i] masked by the ReLU's output y: 0 where
// y[i] <= 0, dy[i] elsewhere.
func GradSumsReLU(dy, y, x []float32, mean float32) (sdy, sdyx float32) {
	checkLen("GradSumsReLU", len(dy), len(y), len(x))
	n := len(dy)
	return cur.bnGradSumsReLU(dy, y[:n], x[:n], mean)
}

// Grad sets dx[i] = a·dy[i] + b·x[i] + c for i < len(dx), batch norm's input gradient
// (fused multiply-adds on the SIMD paths); dx may be dy or x.
func Grad(dx, dy, x []float32, a, b, c float32) {
	checkLen("Grad", len(dx), len(dy), len(x))
	n := len(dx)
	cur.bnGrad(dx, dy[:n], x[:n], a, b, c)
}

// GradReLU sets, for i < len(dx), dt = dy[i] masked by y as in GradSumsReLU,
// dx[i] = a·dt + b·x[i] + c and, when dres is not nil, dres[i] = dt (the gradient of a
// residual added before the ReLU). dx and dres may be dy; they must not be each other.
func GradReLU(dx, dres, dy, y, x []float32, a, b, c float32) {
	n := len(dx)
	checkLen("GradReLU", n, len(dy), len(y), len(x))
	if dres != nil {
		checkLen("GradReLU", n, len(dres))
		dres = dres[:n]
	}
	cur.bnGradReLU(dx, dres, dy[:n], y[:n], x[:n], a, b, c)
}

// checkLen panics, naming the kernel, when a slice is shorter than want.
func checkLen(op string, want int, lens ...int) {
	for _, l := range lens {
		if l < want {
			panic(fmt.Sprintf("bn.%s: slice of length %d, need %d", op, l, want))
		}
	}
}
