package asm

import "fmt"

func checkLen(op string, want int, lens ...int) {
	for _, l := range lens {
		if l < want {
			panic(fmt.Sprintf("asm.%s: slice of length %d, need %d", op, l, want))
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

// Sum returns the sum of x.
func Sum(x []float32) float32 { return cur.sum(x) }

// Max returns the largest element of x (NaN if any element is NaN); -Inf for an empty x.
func Max(x []float32) float32 { return cur.max(x) }

// Dot returns the sum of x[i]*y[i] for i < len(x).
func Dot(x, y []float32) float32 {
	checkLen("Dot", len(x), len(y))
	return cur.dot(x, y[:len(x)])
}
