//go:build amd64 && !purego

package bn

import "github.com/fastgo/fastgo/asm/cpu"

var _ = register(cpu.AVX2, asmLayer(8, bnAVX2))

// The AVX2 batch-norm kernels (bn_avx2_amd64.s). Each stub's doc comment is the Go
// loop it computes; len(x) (or len(dy), len(dst), len(dx)) must be a multiple of 8 and
// the other slices at least as long. layerKernels.withBN splits calls into that part
// and a short tail for the generic twins.

// bnStatsAVX2 returns, in 32 interleaved partial sums of each:
//
//	for _, v := range x {
//		d := v - shift
//		s1 += d
//		s2 += d * d // fused
//	}
//	return s1, s2
//
//go:noescape
func bnStatsAVX2(x []float32, shift float32) (s1, s2 float32)

// bnApplyAVX2 computes:
//
//	for i := range dst {
//		dst[i] = a*x[i] + b // fused
//	}
//
//go:noescape
func bnApplyAVX2(dst, x []float32, a, b float32)

// bnApplyReLUAVX2 computes:
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
func bnApplyReLUAVX2(dst, x []float32, a, b float32)

// bnApplyAddReLUAVX2 computes:
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
func bnApplyAddReLUAVX2(dst, x, res []float32, a, b float32)

// bnGradSumsAVX2 returns, in 32 interleaved partial sums of each:
//
//	for i := range dy {
//		sdy += dy[i]
//		sdyx += dy[i] * (x[i] - mean) // fused
//	}
//	return sdy, sdyx
//
//go:noescape
func bnGradSumsAVX2(dy, x []float32, mean float32) (sdy, sdyx float32)

// bnGradSumsReLUAVX2 returns, in 32 interleaved partial sums of each:
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
func bnGradSumsReLUAVX2(dy, y, x []float32, mean float32) (sdy, sdyx float32)

// bnGradAVX2 computes:
//
//	for i := range dx {
//		dx[i] = a*dy[i] + (b*x[i] + c) // both fused
//	}
//
//go:noescape
func bnGradAVX2(dx, dy, x []float32, a, b, c float32)

// bnGradReLUAVX2 computes:
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
func bnGradReLUAVX2(dx, dy, y, x []float32, a, b, c float32)

// bnGradReLUResAVX2 computes:
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
func bnGradReLUResAVX2(dx, dres, dy, y, x []float32, a, b, c float32)

// bnAVX2 is the AVX2 path's batch-norm kernels.
var bnAVX2 = bnStubs{
	stats:        bnStatsAVX2,
	apply:        bnApplyAVX2,
	applyReLU:    bnApplyReLUAVX2,
	applyAddReLU: bnApplyAddReLUAVX2,
	gradSums:     bnGradSumsAVX2,
	gradSumsReLU: bnGradSumsReLUAVX2,
	grad:         bnGradAVX2,
	gradReLU:     bnGradReLUAVX2,
	gradReLURes:  bnGradReLUResAVX2,
}
