package cnn

import (
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
)

// Model is an nn.CNN as the generic Learner trains it (a learner.Model): the network,
// whose own methods give the forward pass, the state dict and the dropout streams'
// random state, plus its layer groups as optimiser parameters.
type Model struct {
	*nn.CNN
	groups [][]*optim.Param
}

// AsModel wraps c for the Learner.
func AsModel(c *nn.CNN) *Model { return &Model{CNN: c} }

// ParamGroups returns fastai's three ResNet layer groups (nn.CNN.Groups: body[0:6],
// body[6:8], head) as optimiser parameters (see ParamGroups). The same Params are
// returned on every call, so optimiser state keyed by them survives.
func (m *Model) ParamGroups() [][]*optim.Param {
	if m.groups == nil {
		m.groups = ParamGroups(m.CNN.Groups())
	}
	return m.groups
}

// ParamGroups turns layer groups of named parameters into optimiser parameters with
// fastai's defaults: every normalisation weight and bias gets NoDecay and ForceTrain
// (wd_bn_bias=False, train_bn=True) and every other bias NoDecay.
func ParamGroups(groups [][]nn.Named) [][]*optim.Param {
	out := make([][]*optim.Param, len(groups))
	for g, grp := range groups {
		out[g] = make([]*optim.Param, len(grp))
		for i, n := range grp {
			out[g][i] = &optim.Param{Name: n.Name, Var: n.Param, NoDecay: n.Kind != nn.Weight, ForceTrain: n.Kind == nn.NormParam}
		}
	}
	return out
}
