package nn

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// leaf is a module without children.
type leaf struct{}

// Children returns none.
func (leaf) Children() []Child { return nil }

// noMembers is embedded by modules without parameters or buffers.
type noMembers struct{ leaf }

// Members returns none.
func (noMembers) Members() []Member { return nil }

// Conv2d is a 2-D convolution: weight [Cout, Cin, KH, KW], optional bias [Cout].
type Conv2d struct {
	leaf
	Weight *autograd.Var
	Bias   *autograd.Var // nil without bias
	Params functional.Conv2dParams
	// folded is what ConvBN folded into this convolution last, kept for the next
	// evaluation pass under keepFolded (see KeepFolded, foldCache); nil until then
	// and while training.
	folded     atomic.Pointer[foldCache]
	keepFolded atomic.Bool
}

// NewConv2d returns a zero-initialised square-kernel convolution with the given stride
// and padding (dilation 1).
func NewConv2d(cin, cout, k, stride, pad int, bias bool) *Conv2d {
	c := &Conv2d{Weight: autograd.NewParam(tensor.New(cout, cin, k, k)), Params: functional.ConvOpts(stride, pad)}
	if bias {
		c.Bias = autograd.NewParam(tensor.New(cout))
	}
	return c
}

// Forward convolves x [Cin, N, H, W].
func (c *Conv2d) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	if g.Recording() && c.folded.Load() != nil {
		c.folded.Store(nil) // training: the weights will change (see foldCache)
	}
	return autograd.Conv2d(x, c.Weight, c.Bias, c.Params)
}

// Members returns weight and, when present, bias.
func (c *Conv2d) Members() []Member {
	m := []Member{{Name: "weight", Param: c.Weight, Kind: Weight}}
	if c.Bias != nil {
		m = append(m, Member{Name: "bias", Param: c.Bias, Kind: Bias})
	}
	return m
}

// BatchNorm is a batch-norm layer over channels: BatchNorm2d on [C, N, H, W] or
// BatchNorm1d on [N, C], with affine weight and bias and running statistics.
type BatchNorm struct {
	leaf
	Weight, Bias *autograd.Var
	State        autograd.BatchNormState
	OneD         bool // BatchNorm1d: normalise [N, C] features
}

// NewBatchNorm2d returns PyTorch's BatchNorm2d(c): weight 1, bias 0, running mean 0,
// running variance 1, momentum 0.1, eps 1e-5.
func NewBatchNorm2d(c int) *BatchNorm {
	return &BatchNorm{
		Weight: autograd.NewParam(tensor.Full(1, c)),
		Bias:   autograd.NewParam(tensor.New(c)),
		State: autograd.BatchNormState{RunningMean: tensor.New(c), RunningVar: tensor.Full(1, c),
			Momentum: functional.BNMomentum, Eps: functional.BNEps},
	}
}

// NewBatchNorm1d returns PyTorch's BatchNorm1d(c), initialised as NewBatchNorm2d.
func NewBatchNorm1d(c int) *BatchNorm {
	b := NewBatchNorm2d(c)
	b.OneD = true
	return b
}

// Forward normalises x.
func (b *BatchNorm) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	if b.OneD {
		return autograd.BatchNorm1d(x, b.Weight, b.Bias, &b.State)
	}
	return autograd.BatchNorm2d(x, b.Weight, b.Bias, &b.State, false, nil)
}

// ForwardReLU returns relu(bn(x) + res) as one fused operation (res may be nil).
func (b *BatchNorm) ForwardReLU(g *autograd.Graph, x, res *autograd.Var) *autograd.Var {
	if b.OneD {
		y := b.Forward(g, x)
		if res != nil {
			y = autograd.Add(y, res)
		}
		return autograd.ReLU(y)
	}
	return autograd.BatchNorm2d(x, b.Weight, b.Bias, &b.State, true, res)
}

// Members returns weight, bias, running_mean, running_var, num_batches_tracked.
func (b *BatchNorm) Members() []Member {
	return []Member{
		{Name: "weight", Param: b.Weight, Kind: NormParam},
		{Name: "bias", Param: b.Bias, Kind: NormParam},
		{Name: "running_mean", Buffer: b.State.RunningMean},
		{Name: "running_var", Buffer: b.State.RunningVar},
		{Name: "num_batches_tracked", Count: &b.State.NumBatchesTracked},
	}
}

// ReLU is max(x, 0).
type ReLU struct{ noMembers }

// Forward applies the ReLU.
func (ReLU) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var { return autograd.ReLU(x) }

// MaxPool2d is a max pool over [C, N, H, W].
type MaxPool2d struct {
	noMembers
	Params functional.Pool2dParams
}

// Forward pools x.
func (m *MaxPool2d) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return autograd.MaxPool2d(x, m.Params)
}

// AdaptiveAvgPool2d averages [C, N, H, W] into OH×OW bins.
type AdaptiveAvgPool2d struct {
	noMembers
	OH, OW int
}

// Forward pools x.
func (a *AdaptiveAvgPool2d) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return autograd.AdaptiveAvgPool2d(x, a.OH, a.OW)
}

// AdaptiveConcatPool2d is fastai's concatenation of adaptive max and average pooling
// (max first) into OH×OW bins: [C, N, H, W] → [2C, N, OH, OW].
type AdaptiveConcatPool2d struct {
	noMembers
	OH, OW int
}

// Forward pools x.
func (a *AdaptiveConcatPool2d) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return autograd.AdaptiveConcatPool2d(x, a.OH, a.OW)
}

// Flatten turns [C, N, H, W] into [N, C·H·W] in PyTorch's order.
type Flatten struct{ noMembers }

// Forward flattens x.
func (Flatten) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var { return autograd.Flatten(x) }

// Dropout zeroes activations with probability P while training, scaling the rest by
// 1/(1−P), from its own seeded random source.
type Dropout struct {
	noMembers
	P   float64
	Src *rand.PCG // the mask stream; its state is part of a checkpoint
	rng *rand.Rand
}

// NewDropout returns a dropout layer whose masks come from a PCG stream seeded with seed.
func NewDropout(p float64, seed uint64) *Dropout {
	src := rand.NewPCG(seed, 0xda3e39cb94b95bdb)
	return &Dropout{P: p, Src: src, rng: rand.New(src)}
}

// Forward applies dropout when g is training.
func (d *Dropout) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return autograd.Dropout(x, d.P, d.rng)
}

// Linear is y = x·Wᵀ + b with weight [out, in] and optional bias [out].
type Linear struct {
	leaf
	Weight, Bias *autograd.Var
}

// NewLinear returns a zero-initialised linear layer.
func NewLinear(in, out int, bias bool) *Linear {
	l := &Linear{Weight: autograd.NewParam(tensor.New(out, in))}
	if bias {
		l.Bias = autograd.NewParam(tensor.New(out))
	}
	return l
}

// Forward applies the layer to x [N, in].
func (l *Linear) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return autograd.Linear(x, l.Weight, l.Bias)
}

// Members returns weight and, when present, bias.
func (l *Linear) Members() []Member {
	m := []Member{{Name: "weight", Param: l.Weight, Kind: Weight}}
	if l.Bias != nil {
		m = append(m, Member{Name: "bias", Param: l.Bias, Kind: Bias})
	}
	return m
}

// Sequential runs its children in order; they are named "0", "1", … as in PyTorch.
// A BatchNorm2d directly followed by a ReLU runs fused; in an evaluation graph that
// records nothing a Conv2d → BatchNorm2d (→ ReLU) runs folded (see ConvBN).
type Sequential struct {
	Layers []Module
}

// NewSequential returns a Sequential of the given layers.
func NewSequential(layers ...Module) *Sequential { return &Sequential{Layers: layers} }

// Forward runs the layers in order. Each intermediate output is handed to Graph.Free as
// soon as the next layer has consumed it: freed in an evaluation graph, and in a
// training graph kept for the backward only in the form it reads (see autograd's
// keep.go).
func (s *Sequential) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	in := x
	for i := 0; i < len(s.Layers); i++ {
		prev := x
		if n, relu := convBNAt(g, s.Layers, i); n > 0 {
			conv, bn := s.Layers[i].(*Conv2d), s.Layers[i+1].(*BatchNorm)
			if pool, ok := layerAt[*MaxPool2d](s.Layers, i+n); ok && relu && pool != nil {
				x = ConvBNMaxPool(g, conv, bn, pool, x) // ResNet's stem
				n++
			} else {
				x = ConvBN(g, conv, bn, x, relu, nil)
			}
			i += n - 1
			freeConsumed(g, prev, in, x)
			continue
		}
		if bn, ok := s.Layers[i].(*BatchNorm); ok && !bn.OneD && i+1 < len(s.Layers) {
			if _, ok := s.Layers[i+1].(ReLU); ok {
				x = bn.ForwardReLU(g, x, nil)
				i++
				freeConsumed(g, prev, in, x)
				continue
			}
		}
		x = s.Layers[i].Forward(g, x)
		freeConsumed(g, prev, in, x)
	}
	return x
}

// layerAt returns layers[i] as a T, if there is one.
func layerAt[T Module](layers []Module, i int) (T, bool) {
	if i < len(layers) {
		if m, ok := layers[i].(T); ok {
			return m, true
		}
	}
	var zero T
	return zero, false
}

// freeConsumed frees v, an intermediate a module made and has now consumed, unless it
// is the module's own input or shares storage with the output (a view).
func freeConsumed(g *autograd.Graph, v, in, out *autograd.Var) {
	if v != in && !autograd.SameStorage(v, out) {
		g.Free(v)
	}
}

// Members returns none: a Sequential's parameters belong to its children.
func (s *Sequential) Members() []Member { return nil }

// Children returns the layers named by position.
func (s *Sequential) Children() []Child {
	out := make([]Child, len(s.Layers))
	for i, l := range s.Layers {
		out[i] = Child{Name: fmt.Sprint(i), Module: l}
	}
	return out
}
