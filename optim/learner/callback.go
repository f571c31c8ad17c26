package learner

import (
	"errors"
	"fmt"
	"math"

	"github.com/fastgo/fastgo/optim"
)

// Event is a point in the training loop where callbacks run.
type Event int

// The events, in the order a fit meets them. BeforeBatch, AfterLoss and AfterBatch come
// in both phases; check Learner.Training.
const (
	BeforeFit Event = iota
	BeforeEpoch
	BeforeTrain
	BeforeBatch
	AfterLoss
	AfterBatch
	AfterTrain
	BeforeValidate
	AfterValidate
	AfterEpoch
	AfterFit
)

var eventNames = [...]string{"before_fit", "before_epoch", "before_train", "before_batch", "after_loss",
	"after_batch", "after_train", "before_validate", "after_validate", "after_epoch", "after_fit"}

// String returns fastai's name of the event.
func (e Event) String() string {
	if e >= 0 && int(e) < len(eventNames) {
		return eventNames[e]
	}
	return fmt.Sprintf("Event(%d)", int(e))
}

// Callback reacts to events of a fit.
type Callback interface {
	// Handle is called at every event; returning ErrCancelFit ends the fit cleanly
	// (AfterFit still runs), any other error aborts it and is returned by the fit.
	Handle(e Event, l *Learner) error
}

// CallbackFunc adapts a function to Callback.
type CallbackFunc func(e Event, l *Learner) error

// Handle implements Callback.
func (f CallbackFunc) Handle(e Event, l *Learner) error { return f(e, l) }

// ErrCancelFit, returned by a callback, ends the current fit without an error.
var ErrCancelFit = errors.New("learner: fit cancelled")

// ErrNonFinite is wrapped by the error a fit returns when the loss becomes NaN or
// infinite.
var ErrNonFinite = errors.New("loss is not finite")

// oneCycleCB sets fit_one_cycle's lr and mom before every training batch.
type oneCycleCB struct{ oc *optim.OneCycle }

// Handle implements Callback.
func (c oneCycleCB) Handle(e Event, l *Learner) error {
	if e == BeforeBatch && l.Training {
		return c.oc.Apply(l.Opt, l.PctTrain)
	}
	return nil
}

// nonFiniteCB stops a fit when a batch's loss is NaN or ±Inf, before the backward pass
// and the optimiser step, so the weights stay as they were.
type nonFiniteCB struct{}

// Handle implements Callback.
func (nonFiniteCB) Handle(e Event, l *Learner) error {
	if e != AfterLoss {
		return nil
	}
	v := float64(l.BatchLoss)
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		return nil
	}
	phase, n := "training", l.NIter
	if !l.Training {
		phase, n = "validation", l.Valid.Len()
	}
	hs := l.Opt.Hypers()
	return fmt.Errorf("learner: %w: the loss is %v at epoch %d, %s batch %d/%d (lr %s); training stopped",
		ErrNonFinite, v, l.Epoch, phase, l.Iter+1, n, optim.PyFloat(hs[len(hs)-1].LR))
}

// checkpointCB hands a Checkpoint to Config.OnCheckpoint after every epoch.
type checkpointCB struct{}

// Handle implements Callback.
func (checkpointCB) Handle(e Event, l *Learner) error {
	if e != AfterEpoch || l.cfg.OnCheckpoint == nil {
		return nil
	}
	ck, err := l.checkpoint()
	if err != nil {
		return err
	}
	if err := l.cfg.OnCheckpoint(ck); err != nil {
		return fmt.Errorf("learner: checkpoint after epoch %d: %w", l.Epoch, err)
	}
	return nil
}
