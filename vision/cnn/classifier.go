package cnn

import (
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// Classifier makes any network whose Forward gives logits — a torchvision ResNet with
// its fc, say — a learner.Model with one parameter group (fastai's defaults, as
// ParamGroups gives them). Its state dict has the network's own names (conv1.weight …,
// fc.bias), so a trained torchvision ResNet saves in torchvision's layout.
type Classifier struct {
	Net interface {
		nn.Module
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
		c.groups = ParamGroups([][]nn.Named{nn.Parameters(c.Net)})
	}
	return c.groups
}

// StateDict returns every parameter and buffer by state-dict name (nn.StateTensors).
func (c *Classifier) StateDict() map[string]*tensor.Tensor { return nn.StateTensors(c.Net) }

// LoadStateDict copies sd into the network, all or nothing (nn.LoadStateTensors).
func (c *Classifier) LoadStateDict(sd map[string]*tensor.Tensor) error {
	return nn.LoadStateTensors(c.Net, sd)
}
