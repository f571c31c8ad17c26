package learner

import (
	"fmt"

	"github.com/fastgo/fastgo/optim"
)

// Phase is one step of a fastai training recipe as a notebook writes it in one cell:
//
//	learn.freeze_to(FreezeTo); learn.lr_find(); learn.fit_one_cycle(Epochs, LR)
//
// RunPhases runs a list of them, so a program reads like the notebook.
type Phase struct {
	// FreezeTo is the argument of the freeze_to call that starts the phase, in Python's
	// indexing: -1 is freeze() (the head only), -2 the last two groups, 0 unfreeze()
	// (the zero value: a Phase trains every group unless it says otherwise).
	FreezeTo int
	// LRFind runs lr_find (DefaultLRFind: its curve and printed suggestions) after the
	// freeze call and before the fit; LRFindPlot, when set, is where its curve is saved.
	LRFind     bool
	LRFindPlot string
	// Epochs (at least 1) and LR are fit_one_cycle's arguments (a zero LR is the
	// Learner's LR); OneCycle, when not nil, replaces DefaultOneCycle's other arguments.
	Epochs   int
	LR       optim.LR
	OneCycle *OneCycleOptions
}

// String writes the phase as fastai's calls, for messages.
func (p Phase) String() string {
	freeze := fmt.Sprintf("freeze_to(%d)", p.FreezeTo)
	switch p.FreezeTo {
	case -1:
		freeze = "freeze()"
	case 0:
		freeze = "unfreeze()"
	}
	if p.LRFind {
		freeze += "; lr_find()"
	}
	return fmt.Sprintf("%s; fit_one_cycle(%d, %v)", freeze, p.Epochs, p.LR)
}

// RunPhases runs the phases in order: each one's freeze call, its lr_find if asked
// for, then its fit_one_cycle. The first error stops it and is returned naming the
// phase (1-based) and its calls.
func (l *Learner) RunPhases(phases []Phase) error {
	for i, p := range phases {
		if err := l.runPhase(p); err != nil {
			return fmt.Errorf("phase %d (%v): %w", i+1, p, err)
		}
	}
	return nil
}

// runPhase runs one phase (see RunPhases).
func (l *Learner) runPhase(p Phase) error {
	if p.Epochs < 1 {
		return fmt.Errorf("learner: a phase needs at least one epoch, got %d", p.Epochs)
	}
	l.FreezeTo(p.FreezeTo)
	if p.LRFind {
		o := DefaultLRFind()
		o.PlotPath = p.LRFindPlot
		if _, err := l.LRFind(o); err != nil {
			return err
		}
	}
	oc := DefaultOneCycle()
	if p.OneCycle != nil {
		oc = *p.OneCycle
	}
	return l.FitOneCycle(p.Epochs, p.LR, oc)
}
