package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// GradOut says where a backward function puts one gradient. T receives it; a nil T
// means the gradient is not wanted and is not computed (a frozen weight, the stem's
// input). With Accumulate the gradient is added to T's contents (T += g); without it T
// is overwritten (T = g) and its previous contents are never read, so T need not be
// zeroed first. The zero GradOut skips the gradient.
type GradOut struct {
	T          *tensor.Tensor
	Accumulate bool
}

// Overwrite returns a GradOut that stores the gradient in t (t = g).
func Overwrite(t *tensor.Tensor) GradOut { return GradOut{T: t} }

// Accumulate returns a GradOut that adds the gradient to t (t += g).
func Accumulate(t *tensor.Tensor) GradOut { return GradOut{T: t, Accumulate: true} }

// wanted reports whether the gradient is to be computed.
func (g GradOut) wanted() bool { return g.T != nil }

// beta is the GEMM beta that implements the output mode: 1 adds, 0 overwrites.
func (g GradOut) beta() float32 {
	if g.Accumulate {
		return 1
	}
	return 0
}

// AccumulateGrad stores src into dst according to dst's mode: dst = src or dst += src.
// It is the backward of an identity edge, for example each input of an element-wise
// addition (residual connection). The shapes must be equal.
func AccumulateGrad(dst GradOut, src *tensor.Tensor) {
	if !dst.wanted() {
		return
	}
	tensor.MustSameShape("functional.AccumulateGrad", dst.T, src)
	if dst.Accumulate {
		vec.Axpy(1, src.Data(), dst.T.Data())
	} else {
		copy(dst.T.Data(), src.Data())
	}
}

// mustShape panics, naming op and arg, unless t has exactly the shape want.
func mustShape(op, arg string, t *tensor.Tensor, want ...int) {
	if t == nil {
		panic(fmt.Sprintf("functional.%s: %s is nil, want shape %v", op, arg, want))
	}
	if !tensor.ShapeEqual(t.Shape(), want) {
		panic(fmt.Sprintf("functional.%s: %s has shape %v, want %v", op, arg, t.Shape(), want))
	}
}

// mustDims panics, naming op and arg, unless t has n dimensions.
func mustDims(op, arg string, t *tensor.Tensor, n int) {
	if t == nil {
		panic(fmt.Sprintf("functional.%s: %s is nil", op, arg))
	}
	if t.Dims() != n {
		panic(fmt.Sprintf("functional.%s: %s has shape %v, want %d dimensions", op, arg, t.Shape(), n))
	}
}
