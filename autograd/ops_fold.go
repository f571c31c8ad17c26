package autograd

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// Conv2dFused is the inference form of conv → batch norm (folded into w and b, see
// functional.FoldBatchNorm) → (+ res) → ReLU: relu(conv2d(x, w) + b + res) computed in
// one pass over the output (res may be nil; relu false skips the ReLU). It records no
// backward, so it is for graphs that record nothing (NoGrad); a recording graph panics.
func Conv2dFused(x *Var, w, b *tensor.Tensor, res *Var, relu bool, p functional.Conv2dParams) *Var {
	g := graphOf("Conv2dFused", x, res)
	if g.Recording() {
		panic("autograd.Conv2dFused: records no backward; use it in a NoGrad graph")
	}
	shape, err := functional.Conv2dOutputShape(x.Value.Shape(), w.Shape(), p)
	if err != nil {
		panic(fmt.Sprintf("autograd.Conv2dFused: %v", err))
	}
	y := g.Alloc(shape...)
	if g.Profile != nil {
		ws := w.Shape()
		g.Profile.FLOPs += 2 * int64(y.Len()) * int64(ws[1]*ws[2]*ws[3])
	}
	functional.Conv2dForwardFused(y, x.Value, w, b, valueOrNil(res), relu, p)
	return g.newVar("Conv2dFused", y, []*Var{x, res}, nil)
}
