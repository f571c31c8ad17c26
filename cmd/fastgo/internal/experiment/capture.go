package experiment

import (
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision/cnn"
)

// capturingModel is the learner's model: an nn.CNN whose validation outputs are kept,
// so that each epoch can be evaluated (per-class AP, mAP, accuracy at thresholds)
// without a second pass over the validation set. It keeps the CNN's other methods
// (parameter groups, state dict, dropout random state).
type capturingModel struct {
	*cnn.Model
	preds *preds
}

// Forward implements learner.Model, recording the logits of evaluation passes.
func (m capturingModel) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	out := m.Model.Forward(g, x)
	if !g.Training {
		m.preds.logits = append(m.preds.logits, out.Value.Data()...)
	}
	return out
}

// preds holds the logits and targets of the latest validation pass, row-major
// [n, classes].
type preds struct {
	classes         int
	logits, targets []float32
}

// n is the number of images held.
func (p *preds) n() int {
	if p.classes == 0 {
		return 0
	}
	return len(p.targets) / p.classes
}

// Handle implements learner.Callback: it starts afresh before each validation pass and
// records each validation batch's targets.
func (p *preds) Handle(e learner.Event, l *learner.Learner) error {
	switch {
	case e == learner.BeforeValidate:
		p.logits, p.targets = p.logits[:0], p.targets[:0]
	case e == learner.AfterBatch && !l.Training:
		p.targets = append(p.targets, l.Batch.Y.Data()...)
	}
	return nil
}
