package learner

import (
	"fmt"
	"sort"

	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// Checkpoint is everything a Learner needs to continue a fit after an epoch (see the
// package doc). All of it is a copy that the receiver may keep.
type Checkpoint struct {
	// Fit is the fit call with its arguments; FitIndex counts the fits (lr_find included)
	// the Learner started before it.
	Fit      string
	FitIndex int
	// NEpoch is the fit's number of epochs, Epoch the number completed.
	NEpoch, Epoch int
	// TrainIter and PctTrain are the schedule position reached.
	TrainIter int
	PctTrain  float64
	// Model is the model's state dict.
	Model map[string]*tensor.Tensor
	// Opt is the optimiser's state.
	Opt optim.State
	// Recorder is the fit's records so far.
	Recorder RecorderState
	// RandomStates are the generators' states by name (see Config.RandomStates).
	RandomStates map[string][]byte
}

// checkpoint captures the learner at the end of the current epoch.
func (l *Learner) checkpoint() (*Checkpoint, error) {
	ck := &Checkpoint{Fit: l.fit.desc, FitIndex: l.fitCount - 1, NEpoch: l.NEpoch, Epoch: l.Epoch + 1,
		TrainIter: l.TrainIter, PctTrain: l.PctTrain, Model: l.snapshotModel(), Opt: l.Opt.State(),
		Recorder: l.Recorder.State(), RandomStates: map[string][]byte{}}
	for name, r := range l.randomStates() {
		b, err := r.RandomState()
		if err != nil {
			return nil, fmt.Errorf("learner: checkpoint: random state %q: %w", name, err)
		}
		ck.RandomStates[name] = b
	}
	return ck, nil
}

// Resume loads ck into the Learner — model, optimiser and random states now — and
// arranges for the fit ck was taken in to continue after ck.Epoch: the program repeats
// its calls from the start on a freshly made Learner, and until that fit is reached,
// fits (lr_find included) return at once and FreezeTo/Freeze/Unfreeze do nothing. The
// fit must be called with the same arguments, or it returns an error.
func (l *Learner) Resume(ck *Checkpoint) error {
	if ck == nil {
		return fmt.Errorf("learner.Resume: nil checkpoint")
	}
	if ck.Epoch < 0 || ck.Epoch > ck.NEpoch || ck.FitIndex < 0 {
		return fmt.Errorf("learner.Resume: checkpoint at epoch %d of %d, fit %d is inconsistent", ck.Epoch, ck.NEpoch, ck.FitIndex)
	}
	if l.fitCount > ck.FitIndex {
		return fmt.Errorf("learner.Resume: this learner already started %d fits; the checkpoint is in fit %d", l.fitCount, ck.FitIndex)
	}
	rs := l.randomStates()
	names := make([]string, 0, len(ck.RandomStates))
	for name := range ck.RandomStates {
		if rs[name] == nil {
			return fmt.Errorf("learner.Resume: the checkpoint has random state %q, which this learner lacks", name)
		}
		names = append(names, name)
	}
	if err := l.Model.LoadStateDict(ck.Model); err != nil {
		return fmt.Errorf("learner.Resume: model: %w", err)
	}
	if err := l.Opt.LoadState(ck.Opt); err != nil {
		return fmt.Errorf("learner.Resume: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := rs[name].SetRandomState(ck.RandomStates[name]); err != nil {
			return fmt.Errorf("learner.Resume: random state %q: %w", name, err)
		}
	}
	l.pending = ck
	return nil
}
