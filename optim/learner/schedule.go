package learner

import (
	"fmt"

	"github.com/fastgo/fastgo/optim"
)

// OneCycleOptions are fit_one_cycle's arguments besides the epochs and lr_max.
type OneCycleOptions struct {
	Div, DivFinal, PctStart float64
	// Moms overrides the learner's momentum schedule when set.
	Moms *[3]float64
}

// DefaultOneCycle returns fastai's defaults: div 25, div_final 1e5, pct_start 0.25.
func DefaultOneCycle() OneCycleOptions {
	return OneCycleOptions{Div: 25, DivFinal: 1e5, PctStart: 0.25}
}

// FitOneCycle trains for nEpoch epochs with the 1cycle policy (SPEC §4): lrMax (zero:
// the learner's LR) is spread over the groups into L; before every training batch, at
// position pos, each group's lr is combined_cos(pct_start, L/div, L, L/div_final)(pos)
// and mom (Adam's β1) is combined_cos(pct_start, moms…)(pos).
func (l *Learner) FitOneCycle(nEpoch int, lrMax optim.LR, o OneCycleOptions) error {
	if lrMax.IsZero() {
		lrMax = optim.LRValue(l.LR)
	}
	lrs, err := lrMax.Spread(len(l.Opt.Groups()))
	if err != nil {
		return fmt.Errorf("learner: fit_one_cycle: %w", err)
	}
	moms := l.Moms
	if o.Moms != nil {
		moms = *o.Moms
	}
	oc, err := optim.NewOneCycle(lrs, o.Div, o.DivFinal, o.PctStart, moms)
	if err != nil {
		return fmt.Errorf("learner: fit_one_cycle: %w", err)
	}
	desc := fmt.Sprintf("fit_one_cycle(n_epoch=%d, lr_max=%s, div=%s, div_final=%s, pct_start=%s, moms=(%s, %s, %s))",
		nEpoch, optim.LRList(lrs...), optim.PyFloat(o.Div), optim.PyFloat(o.DivFinal), optim.PyFloat(o.PctStart),
		optim.PyFloat(moms[0]), optim.PyFloat(moms[1]), optim.PyFloat(moms[2]))
	// fastai's fit then sets lr = learn.lr on all groups; the schedule overrides it from
	// the first batch on.
	return l.run(&fitSpec{desc: desc, nEpoch: nEpoch, cbs: []Callback{oneCycleCB{oc}},
		nanStop: !l.cfg.KeepNonFinite, checkpoint: true})
}

// FineTuneOptions are fine_tune's arguments besides the epochs.
type FineTuneOptions struct {
	BaseLR       float64
	FreezeEpochs int
	LRMult       float64
	PctStart     float64
	Div          float64
}

// DefaultFineTune returns fastai's defaults: base_lr 2e-3, freeze_epochs 1, lr_mult 100,
// pct_start 0.3, div 5.
func DefaultFineTune() FineTuneOptions {
	return FineTuneOptions{BaseLR: 2e-3, FreezeEpochs: 1, LRMult: 100, PctStart: 0.3, Div: 5}
}

// FineTune is fastai's fine_tune (SPEC §7): freeze(); fit_one_cycle(freeze_epochs,
// slice(base_lr), pct_start=0.99); base_lr /= 2; unfreeze(); fit_one_cycle(epochs,
// slice(base_lr/lr_mult, base_lr), pct_start, div), the one-cycle calls otherwise with
// their defaults. Each fit prints its own table.
func (l *Learner) FineTune(epochs int, o FineTuneOptions) error {
	l.Freeze()
	first := DefaultOneCycle()
	first.PctStart = 0.99
	if err := l.FitOneCycle(o.FreezeEpochs, optim.LRSlice(o.BaseLR), first); err != nil {
		return err
	}
	base := o.BaseLR / 2
	l.Unfreeze()
	second := DefaultOneCycle()
	second.PctStart, second.Div = o.PctStart, o.Div
	return l.FitOneCycle(epochs, optim.LRRange(base/o.LRMult, base), second)
}
