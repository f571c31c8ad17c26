package autograd

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor/functional"
)

// MaxPool2d max-pools the channel-major x [C, N, H, W]. When a backward will need it,
// the forward keeps each window's winner (an int32 per output; finding the winners
// again in x costs about eight times more than scattering through them).
func MaxPool2d(x *Var, p functional.Pool2dParams) *Var {
	g := graphOf("MaxPool2d", x)
	shape, err := functional.MaxPool2dOutputShape(x.Value.Shape(), p)
	if err != nil {
		panic(fmt.Sprintf("autograd.MaxPool2d: %v", err))
	}
	y := g.Alloc(shape...)
	var idx []int32
	if g.Recording() && x.requiresGrad {
		idx = g.AllocInts(y.Len())
	}
	functional.MaxPool2d(y, idx, x.Value, p)
	return g.newVar("MaxPool2d", y, []*Var{x}, func(out *Var) {
		functional.MaxPool2dBackward(gradOut(g, x), out.Grad, idx)
	}).keeping(nil, []*Var{x}).keepingSelf(false)
}

// AdaptiveAvgPool2d averages x [C, N, H, W] over oh×ow bins, giving [C, N, oh, ow].
func AdaptiveAvgPool2d(x *Var, oh, ow int) *Var {
	g := graphOf("AdaptiveAvgPool2d", x)
	s := x.Value.Shape()
	y := g.Alloc(s[0], s[1], oh, ow)
	functional.AdaptiveAvgPool2d(y, x.Value)
	return g.newVar("AdaptiveAvgPool2d", y, []*Var{x}, func(out *Var) {
		functional.AdaptiveAvgPool2dBackward(gradOut(g, x), out.Grad)
	}).keeping(nil, []*Var{x}).keepingSelf(false)
}

// AdaptiveConcatPool2d is fastai's concat pooling of x [C, N, H, W] over oh×ow bins:
// [2C, N, oh, ow], the max pool in the first C channels and the average in the rest.
func AdaptiveConcatPool2d(x *Var, oh, ow int) *Var {
	g := graphOf("AdaptiveConcatPool2d", x)
	s := x.Value.Shape()
	y := g.Alloc(2*s[0], s[1], oh, ow)
	var idx []int32
	if g.Recording() && x.requiresGrad {
		idx = g.AllocInts(s[0] * s[1] * oh * ow)
	}
	functional.AdaptiveConcatPool2d(y, idx, x.Value)
	return g.newVar("AdaptiveConcatPool2d", y, []*Var{x}, func(out *Var) {
		functional.AdaptiveConcatPool2dBackward(gradOut(g, x), out.Grad, idx)
	})
}

// Flatten turns the channel-major x [C, N, H, W] into [N, C·H·W] in PyTorch's flatten
// order.
func Flatten(x *Var) *Var {
	g := graphOf("Flatten", x)
	shape, err := functional.FlattenShape(x.Value.Shape())
	if err != nil {
		panic(fmt.Sprintf("autograd.Flatten: %v", err))
	}
	y := g.Alloc(shape...)
	functional.Flatten(y, x.Value)
	return g.newVar("Flatten", y, []*Var{x}, func(out *Var) {
		functional.FlattenBackward(gradOut(g, x), out.Grad)
	}).keeping(nil, []*Var{x}).keepingSelf(false)
}
