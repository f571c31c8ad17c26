//go:build arm64 && !purego

package vec

import "github.com/fastgo/fastgo/asm/cpu"

// The NEON vector kernels (vec_neon_arm64.s). Each stub's doc comment is the Go loop
// it computes; len(x) (or len(dst)) must be a multiple of 4 and the other slices at
// least as long. The wrappers in neonVec split a slice into that part and a short tail
// for the generic twin.

// axpyNEON computes, with one FMA per element:
//
//	for i := range x {
//		y[i] += alpha * x[i]
//	}
//
//go:noescape
func axpyNEON(alpha float32, x, y []float32)

// scaleNEON computes:
//
//	for i := range x {
//		x[i] *= alpha
//	}
//
//go:noescape
func scaleNEON(alpha float32, x []float32)

// addNEON computes:
//
//	for i := range dst {
//		dst[i] = a[i] + b[i]
//	}
//
//go:noescape
func addNEON(dst, a, b []float32)

// mulNEON computes:
//
//	for i := range dst {
//		dst[i] = a[i] * b[i]
//	}
//
//go:noescape
func mulNEON(dst, a, b []float32)

// reluNEON computes:
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
func reluNEON(dst, src []float32)

// reluBackwardNEON computes:
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
func reluBackwardNEON(dst, dy, y []float32)

// sumNEON returns, summing in 16 interleaved partial sums:
//
//	var s float32
//	for _, v := range x {
//		s += v
//	}
//	return s
//
//go:noescape
func sumNEON(x []float32) float32

// dotNEON returns, with FMAs into 16 interleaved partial sums:
//
//	var s float32
//	for i := range x {
//		s += x[i] * y[i]
//	}
//	return s
//
//go:noescape
func dotNEON(x, y []float32) float32

// maxNEON returns -Inf for an empty x, NaN if x holds a NaN, else:
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
func maxNEON(x []float32) float32

// neonVec is the NEON vector-kernel set.
var neonVec = &kernelSet{
	deinterleave: deinterleave2Generic, // no NEON kernel: the Go loop
	axpy: func(alpha float32, x, y []float32) {
		n := len(x) &^ 3
		axpyNEON(alpha, x[:n], y[:n])
		axpyGeneric(alpha, x[n:], y[n:len(x)])
	},
	scale: func(alpha float32, x []float32) {
		n := len(x) &^ 3
		scaleNEON(alpha, x[:n])
		scaleGeneric(alpha, x[n:])
	},
	add: func(dst, a, b []float32) {
		n := len(dst) &^ 3
		addNEON(dst[:n], a[:n], b[:n])
		addGeneric(dst[n:], a[n:], b[n:])
	},
	mul: func(dst, a, b []float32) {
		n := len(dst) &^ 3
		mulNEON(dst[:n], a[:n], b[:n])
		mulGeneric(dst[n:], a[n:], b[n:])
	},
	relu: func(dst, src []float32) {
		n := len(dst) &^ 3
		reluNEON(dst[:n], src[:n])
		reluGeneric(dst[n:], src[n:])
	},
	reluBackward: func(dst, dy, y []float32) {
		n := len(dst) &^ 3
		reluBackwardNEON(dst[:n], dy[:n], y[:n])
		reluBackwardGeneric(dst[n:], dy[n:], y[n:])
	},
	sum: func(x []float32) float32 {
		n := len(x) &^ 3
		return sumNEON(x[:n]) + sumGeneric(x[n:])
	},
	dot: func(x, y []float32) float32 {
		n := len(x) &^ 3
		return dotNEON(x[:n], y[:n]) + dotGeneric(x[n:], y[n:len(x)])
	},
	max: func(x []float32) float32 {
		n := len(x) &^ 3
		return max2(maxNEON(x[:n]), maxGeneric(x[n:]))
	},
}

var _ = register(cpu.NEON, neonVec)
