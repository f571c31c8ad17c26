//go:build amd64 && !purego

package bn

import "github.com/fastgo/fastgo/asm/cpu"

// The AVX-512 kernels on stored (bf16) operands (the end of bn_avx512_amd64.s): the
// float32 kernels' loops (bn_avx512_amd64.go gives them) with x[i] = widen(xs[i]) +
// centre and y[i] = widen(ys[i]) loaded in place of x and y. len(dy) (or len(dx))
// must be a multiple of 16; bf16AVX512 runs the rest in the generic twins, as
// layerKernels.withBN does for the float32 kernels, so the results are those of the
// float32 path on the widened operands, bit for bit.

//go:noescape
func bnGradSumsBF16AVX512(dy []float32, xs []uint16, centre, mean float32) (sdy, sdyx float32)

//go:noescape
func bnGradSumsReLUBF16AVX512(dy []float32, ys, xs []uint16, centre, mean float32) (sdy, sdyx float32)

//go:noescape
func bnGradBF16AVX512(dx, dy []float32, xs []uint16, centre, a, b, c float32)

//go:noescape
func bnGradReLUBF16AVX512(dx, dy []float32, ys, xs []uint16, centre, a, b, c float32)

//go:noescape
func bnGradReLUResBF16AVX512(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32)

var _ = func() bool { bf16ByISA[cpu.AVX512] = bf16AVX512; return true }()

// bf16AVX512 runs the first n &^ 15 elements in assembly and the tail, widened into
// small arrays, in the generic twins (the float32 AVX-512 path's split).
var bf16AVX512 = &bf16Kernels{
	gradSums: func(dy []float32, xs []uint16, centre, mean float32) (float32, float32) {
		n := len(dy) &^ 15
		a1, a2 := bnGradSumsBF16AVX512(dy[:n], xs[:n], centre, mean)
		var x [16]float32
		t := len(dy) - n
		widenCentred(x[:t], xs[n:], centre)
		b1, b2 := bnGradSumsGeneric(dy[n:], x[:t], mean)
		return a1 + b1, a2 + b2
	},
	gradSumsReLU: func(dy []float32, ys, xs []uint16, centre, mean float32) (float32, float32) {
		n := len(dy) &^ 15
		a1, a2 := bnGradSumsReLUBF16AVX512(dy[:n], ys[:n], xs[:n], centre, mean)
		var x, y [16]float32
		t := len(dy) - n
		widenCentred(x[:t], xs[n:], centre)
		widen(y[:t], ys[n:])
		b1, b2 := bnGradSumsReLUGeneric(dy[n:], y[:t], x[:t], mean)
		return a1 + b1, a2 + b2
	},
	grad: func(dx, dy []float32, xs []uint16, centre, a, b, c float32) {
		n := len(dx) &^ 15
		bnGradBF16AVX512(dx[:n], dy[:n], xs[:n], centre, a, b, c)
		var x [16]float32
		t := len(dx) - n
		widenCentred(x[:t], xs[n:], centre)
		bnGradGeneric(dx[n:], dy[n:], x[:t], a, b, c)
	},
	gradReLU: func(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32) {
		n := len(dx) &^ 15
		var x, y [16]float32
		t := len(dx) - n
		widenCentred(x[:t], xs[n:], centre)
		widen(y[:t], ys[n:])
		if dres == nil {
			bnGradReLUBF16AVX512(dx[:n], dy[:n], ys[:n], xs[:n], centre, a, b, c)
			bnGradReLUGeneric(dx[n:], nil, dy[n:], y[:t], x[:t], a, b, c)
			return
		}
		bnGradReLUResBF16AVX512(dx[:n], dres[:n], dy[:n], ys[:n], xs[:n], centre, a, b, c)
		bnGradReLUGeneric(dx[n:], dres[n:], dy[n:], y[:t], x[:t], a, b, c)
	},
}
