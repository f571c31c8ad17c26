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

// Conv2dFusedWinograd is Conv2dFused with the folded weights given as Winograd filters
// prepared once (functional.NewWinogradFilters), which must be Usable for x: the
// repeated inference passes of a layer skip transforming and packing its filters.
func Conv2dFusedWinograd(x *Var, f *functional.WinogradFilters, b *tensor.Tensor, res *Var, relu bool) *Var {
	g := graphOf("Conv2dFusedWinograd", x, res)
	if g.Recording() {
		panic("autograd.Conv2dFusedWinograd: records no backward; use it in a NoGrad graph")
	}
	shape, err := functional.Conv2dOutputShape(x.Value.Shape(), f.Shape(), f.Params())
	if err != nil {
		panic(fmt.Sprintf("autograd.Conv2dFusedWinograd: %v", err))
	}
	y := g.Alloc(shape...)
	if g.Profile != nil {
		g.Profile.FLOPs += 2 * int64(y.Len()) * int64(f.Shape()[1]*9)
	}
	functional.Conv2dForwardWinograd(y, x.Value, f, b, valueOrNil(res), relu)
	return g.newVar("Conv2dFused", y, []*Var{x, res}, nil)
}

// Conv2dFusedMaxPool is Conv2dFused with relu and no residual followed by the max pool
// pp — ResNet's stem in inference — computed a few images at a time so that the
// convolution's output never exists whole (functional.Conv2dForwardFusedMaxPool). It
// records no backward (NoGrad graphs only).
func Conv2dFusedMaxPool(x *Var, w, b *tensor.Tensor, relu bool, p functional.Conv2dParams, pp functional.Pool2dParams) *Var {
	g := graphOf("Conv2dFusedMaxPool", x)
	if g.Recording() {
		panic("autograd.Conv2dFusedMaxPool: records no backward; use it in a NoGrad graph")
	}
	cs, err := functional.Conv2dOutputShape(x.Value.Shape(), w.Shape(), p)
	if err != nil {
		panic(fmt.Sprintf("autograd.Conv2dFusedMaxPool: %v", err))
	}
	shape, err := functional.MaxPool2dOutputShape(cs, pp)
	if err != nil {
		panic(fmt.Sprintf("autograd.Conv2dFusedMaxPool: %v", err))
	}
	y := g.Alloc(shape...)
	if g.Profile != nil {
		ws := w.Shape()
		g.Profile.FLOPs += 2 * int64(cs[0]*cs[1]*cs[2]*cs[3]) * int64(ws[1]*ws[2]*ws[3])
	}
	functional.Conv2dForwardFusedMaxPool(y, x.Value, w, b, relu, p, pp)
	return g.newVar("Conv2dFusedMaxPool", y, []*Var{x}, nil)
}
