//go:build amd64 && !purego

package vec

import "github.com/fastgo/fastgo/asm/cpu"

// The AVX2 vector kernels (vec_avx2_amd64.s). Each stub's doc comment is the Go loop
// it computes; len(x) (or len(dst)) must be a multiple of 8 and the other slices at
// least as long. The *Go wrappers below split a slice into that part and a short tail
// for the generic twin.

// axpyAVX2 computes, with one FMA per element:
//
//	for i := range x {
//		y[i] += alpha * x[i]
//	}
//
//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

// scaleAVX2 computes:
//
//	for i := range x {
//		x[i] *= alpha
//	}
//
//go:noescape
func scaleAVX2(alpha float32, x []float32)

// addAVX2 computes:
//
//	for i := range dst {
//		dst[i] = a[i] + b[i]
//	}
//
//go:noescape
func addAVX2(dst, a, b []float32)

// mulAVX2 computes:
//
//	for i := range dst {
//		dst[i] = a[i] * b[i]
//	}
//
//go:noescape
func mulAVX2(dst, a, b []float32)

// reluAVX2 computes:
//
//	for i := range dst {
//		if src[i] > 0 {
//			dst[i] = src[i]
//		} else {
//			dst[i] = 0 // also for NaN and -0
//		}
//	}
//
//go:noescape
func reluAVX2(dst, src []float32)

// reluBackwardAVX2 computes:
//
//	for i := range dst {
//		if y[i] > 0 {
//			dst[i] = dy[i]
//		} else {
//			dst[i] = 0
//		}
//	}
//
//go:noescape
func reluBackwardAVX2(dst, dy, y []float32)

// sumAVX2 returns, summing in 32 interleaved partial sums:
//
//	var s float32
//	for _, v := range x {
//		s += v
//	}
//	return s
//
//go:noescape
func sumAVX2(x []float32) float32

// dotAVX2 returns, with FMAs into 32 interleaved partial sums:
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
//go:noescape
func dotAVX2(x, y []float32) float32

// maxAVX2 returns -Inf for an empty x, NaN if x holds a NaN, else:
//
//	m := x[0]
//	for _, v := range x {
//		if v > m {
//			m = v
//		}
//	}
//	return m
//
//go:noescape
func maxAVX2(x []float32) float32

// avx2Vec is the AVX2 path's vector-kernel set.
var avx2Vec = &kernelSet{
	deinterleave: deinterleave2Generic, // no AVX2 kernel: the Go loop
	axpy: func(alpha float32, x, y []float32) {
		n := len(x) &^ 7
		axpyAVX2(alpha, x[:n], y[:n])
		axpyGeneric(alpha, x[n:], y[n:len(x)])
	},
	scale: func(alpha float32, x []float32) {
		n := len(x) &^ 7
		scaleAVX2(alpha, x[:n])
		scaleGeneric(alpha, x[n:])
	},
	add: func(dst, a, b []float32) {
		n := len(dst) &^ 7
		addAVX2(dst[:n], a[:n], b[:n])
		addGeneric(dst[n:], a[n:], b[n:])
	},
	mul: func(dst, a, b []float32) {
		n := len(dst) &^ 7
		mulAVX2(dst[:n], a[:n], b[:n])
		mulGeneric(dst[n:], a[n:], b[n:])
	},
	relu: func(dst, src []float32) {
		n := len(dst) &^ 7
		reluAVX2(dst[:n], src[:n])
		reluGeneric(dst[n:], src[n:])
	},
	reluBackward: func(dst, dy, y []float32) {
		n := len(dst) &^ 7
		reluBackwardAVX2(dst[:n], dy[:n], y[:n])
		reluBackwardGeneric(dst[n:], dy[n:], y[n:])
	},
	sum: func(x []float32) float32 {
		n := len(x) &^ 7
		return sumAVX2(x[:n]) + sumGeneric(x[n:])
	},
	dot: func(x, y []float32) float32 {
		n := len(x) &^ 7
		return dotAVX2(x[:n], y[:n]) + dotGeneric(x[n:], y[n:len(x)])
	},
	max: func(x []float32) float32 {
		n := len(x) &^ 7
		return max2(maxAVX2(x[:n]), maxGeneric(x[n:]))
	},
}

var (
	_ = register(cpu.AVX2, avx2Vec)
	_ = register(cpu.AVX512, avx512Vec)
)
