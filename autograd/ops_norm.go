package autograd

import (
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// BatchNormState is a batch-norm layer's non-trainable part: running statistics, the
// number of training batches seen (PyTorch's num_batches_tracked), momentum and eps.
type BatchNormState struct {
	RunningMean, RunningVar *tensor.Tensor
	NumBatchesTracked       int64
	Momentum, Eps           float64
}

func (s *BatchNormState) params(gamma, beta *Var, training bool) *functional.BatchNormParams {
	p := &functional.BatchNormParams{
		RunningMean: s.RunningMean, RunningVar: s.RunningVar,
		Momentum: s.Momentum, Eps: s.Eps, Training: training,
	}
	if gamma != nil {
		p.Gamma = gamma.Value
	}
	if beta != nil {
		p.Beta = beta.Value
	}
	if training {
		s.NumBatchesTracked++
	}
	return p
}

// saved returns a BNSaved whose slices belong to the graph.
func (g *Graph) bnSaved(c int) *functional.BNSaved {
	return &functional.BNSaved{Mean: g.Alloc(c).Data(), InvStd: g.Alloc(c).Data()}
}

// BatchNorm2d normalises the channel-major x [C, N, H, W] per channel (batch statistics
// when the graph is Training, running statistics otherwise) and applies the affine
// gamma, beta [C]. With relu it returns relu(bn(x) + res) in one pass (res may be nil),
// ResNet's bn→relu and bn→(+shortcut)→relu.
func BatchNorm2d(x, gamma, beta *Var, st *BatchNormState, relu bool, res *Var) *Var {
	g := graphOf("BatchNorm2d", x, gamma, beta, res)
	p := st.params(gamma, beta, g.Training)
	c := x.Value.Dim(0)
	s := g.bnSaved(c)
	y := g.Alloc(x.Value.Shape()...)
	if !relu && res == nil {
		functional.BatchNorm2d(y, x.Value, p, s)
		return g.newVar("BatchNorm2d", y, []*Var{x, gamma, beta}, func(out *Var) {
			if x.kept != nil {
				functional.BatchNorm2dBackwardStored(gradOut(g, x), functional.GradOut{}, gradOut(g, gamma), gradOut(g, beta),
					out.Grad, nil, nil, functional.BNStored{X: x.kept.bits, Centre: x.kept.centre}, false, p, s)
				return
			}
			functional.BatchNorm2dBackward(gradOut(g, x), gradOut(g, gamma), gradOut(g, beta), out.Grad, x.Value, p, s)
		}).keeping([]*Var{x}, nil).centring(x, s.Mean).keepingSelf(false)
	}
	if !relu {
		panic("autograd.BatchNorm2d: a residual needs the fused ReLU")
	}
	functional.BatchNorm2dReLU(y, x.Value, valueOrNil(res), p, s)
	return g.newVar("BatchNorm2dReLU", y, []*Var{x, gamma, beta, res}, func(out *Var) {
		if x.kept != nil || out.kept != nil { // stored as bf16: widened channel by channel
			var st functional.BNStored
			if x.kept != nil {
				st.X, st.Centre = x.kept.bits, x.kept.centre
			}
			if out.kept != nil {
				st.Y = out.kept.bits
			}
			functional.BatchNorm2dBackwardStored(gradOut(g, x), gradOut(g, res), gradOut(g, gamma), gradOut(g, beta),
				out.Grad, x.Value, out.Value, st, true, p, s)
			return
		}
		functional.BatchNorm2dReLUBackward(gradOut(g, x), gradOut(g, res), gradOut(g, gamma), gradOut(g, beta),
			out.Grad, x.Value, y, p, s)
	}).keeping([]*Var{x}, []*Var{res}).centring(x, s.Mean).keepingSelf(true)
}

// BatchNorm1d normalises x [N, C] per feature, as BatchNorm2d does per channel.
func BatchNorm1d(x, gamma, beta *Var, st *BatchNormState) *Var {
	g := graphOf("BatchNorm1d", x, gamma, beta)
	p := st.params(gamma, beta, g.Training)
	s := g.bnSaved(x.Value.Dim(1))
	y := g.Alloc(x.Value.Shape()...)
	functional.BatchNorm1d(y, x.Value, p, s)
	return g.newVar("BatchNorm1d", y, []*Var{x, gamma, beta}, func(out *Var) {
		functional.BatchNorm1dBackward(gradOut(g, x), gradOut(g, gamma), gradOut(g, beta), out.Grad, x.Value, p, s)
	})
}
