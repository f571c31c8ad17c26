package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/fastgo/fastgo/autograd"
)

// HeadHidden is the hidden width of fastai's default head (lin_ftrs [nf, 512, n_out]).
const HeadHidden = 512

// NewFastaiHead returns fastai's create_head(nf, nOut) with its defaults (concat pooling,
// lin_ftrs [nf, 512, nOut], dropout [0.25, 0.5], no final batch norm), flattened as
// fastai builds it:
//
//	0 AdaptiveConcatPool2d   4 Linear(nf, 512, bias=False)   7 Dropout(0.5)
//	1 Flatten                5 ReLU                          8 Linear(512, nOut, bias=False)
//	2 BatchNorm1d(nf)        6 BatchNorm1d(512)
//	3 Dropout(0.25)
//
// and initialised as fastai does: Linear weights kaiming-normal with fan_in (std
// √(2/fan_in)), batch norms weight 1 and bias 1e-3. nf is twice the body's output
// channels (concat pooling). The dropout masks come from streams seeded with seed.
func NewFastaiHead(nf, nOut int, rng *rand.Rand, seed uint64) *Sequential {
	bn1, bn2 := NewBatchNorm1d(nf), NewBatchNorm1d(HeadHidden)
	bn1.Bias.Value.Fill(1e-3)
	bn2.Bias.Value.Fill(1e-3)
	lin1, lin2 := NewLinear(nf, HeadHidden, false), NewLinear(HeadHidden, nOut, false)
	KaimingNormal(lin1.Weight.Value, nf, rng)
	KaimingNormal(lin2.Weight.Value, HeadHidden, rng)
	return NewSequential(
		&AdaptiveConcatPool2d{OH: 1, OW: 1}, Flatten{},
		bn1, NewDropout(0.25, seed), lin1, ReLU{},
		bn2, NewDropout(0.5, seed+1), lin2,
	)
}

// CNN is fastai's cnn_learner model, Sequential(body, head): its state-dict names are
// "0.0.weight" (the stem), "0.4.0.conv1.weight" (layer1), …, "1.2.weight" (the head's
// first batch norm), "1.8.weight" (the classifier).
type CNN struct {
	*Sequential
	Body, Head *Sequential
}

// NewCNN builds fastai's cnn_learner model from the ResNet arch (whose avgpool and fc
// are dropped) with a head for nOut classes. The head is initialised from rng; the body
// keeps arch's weights (initialise or load them first). seed seeds the dropout masks.
func NewCNN(arch *ResNet, nOut int, rng *rand.Rand, seed uint64) *CNN {
	body := arch.Body()
	nf := 2 * arch.OutChannels()
	head := NewFastaiHead(nf, nOut, rng, seed)
	return &CNN{Sequential: NewSequential(body, head), Body: body, Head: head}
}

// NewResNet34CNN returns fastai's cnn_learner(resnet34) model for nOut classes trained
// from scratch: the body initialised as torchvision does, the head as fastai does, all
// from seed.
func NewResNet34CNN(nOut int, seed uint64) *CNN {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	arch := NewResNet34(1000)
	InitResNet(arch, rng)
	return NewCNN(arch, nOut, rng, seed)
}

// Groups returns fastai's ResNet splitter (_resnet_split) as three parameter groups:
// body[0:6] (stem, layer1, layer2), body[6:8] (layer3, layer4) and the head. Names are
// the model's state-dict names.
func (c *CNN) Groups() [][]Named {
	group := func(prefix string, mods []Module, offset int) []Named {
		var out []Named
		for i, m := range mods {
			Walk(m, fmt.Sprintf("%s%d.", prefix, offset+i), func(n Named) {
				if n.Param != nil {
					out = append(out, n)
				}
			})
		}
		return out
	}
	return [][]Named{
		group("0.", c.Body.Layers[:6], 0),
		group("0.", c.Body.Layers[6:], 6),
		group("1.", c.Head.Layers, 0),
	}
}

// Forward computes the logits [N, nOut] of x [3, N, H, W].
func (c *CNN) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return c.Sequential.Forward(g, x)
}
