package tensor

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
)

// Add stores a+b element-wise in dst; all three shapes must be equal. dst may alias a or b.
func Add(dst, a, b *Tensor) {
	MustSameShape("Add", dst, a, b)
	vec.Add(dst.data, a.data, b.data)
}

// Mul stores a*b element-wise in dst; all three shapes must be equal.
func Mul(dst, a, b *Tensor) {
	MustSameShape("Mul", dst, a, b)
	vec.Mul(dst.data, a.data, b.data)
}

// AddScaled computes dst += alpha*x element-wise; the shapes must be equal.
func AddScaled(dst *Tensor, alpha float32, x *Tensor) {
	MustSameShape("AddScaled", dst, x)
	vec.Axpy(alpha, x.data, dst.data)
}

// Scale multiplies every element of t by alpha in place.
func (t *Tensor) Scale(alpha float32) { vec.Scale(alpha, t.data) }

// Relu stores max(src, 0) in dst; dst may be src.
func Relu(dst, src *Tensor) {
	MustSameShape("Relu", dst, src)
	vec.Relu(dst.data, src.data)
}

// Sum returns the sum of all elements.
func (t *Tensor) Sum() float32 { return vec.Sum(t.data) }

// Mean returns the mean of all elements (NaN for an empty tensor).
func (t *Tensor) Mean() float32 { return vec.Sum(t.data) / float32(len(t.data)) }

// Max returns the largest element.
func (t *Tensor) Max() float32 { return vec.Max(t.data) }

// MatMul returns a·b for 2-D tensors a (m×k) and b (k×n).
func MatMul(a, b *Tensor) *Tensor {
	if a.Dims() != 2 || b.Dims() != 2 || a.shape[1] != b.shape[0] {
		panic(fmt.Sprintf("tensor.MatMul: shapes %v and %v do not multiply", a.shape, b.shape))
	}
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	c := New(m, n)
	gemm.Sgemm(false, false, m, n, k, 1, a.data, max(k, 1), b.data, max(n, 1), 0, c.data, max(n, 1))
	return c
}

// Permute returns a copy of t with its dimensions reordered: output dimension i is input
// dimension perm[i].
func Permute(t *Tensor, perm ...int) *Tensor {
	nd := len(t.shape)
	if len(perm) != nd {
		panic(fmt.Sprintf("tensor.Permute: permutation %v for shape %v", perm, t.shape))
	}
	seen := make([]bool, nd)
	outShape := make([]int, nd)
	for i, p := range perm {
		if p < 0 || p >= nd || seen[p] {
			panic(fmt.Sprintf("tensor.Permute: permutation %v for shape %v", perm, t.shape))
		}
		seen[p] = true
		outShape[i] = t.shape[p]
	}
	inStride := make([]int, nd)
	s := 1
	for i := nd - 1; i >= 0; i-- {
		inStride[i] = s
		s *= t.shape[i]
	}
	out := New(outShape...)
	if len(out.data) == 0 {
		return out
	}
	// Walk the output in order, keeping the input offset incrementally.
	idx := make([]int, nd)
	off := 0
	for o := range out.data {
		out.data[o] = t.data[off]
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			off += inStride[perm[d]]
			if idx[d] < outShape[d] {
				break
			}
			off -= inStride[perm[d]] * outShape[d]
			idx[d] = 0
		}
	}
	return out
}

// MaxAbsDiff returns the largest |a[i]-b[i]|; the shapes must be equal.
func MaxAbsDiff(a, b *Tensor) float32 {
	MustSameShape("MaxAbsDiff", a, b)
	var m float32
	for i, v := range a.data {
		d := v - b.data[i]
		if d < 0 {
			d = -d
		}
		if d > m || d != d {
			m = d
		}
	}
	return m
}
