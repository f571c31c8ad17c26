package learner

import (
	"iter"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// Model is what a Learner trains.
type Model interface {
	// Forward computes the logits [B, C] of a batch x on graph g (g.Training says whether
	// BatchNorm and Dropout use their training behaviour).
	Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var
	// Train switches train/eval behaviour of layers that have one.
	Train(training bool)
	// ParamGroups returns the trainable parameters split into fastai's layer groups (three
	// for ResNet34: body[0:6], body[6:8], head), with NoDecay and ForceTrain set on
	// normalisation weights and biases (and NoDecay on every bias).
	ParamGroups() [][]*optim.Param
	// StateDict returns every parameter and buffer by name; the tensors may be the model's
	// own (the Learner copies what it keeps).
	StateDict() map[string]*tensor.Tensor
	// LoadStateDict copies the values of sd into the model's parameters and buffers.
	LoadStateDict(sd map[string]*tensor.Tensor) error
}

// Batch is one mini-batch: X the input (for images [3, B, S, S], channel-major float32),
// Y the multi-hot targets [B, C]. The batch size is Y.Dim(0).
type Batch struct {
	X, Y *tensor.Tensor
}

// Loader yields the batches of one pass over a data set.
type Loader interface {
	// Len is the number of batches one pass yields (fastai's len(dl)).
	Len() int
	// Batches starts a pass (a training loader reshuffles). Each batch is only valid until
	// the loop body that received it returns: the loader may then reuse its buffers, and
	// a loop that stops early (lr_find) releases the pass's resources. An error ends the
	// pass.
	Batches() iter.Seq2[Batch, error]
}

// RandomState is implemented by a Model, a Loader or any Config.RandomStates entry whose
// random number generator must be saved in checkpoints for a resumed run to repeat an
// uninterrupted one.
type RandomState interface {
	// RandomState returns the generator's state.
	RandomState() ([]byte, error)
	// SetRandomState restores a state returned by RandomState.
	SetRandomState([]byte) error
}

// LossFunc computes the mean loss of a batch from logits and targets.
type LossFunc func(logits *autograd.Var, targets *tensor.Tensor) *autograd.Var

// OptFunc makes the optimiser over the model's parameter groups with starting learning
// rate lr.
type OptFunc func(groups [][]*optim.Param, lr float64) (*optim.Optimizer, error)

// Adam is the default OptFunc: fastai's Adam with its defaults (mom 0.9, sqr_mom 0.99,
// eps 1e-5, wd 0.01).
func Adam(groups [][]*optim.Param, lr float64) (*optim.Optimizer, error) {
	c := optim.AdamDefaults()
	c.LR = lr
	return optim.NewAdam(groups, c)
}
