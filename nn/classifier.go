package nn

import (
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// Classifier makes any network whose Forward gives logits — a torchvision ResNet with
// its fc, say — a learner.Model (package optim/learner) with one parameter group:
// normalisation weights and biases get NoDecay and ForceTrain, other biases NoDecay, as
// in CNN's groups. Its state dict has the network's own names (conv1.weight …, fc.bias),
// so a trained torchvision ResNet saves in torchvision's layout.
type Classifier struct {
	Net interface {
		Module
		Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var
	}
	groups [][]*optim.Param
}

// Forward computes the logits.
func (c *Classifier) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return c.Net.Forward(g, x)
}

// Train does nothing: whether a pass trains is the graph's Training flag.
func (c *Classifier) Train(bool) {}

// ParamGroups returns one group of every parameter (the same Params on every call).
func (c *Classifier) ParamGroups() [][]*optim.Param {
	if c.groups == nil {
		var ps []*optim.Param
		for _, n := range Parameters(c.Net) {
			ps = append(ps, &optim.Param{Name: n.Name, Var: n.Param, NoDecay: n.Kind != Weight, ForceTrain: n.Kind == NormParam})
		}
		c.groups = [][]*optim.Param{ps}
	}
	return c.groups
}

// StateDict returns every parameter and buffer by state-dict name (see CNN.StateDict).
func (c *Classifier) StateDict() map[string]*tensor.Tensor { return moduleState(c.Net) }

// LoadStateDict copies sd into the network, all or nothing (see CNN.LoadStateDict).
func (c *Classifier) LoadStateDict(sd map[string]*tensor.Tensor) error {
	return loadModuleState(c.Net, sd)
}
