//go:build amd64 && !purego

package bn

import "github.com/fastgo/fastgo/asm/cpu"

var _ = register(cpu.AVX512, asmLayer(16, bnAVX512))

// The AVX-512 batch-norm kernels (bn_avx512_amd64.s). Each stub's doc comment is the Go
// loop it computes; len(x) (or len(dy), len(dst), len(dx)) must be a multiple of 16 and
// the other slices at least as long. layerKernels.withBN splits calls into that part
// and a short tail for the generic twins.

// bnStatsAVX512 returns, in 64 interleaved partial sums of each:
//
//	for _, v := range x {
//		d := v - shift
//		s1 += d
//		s2 += d * d // fused
//	}
//	return s1, s2
//
//go:noescape
func bnStatsAVX512(x []float32, shift float32) (s1, s2 float32)

// bnApplyAVX512 computes:
//
//	for i := range dst {
//		dst[i] = a*x[i] + b // fused
//	}
//
//go:noescape
func bnApplyAVX512(dst, x []float32, a, b float32)

// bnApplyReLUAVX512 computes:
//
//	for i := range dst {
//		v := a*x[i] + b // fused
//		if v <= 0 {
//			v = 0 // NaN stays NaN
//		}
//		dst[i] = v
//	}
//
//go:noescape
func bnApplyReLUAVX512(dst, x []float32, a, b float32)

// bnApplyAddReLUAVX512 computes:
//
//	for i := range dst {
//		v := a*x[i] + b + res[i] // the multiply-add fused
//		if v <= 0 {
//			v = 0 // NaN stays NaN
//		}
//		dst[i] = v
//	}
//
//go:noescape
func bnApplyAddReLUAVX512(dst, x, res []float32, a, b float32)

// bnGradSumsAVX512 returns, in 64 interleaved partial sums of each:
//
//	for i := range dy {
//		sdy += dy[i]
//		sdyx += dy[i] * (x[i] - mean) // fused
//	}
//	return sdy, sdyx
//
//go:noescape
func bnGradSumsAVX512(dy, x []float32, mean float32) (sdy, sdyx float32)

// bnGradSumsReLUAVX512 returns, in 64 interleaved partial sums of each:
//
//	for i := range dy {
//		t := dy[i]
//		if y[i] <= 0 {
//			t = 0 // a NaN y passes dy
//		}
//		sdy += t
//		sdyx += t * (x[i] - mean) // fused
//	}
//	return sdy, sdyx
//
//go:noescape
func bnGradSumsReLUAVX512(dy, y, x []float32, mean float32) (sdy, sdyx float32)

// bnGradAVX512 computes:
//
//	for i := range dx {
//		dx[i] = a*dy[i] + (b*x[i] + c) // both fused
//	}
//
//go:noescape
func bnGradAVX512(dx, dy, x []float32, a, b, c float32)

// bnGradReLUAVX512 computes:
//
//	for i := range dx {
//		t := dy[i]
//		if y[i] <= 0 {
//			t = 0 // a NaN y passes dy
//		}
//		dx[i] = a*t + (b*x[i] + c) // both fused
//	}
//
//go:noescape
func bnGradReLUAVX512(dx, dy, y, x []float32, a, b, c float32)

// bnGradReLUResAVX512 computes:
//
//	for i := range dx {
//		t := dy[i]
//		if y[i] <= 0 {
//			t = 0 // a NaN y passes dy
//		}
//		dres[i] = t
//		dx[i] = a*t + (b*x[i] + c) // both fused
//	}
//
//go:noescape
func bnGradReLUResAVX512(dx, dres, dy, y, x []float32, a, b, c float32)

// bnAVX512 is the AVX-512 path's batch-norm kernels.
var bnAVX512 = bnStubs{
	stats:        bnStatsAVX512,
	apply:        bnApplyAVX512,
	applyReLU:    bnApplyReLUAVX512,
	applyAddReLU: bnApplyAddReLUAVX512,
	gradSums:     bnGradSumsAVX512,
	gradSumsReLU: bnGradSumsReLUAVX512,
	grad:         bnGradAVX512,
	gradReLU:     bnGradReLUAVX512,
	gradReLURes:  bnGradReLUResAVX512,
}
