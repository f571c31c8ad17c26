package learner

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/tensor"
)

// Config holds a Learner's settings; the zero value gives fastai's defaults.
type Config struct {
	// Loss is the loss function; nil means autograd.BCEWithLogits (BCEWithLogitsLossFlat).
	Loss LossFunc
	// Metrics are the table's metric columns, computed on the validation set.
	Metrics []metrics.Metric
	// Opt makes the optimiser; nil means Adam.
	Opt OptFunc
	// LR is the learning rate used when a fit is given none; 0 means 1e-3.
	LR float64
	// WD, when set, is the weight decay every fit sets on all groups; nil keeps the
	// optimiser's own (Adam's 0.01).
	WD *float64
	// WDBNBias also decays normalisation weights and biases and other biases (fastai's
	// wd_bn_bias=True); by default they are not decayed.
	WDBNBias bool
	// FreezeBN freezes normalisation parameters with their groups (fastai's
	// train_bn=False); by default they stay trainable when their group is frozen.
	FreezeBN bool
	// Moms is the one-cycle momentum schedule (start, middle, end); zero means
	// (0.95, 0.85, 0.95).
	Moms [3]float64
	// Out receives the epoch table and lr_find's suggestions; nil means os.Stdout.
	Out io.Writer
	// Progress selects the progress display; ProgressOut receives it (nil means Out).
	Progress    ProgressMode
	ProgressOut io.Writer
	// Callbacks run after the built-in ones at every event.
	Callbacks []Callback
	// OnCheckpoint, when set, receives a Checkpoint after every epoch of fit,
	// fit_one_cycle and fine_tune; an error from it aborts the fit.
	OnCheckpoint func(*Checkpoint) error
	// RandomStates are extra generators saved in checkpoints, by name ("model", "train"
	// and "valid" are taken by the model and loaders when they implement RandomState).
	RandomStates map[string]RandomState
	// KeepNonFinite lets fits continue when the loss is NaN or infinite.
	KeepNonFinite bool
	// Pool supplies the graphs' buffers; nil means a new pool.
	Pool *autograd.Pool
	// Clock returns the time for the table and the progress display; nil means time.Now.
	Clock func() time.Time
}

// Learner trains a Model (see the package doc). Its exported state fields describe the
// fit in progress, for callbacks.
type Learner struct {
	Model        Model
	Train, Valid Loader
	LossFn       LossFunc
	Metrics      []metrics.Metric
	Opt          *optim.Optimizer
	// LR is the default learning rate of fits called without one.
	LR float64
	// Moms is the one-cycle momentum schedule.
	Moms [3]float64
	// Recorder holds the current (or last) fit's records.
	Recorder *Recorder

	// NEpoch is the current fit's number of epochs, Epoch the epoch running (0-based).
	NEpoch, Epoch int
	// NIter is the number of training batches per epoch, Iter the index of the batch
	// running within its phase.
	NIter, Iter int
	// TrainIter counts the training batches done in this fit; PctTrain is the position
	// in training that schedules read, epoch/n_epoch at each epoch's start and
	// += 1/(n_iter·n_epoch) after each training batch.
	TrainIter int
	PctTrain  float64
	// Training is true in the training phase, false in validation.
	Training bool
	// Batch is the batch being processed; BatchLoss its loss (set after the forward pass).
	Batch     Batch
	BatchLoss float32

	cfg      Config
	out      io.Writer
	progress *progress
	pool     *autograd.Pool
	clock    func() time.Time
	fitCount int
	pending  *Checkpoint // a Resume not yet reached
	fit      *fitSpec    // the fit running
}

// New returns a Learner for model on the train and valid loaders (valid may be nil: no
// validation) and creates its optimiser over model.ParamGroups(). It does not freeze
// anything (cnn_learner's freeze() is the caller's).
func New(model Model, train, valid Loader, cfg Config) (*Learner, error) {
	if model == nil || train == nil {
		return nil, fmt.Errorf("learner.New: a model and a training loader are required")
	}
	l := &Learner{Model: model, Train: train, Valid: valid, cfg: cfg, Metrics: cfg.Metrics, Recorder: &Recorder{}}
	l.LossFn = cfg.Loss
	if l.LossFn == nil {
		l.LossFn = autograd.BCEWithLogits
	}
	l.LR = cfg.LR
	if l.LR == 0 {
		l.LR = 1e-3
	}
	l.Moms = cfg.Moms
	if l.Moms == [3]float64{} {
		l.Moms = [3]float64{0.95, 0.85, 0.95}
	}
	l.out = cfg.Out
	if l.out == nil {
		l.out = os.Stdout
	}
	l.clock = cfg.Clock
	if l.clock == nil {
		l.clock = time.Now
	}
	pw := cfg.ProgressOut
	if pw == nil {
		pw = l.out
	}
	l.progress = newProgress(pw, cfg.Progress, l.clock)
	l.pool = cfg.Pool
	if l.pool == nil {
		l.pool = autograd.NewPool()
	}
	if err := l.CreateOpt(); err != nil {
		return nil, err
	}
	return l, nil
}

// CreateOpt (re)creates the optimiser over the model's parameter groups with the default
// learning rate, applying Config.WDBNBias and Config.FreezeBN to the parameters' flags
// (fastai's create_opt).
func (l *Learner) CreateOpt() error {
	groups := l.Model.ParamGroups()
	if len(groups) == 0 {
		return fmt.Errorf("learner: the model has no parameter groups")
	}
	for _, g := range groups {
		for _, p := range g {
			if l.cfg.WDBNBias {
				p.NoDecay = false
			}
			if l.cfg.FreezeBN {
				p.ForceTrain = false
			}
		}
	}
	mk := l.cfg.Opt
	if mk == nil {
		mk = Adam
	}
	o, err := mk(groups, l.LR)
	if err != nil {
		return fmt.Errorf("learner: creating the optimiser: %w", err)
	}
	l.Opt = o
	return nil
}

// FreezeTo trains groups [n:] only (Python indexing; ForceTrain parameters always
// train) and clears the optimiser state (fastai's freeze_to). Gradients that exist are
// kept, so re-frozen parameters are still decayed by later steps (SPEC §3). While a
// Resume is pending it does nothing: the checkpoint's optimiser state already reflects
// every freeze made before it.
func (l *Learner) FreezeTo(n int) {
	if l.pending != nil {
		return
	}
	if k := l.Opt.FreezeTo(n); k >= len(l.Opt.Groups()) {
		fmt.Fprintf(l.out, "warning: freezing %d groups; the model has %d; the whole model is frozen\n", k, len(l.Opt.Groups()))
	}
	l.Opt.ClearState()
}

// Freeze trains the last group only (freeze_to(-1)).
func (l *Learner) Freeze() { l.FreezeTo(-1) }

// Unfreeze trains every group (freeze_to(0)).
func (l *Learner) Unfreeze() { l.FreezeTo(0) }

// FitCount returns how many fits (lr_find included) this Learner has started.
func (l *Learner) FitCount() int { return l.fitCount }

// snapshotModel returns a deep copy of the model's state dict.
func (l *Learner) snapshotModel() map[string]*tensor.Tensor {
	sd := l.Model.StateDict()
	out := make(map[string]*tensor.Tensor, len(sd))
	for k, t := range sd {
		out[k] = t.Clone()
	}
	return out
}

// randomStates returns the generators saved in checkpoints, by name.
func (l *Learner) randomStates() map[string]RandomState {
	m := map[string]RandomState{}
	if r, ok := l.Model.(RandomState); ok {
		m["model"] = r
	}
	if r, ok := l.Train.(RandomState); ok {
		m["train"] = r
	}
	if r, ok := l.Valid.(RandomState); ok && l.Valid != nil {
		m["valid"] = r
	}
	for k, r := range l.cfg.RandomStates {
		m[k] = r
	}
	return m
}
