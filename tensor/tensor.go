// Package tensor is fastgo's dense float32 N-dimensional array: a shape and a contiguous,
// row-major (C-order) slice of float32 that every other package computes on.
//
// A Tensor is always contiguous. Views share storage and are made only where no copy is
// needed: Reshape (any shape with the same element count) and Slice (a range of the
// first dimension). Operations that would need strides, such as Permute, return a new
// tensor.
//
// Error rule: a shape mismatch in an operation is a programming error and panics with a
// message that names the operation and every shape involved, for example
// "tensor.Add: shapes [2 3] and [3 2] differ". Functions that read outside data (.npy
// files) return errors naming the file and the field instead.
package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Tensor is a dense float32 array of a given shape, stored row-major.
type Tensor struct {
	shape []int
	data  []float32
}

// numel returns the product of shape, panicking on a negative dimension.
func numel(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor.%s: negative dimension in shape %v", op, shape))
		}
		n *= d
	}
	return n
}

// New returns a zero-filled tensor of the given shape.
func New(shape ...int) *Tensor {
	n := numel("New", shape)
	return &Tensor{shape: append([]int(nil), shape...), data: make([]float32, n)}
}

// FromData wraps data (not copied) as a tensor of the given shape; len(data) must equal
// the shape's element count.
func FromData(data []float32, shape ...int) *Tensor {
	n := numel("FromData", shape)
	if len(data) != n {
		panic(fmt.Sprintf("tensor.FromData: %d elements for shape %v (needs %d)", len(data), shape, n))
	}
	return &Tensor{shape: append([]int(nil), shape...), data: data}
}

// Full returns a tensor of the given shape with every element v.
func Full(v float32, shape ...int) *Tensor {
	t := New(shape...)
	t.Fill(v)
	return t
}

// RandN returns a tensor of independent N(0, std²) samples drawn from rng.
func RandN(rng *rand.Rand, std float32, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.data {
		t.data[i] = float32(rng.NormFloat64()) * std
	}
	return t
}

// RandU returns a tensor of independent U(lo, hi) samples drawn from rng.
func RandU(rng *rand.Rand, lo, hi float32, shape ...int) *Tensor {
	t := New(shape...)
	for i := range t.data {
		t.data[i] = lo + (hi-lo)*rng.Float32()
	}
	return t
}

// Shape returns the tensor's shape. The caller must not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Dims returns the number of dimensions.
func (t *Tensor) Dims() int { return len(t.shape) }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	if i < 0 || i >= len(t.shape) {
		panic(fmt.Sprintf("tensor.Dim: dimension %d out of range for shape %v", i, t.shape))
	}
	return t.shape[i]
}

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Data returns the underlying storage (shared, not copied), row-major.
func (t *Tensor) Data() []float32 { return t.data }

// Reshape returns a view with a new shape of the same element count; one dimension may
// be -1 and is then inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	s := append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor.Reshape: bad shape %v for %v", shape, t.shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			panic(fmt.Sprintf("tensor.Reshape: cannot infer shape %v from %v", shape, t.shape))
		}
		s[infer] = len(t.data) / known
		known *= s[infer]
	}
	if known != len(t.data) {
		panic(fmt.Sprintf("tensor.Reshape: shape %v has %d elements, %v has %d", shape, known, t.shape, len(t.data)))
	}
	return &Tensor{shape: s, data: t.data}
}

// Slice returns a view of rows [lo, hi) of the first dimension.
func (t *Tensor) Slice(lo, hi int) *Tensor {
	if len(t.shape) == 0 || lo < 0 || hi < lo || hi > t.shape[0] {
		panic(fmt.Sprintf("tensor.Slice: [%d:%d] out of range for shape %v", lo, hi, t.shape))
	}
	row := 1
	for _, d := range t.shape[1:] {
		row *= d
	}
	s := append([]int{hi - lo}, t.shape[1:]...)
	return &Tensor{shape: s, data: t.data[lo*row : hi*row : hi*row]}
}

// Clone returns a copy with its own storage.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{shape: append([]int(nil), t.shape...), data: append([]float32(nil), t.data...)}
}

// CopyFrom copies src's elements into t; the shapes must be equal.
func (t *Tensor) CopyFrom(src *Tensor) {
	MustSameShape("CopyFrom", t, src)
	copy(t.data, src.data)
}

// Fill sets every element to v.
func (t *Tensor) Fill(v float32) {
	if v == 0 {
		clear(t.data)
		return
	}
	for i := range t.data {
		t.data[i] = v
	}
}

// Zero sets every element to 0.
func (t *Tensor) Zero() { clear(t.data) }

// offset returns the flat index of a multi-index.
func (t *Tensor) offset(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor.%s: %d indices for shape %v", op, len(idx), t.shape))
	}
	off := 0
	for i, v := range idx {
		if v < 0 || v >= t.shape[i] {
			panic(fmt.Sprintf("tensor.%s: index %v out of range for shape %v", op, idx, t.shape))
		}
		off = off*t.shape[i] + v
	}
	return off
}

// At returns the element at the multi-index idx.
func (t *Tensor) At(idx ...int) float32 { return t.data[t.offset("At", idx)] }

// Set stores v at the multi-index idx.
func (t *Tensor) Set(v float32, idx ...int) { t.data[t.offset("Set", idx)] = v }

// SameShape reports whether a and b have equal shapes.
func SameShape(a, b *Tensor) bool { return ShapeEqual(a.shape, b.shape) }

// ShapeEqual reports whether two shapes are equal.
func ShapeEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// MustSameShape panics, naming op and the shapes, unless all tensors share one shape.
func MustSameShape(op string, ts ...*Tensor) {
	for _, x := range ts[1:] {
		if !SameShape(ts[0], x) {
			shapes := make([]string, len(ts))
			for i, y := range ts {
				shapes[i] = fmt.Sprint(y.shape)
			}
			panic(fmt.Sprintf("tensor.%s: shapes %s differ", op, strings.Join(shapes, " and ")))
		}
	}
}

// String prints the shape and the first elements.
func (t *Tensor) String() string {
	n := min(len(t.data), 8)
	s := fmt.Sprintf("Tensor%v%v", t.shape, t.data[:n])
	if n < len(t.data) {
		s = s[:len(s)-1] + " …]"
	}
	return s
}

// AllFinite reports whether no element is NaN or ±Inf.
func (t *Tensor) AllFinite() bool {
	for _, v := range t.data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
