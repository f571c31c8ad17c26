package autograd

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// gradOut returns where v's gradient goes for a functional backward: nowhere when v is
// absent or needs none, else its buffer in overwrite or accumulate mode.
func gradOut(g *Graph, v *Var) functional.GradOut {
	if v == nil || !v.requiresGrad {
		return functional.GradOut{}
	}
	t, acc := g.gradFor(v)
	return functional.GradOut{T: t, Accumulate: acc}
}

// valueOrNil returns v's value, or nil for an absent Var.
func valueOrNil(v *Var) *tensor.Tensor {
	if v == nil {
		return nil
	}
	return v.Value
}

// Conv2d is a 2-D convolution of the channel-major input x [Cin, N, H, W] with weights
// w [Cout, Cin, KH, KW] (PyTorch's order) and an optional bias b [Cout] (nil for none),
// giving [Cout, N, Ho, Wo]. The backward computes only the gradients whose Vars require
// one: a frozen weight costs no weight-gradient GEMM, the stem's input no col2im.
func Conv2d(x, w, b *Var, p functional.Conv2dParams) *Var {
	g := graphOf("Conv2d", x, w, b)
	shape, err := functional.Conv2dOutputShape(x.Value.Shape(), w.Value.Shape(), p)
	if err != nil {
		panic(fmt.Sprintf("autograd.Conv2d: %v", err))
	}
	y := g.Alloc(shape...)
	if g.Profile != nil {
		ws := w.Value.Shape()
		g.Profile.FLOPs += 2 * int64(y.Len()) * int64(ws[1]*ws[2]*ws[3])
	}
	functional.Conv2dForward(y, x.Value, w.Value, valueOrNil(b), p)
	return g.newVar("Conv2d", y, []*Var{x, w, b}, func(out *Var) {
		if x.kept == nil {
			functional.Conv2dBackward(gradOut(g, x), gradOut(g, w), gradOut(g, b), out.Grad, x.Value, w.Value, p)
			return
		}
		// x is stored as bf16: the weight gradient reads it as such (bf16 Winograd
		// F(2×2)) or from a widened copy given back before x's gradient takes a buffer
		// of the same size.
		// (Without a weight gradient x's values are not read: only its shape.)
		dw, db := gradOut(g, w), gradOut(g, b)
		if dw.T != nil && functional.Conv2dReadsStoredInput(x.Shape(), w.Value.Shape(), p) {
			functional.Conv2dWeightGradStored(dw, db, out.Grad, x.kept.bits, x.Shape(), w.Value, p)
		} else if dw.T != nil || db.T != nil {
			xv, done := g.value(x, dw.T != nil)
			functional.Conv2dBackward(functional.GradOut{}, dw, db, out.Grad, xv, w.Value, p)
			done()
		}
		functional.Conv2dInputGrad(gradOut(g, x), out.Grad, w.Value, x.Shape(), p)
	}).keeping([]*Var{x}, nil).keepingSelf(false)
}
