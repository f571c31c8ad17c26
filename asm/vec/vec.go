// Package vec is fastgo's element-wise and reduction kernels on float32 slices: Axpy,
// Scale, Add, Mul, Relu, ReluBackward, Deinterleave2, Sum, Max and Dot, as Go assembly for each
// instruction set (AVX-512 and AVX2+FMA on amd64, NEON on arm64; vec_*.s) beside
// pure-Go twins (vec_generic.go) that are both the reference and the fallback. Each
// assembly kernel handles the part of a slice that is a multiple of its vector width
// and the generic twin the short tail.
//
// The path follows asm/cpu's active instruction set (start-up detection, or
// FASTGO_SIMD=generic|avx2|avx512|neon), re-chosen whenever cpu.Use switches it
// (dispatch.go); the build tag purego leaves only the generic path. A slice shorter
// than its operation needs is a programming error and panics with a message that
// starts with "vec." and names the lengths.
package vec

import "fmt"

// checkLen panics, naming op, when one of lens is shorter than want.
func checkLen(op string, want int, lens ...int) {
	for _, l := range lens {
		if l < want {
			panic(fmt.Sprintf("vec.%s: slice of length %d, need %d", op, l, want))
		}
	}
}

// Axpy computes y[i] += alpha*x[i] for i < len(x). y must be at least as long as x.
func Axpy(alpha float32, x, y []float32) {
	checkLen("Axpy", len(x), len(y))
	cur.axpy(alpha, x, y[:len(x)])
}

// Scale computes x[i] *= alpha.
func Scale(alpha float32, x []float32) { cur.scale(alpha, x) }

// Add computes dst[i] = a[i] + b[i] for i < len(dst).
func Add(dst, a, b []float32) {
	checkLen("Add", len(dst), len(a), len(b))
	cur.add(dst, a[:len(dst)], b[:len(dst)])
}

// Mul computes dst[i] = a[i] * b[i] for i < len(dst).
func Mul(dst, a, b []float32) {
	checkLen("Mul", len(dst), len(a), len(b))
	cur.mul(dst, a[:len(dst)], b[:len(dst)])
}

// Relu computes dst[i] = max(src[i], 0) for i < len(dst); dst may be src.
func Relu(dst, src []float32) {
	checkLen("Relu", len(dst), len(src))
	cur.relu(dst, src[:len(dst)])
}

// ReluBackward computes dst[i] = dy[i] if y[i] > 0, else 0, for i < len(dst), where y is
// the ReLU's output; dst may be dy.
func ReluBackward(dst, dy, y []float32) {
	checkLen("ReluBackward", len(dst), len(dy), len(y))
	cur.reluBackward(dst, dy[:len(dst)], y[:len(dst)])
}

// Deinterleave2 sets even[i] = src[2i] and odd[i] = src[2i+1] for i < len(even): the
// two column phases of an image row for a stride-2 convolution. odd must be as long
// as even and src twice as long.
func Deinterleave2(even, odd, src []float32) {
	checkLen("Deinterleave2", len(even), len(odd))
	checkLen("Deinterleave2", 2*len(even), len(src))
	cur.deinterleave(even, odd[:len(even)], src[:2*len(even)])
}

// Sum returns the sum of x.
func Sum(x []float32) float32 { return cur.sum(x) }

// Max returns the largest element of x (NaN if any element is NaN); -Inf for an empty x.
func Max(x []float32) float32 { return cur.max(x) }

// Dot returns the sum of x[i]*y[i] for i < len(x).
func Dot(x, y []float32) float32 {
	checkLen("Dot", len(x), len(y))
	return cur.dot(x, y[:len(x)])
}
