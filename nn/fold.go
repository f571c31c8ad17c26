package nn

import (
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// Folds reports whether a convolution followed by bn runs folded in graph g: g records
// nothing and is in eval mode, so bn uses its running statistics and is an affine map
// per channel that merges into the convolution's weights and bias.
func Folds(g *autograd.Graph, bn *BatchNorm) bool {
	return !g.Recording() && !g.Training && !bn.OneD && bn.State.RunningMean != nil && bn.State.RunningVar != nil
}

// ConvBN returns bn(conv(x)), or relu(bn(conv(x)) + res) when relu is set (res may be
// nil) — the conv → BatchNorm2d (→ + shortcut) → ReLU unit every ResNet block is made
// of. In an evaluation graph that records nothing (see Folds) the batch norm is folded
// into the convolution's weights and bias and the residual and ReLU are applied as each
// block of the convolution's output is written: one pass, no intermediate activation.
// Otherwise it is the modules' own forwards, the convolution's output freed once the
// batch norm has consumed it. A residual without relu panics.
func ConvBN(g *autograd.Graph, conv *Conv2d, bn *BatchNorm, x *autograd.Var, relu bool, res *autograd.Var) *autograd.Var {
	if res != nil && !relu {
		panic("nn.ConvBN: a residual needs the ReLU")
	}
	if !Folds(g, bn) {
		c := conv.Forward(g, x)
		var y *autograd.Var
		if relu {
			y = bn.ForwardReLU(g, c, res)
		} else {
			y = bn.Forward(g, c)
		}
		g.Free(c)
		return y
	}
	w := conv.Weight.Value
	cout := w.Dim(0)
	fwBuf, fbBuf := g.Scratch(w.Len()), g.Scratch(cout)
	defer g.PutScratch(fwBuf)
	defer g.PutScratch(fbBuf)
	fw, fb := tensor.FromData(fwBuf, w.Shape()...), tensor.FromData(fbBuf, cout)
	var cb, gamma, beta *tensor.Tensor
	if conv.Bias != nil {
		cb = conv.Bias.Value
	}
	if bn.Weight != nil {
		gamma = bn.Weight.Value
	}
	if bn.Bias != nil {
		beta = bn.Bias.Value
	}
	functional.FoldBatchNorm(fw, fb, w, cb, gamma, beta, bn.State.RunningMean, bn.State.RunningVar, bn.State.Eps)
	return autograd.Conv2dFused(x, fw, fb, res, relu, conv.Params)
}

// convBNAt reports how many layers from layers[i] form a Conv2d → BatchNorm2d (→ ReLU)
// unit that runs folded in g (see ConvBN): 2 or 3, or 0 when layers[i] starts none.
func convBNAt(g *autograd.Graph, layers []Module, i int) (n int, relu bool) {
	if i+1 >= len(layers) {
		return 0, false
	}
	conv, ok := layers[i].(*Conv2d)
	if !ok {
		return 0, false
	}
	bn, ok := layers[i+1].(*BatchNorm)
	if !ok || conv == nil || !Folds(g, bn) {
		return 0, false
	}
	if i+2 < len(layers) {
		if _, ok := layers[i+2].(ReLU); ok {
			return 3, true
		}
	}
	return 2, false
}
