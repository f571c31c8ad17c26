// Package nn builds networks from autograd operations: a small Module model (named
// parameters and buffers, children, a forward pass), the layers ResNets and fastai's
// head use, torchvision's BasicBlock, Bottleneck and ResNet (ResNet18, ResNet34, ResNet50;
// see Arch) with torchvision's exact parameter and buffer names, fastai's cnn_learner model (Sequential(body, head)) with its
// initialisation and layer groups, and conversion to and from PyTorch state dicts.
//
// Activations are channel-major [C, N, H, W] (see package tensor/functional for why);
// 2-D activations are [N, C]. Whether a forward pass trains (batch statistics, dropout)
// is the graph's Training flag, not module state, so one model serves training and
// evaluation graphs alike. Inside a Sequential, a BatchNorm2d followed by a ReLU runs as
// one fused operation.
package nn

import (
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// Module is a layer or a network.
type Module interface {
	// Forward computes the module's output for x in graph g.
	Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var
	// Members lists the module's own parameters and buffers in PyTorch's registration
	// order (parameters first, then buffers).
	Members() []Member
	// Children lists the submodules in order, with their PyTorch attribute names.
	Children() []Child
}

// Child is a named submodule.
type Child struct {
	Name   string
	Module Module
}

// Member is one parameter or buffer of a module; exactly one of Param, Buffer and Count
// is set.
type Member struct {
	Name   string
	Param  *autograd.Var  // a trainable parameter
	Buffer *tensor.Tensor // a float buffer (running_mean, running_var)
	Count  *int64         // an integer scalar buffer (num_batches_tracked)
	Kind   ParamKind      // what the parameter is, for weight decay and freezing
}

// ParamKind tells what a parameter is; fastai treats normalisation parameters and
// biases specially (no weight decay; BN parameters stay trainable when frozen).
type ParamKind int

const (
	// Weight is a convolution or linear weight.
	Weight ParamKind = iota
	// Bias is a convolution or linear bias.
	Bias
	// NormParam is a normalisation layer's weight or bias.
	NormParam
)

// Named is a module member with its full dotted name ("0.4.1.conv2.weight").
type Named struct {
	Name string
	Member
}

// Walk visits every member of m and its descendants in PyTorch state-dict order (a
// module's own members, then each child's, depth first), with dotted names under
// prefix.
func Walk(m Module, prefix string, f func(n Named)) {
	for _, mem := range m.Members() {
		f(Named{Name: prefix + mem.Name, Member: mem})
	}
	for _, c := range m.Children() {
		Walk(c.Module, prefix+c.Name+".", f)
	}
}

// Members returns every member of m and its descendants with full names, in state-dict
// order.
func Members(m Module) []Named {
	var out []Named
	Walk(m, "", func(n Named) { out = append(out, n) })
	return out
}

// Parameters returns the trainable parameters of m with full names, in order.
func Parameters(m Module) []Named {
	var out []Named
	Walk(m, "", func(n Named) {
		if n.Param != nil {
			out = append(out, n)
		}
	})
	return out
}

// NumParams returns the number of trainable scalars in m.
func NumParams(m Module) int {
	n := 0
	for _, p := range Parameters(m) {
		n += p.Param.Value.Len()
	}
	return n
}

// ZeroGrad zeroes every parameter gradient of m that exists.
func ZeroGrad(m Module) {
	for _, p := range Parameters(m) {
		p.Param.ZeroGrad()
	}
}
