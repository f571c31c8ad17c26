//go:build arm64 && !purego

package bn

import "github.com/fastgo/fastgo/asm/cpu"

var _ = register(cpu.NEON, asmLayer(4, bnNEON))

// The NEON batch-norm kernels (bn_neon_arm64.s). Each stub's doc comment is the Go
// loop it computes; len(x) (or len(dy), len(dst), len(dx)) must be a multiple of 4 and
// the other slices at least as long. layerKernels.withBN splits calls into that part
// and a short tail for the generic twins.

// bnStatsNEON returns, in 16 interleaved partial sums of each:
//
//	for _, v := range x {
//		d := v - shift
//		s1 += d
//		s2 += d * d // fused
//	}
//	return s1, s2
//
//go:noescape
func bnStatsNEON(x []float32, shift float32) (s1, s2 float32)

// bnApplyNEON computes:
//
//	for i := range dst {
//		dst[i] = a*x[i] + b // fused
//	}
//
//go:noescape
func bnApplyNEON(dst, x []float32, a, b float32)

// bnApplyReLUNEON computes:
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
func bnApplyReLUNEON(dst, x []float32, a, b float32)

// bnApplyAddReLUNEON computes:
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
func bnApplyAddReLUNEON(dst, x, res []float32, a, b float32)

// bnGradSumsNEON returns, in 16 interleaved partial sums of each:
//
//	for i := range dy {
//		sdy += dy[i]
//		sdyx += dy[i] * (x[i] - mean) // fused
//	}
//	return sdy, sdyx
//
//go:noescape
func bnGradSumsNEON(dy, x []float32, mean float32) (sdy, sdyx float32)

// bnGradSumsReLUNEON returns, in 16 interleaved partial sums of each:
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
func bnGradSumsReLUNEON(dy, y, x []float32, mean float32) (sdy, sdyx float32)

// bnGradNEON computes:
//
//	for i := range dx {
//		dx[i] = a*dy[i] + (b*x[i] + c) // both fused
//	}
//
//go:noescape
func bnGradNEON(dx, dy, x []float32, a, b, c float32)

// bnGradReLUNEON computes:
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
func bnGradReLUNEON(dx, dy, y, x []float32, a, b, c float32)

// bnGradReLUResNEON computes:
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
func bnGradReLUResNEON(dx, dres, dy, y, x []float32, a, b, c float32)

// bnNEON is the NEON path's batch-norm kernels.
var bnNEON = bnStubs{
	stats:        bnStatsNEON,
	apply:        bnApplyNEON,
	applyReLU:    bnApplyReLUNEON,
	applyAddReLU: bnApplyAddReLUNEON,
	gradSums:     bnGradSumsNEON,
	gradSumsReLU: bnGradSumsReLUNEON,
	grad:         bnGradNEON,
	gradReLU:     bnGradReLUNEON,
	gradReLURes:  bnGradReLUResNEON,
}
