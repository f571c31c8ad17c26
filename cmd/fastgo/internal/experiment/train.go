package experiment

import (
	"context"
	"fmt"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
)

// TrainOptions are one fit of the seed's first learner.
type TrainOptions struct {
	// Epochs and LR are fit_one_cycle's arguments; LRText is the lr as the user wrote it.
	Epochs int
	LR     optim.LR
	LRText string
	// FreezeTo is the freeze_to argument applied before fitting, as fastai indexes
	// groups: -1 is cnn_learner's freeze() (head and batch norms train), 0 unfreeze().
	FreezeTo int
	// LRFind runs lr_find before the fit.
	LRFind bool
}

// freezeCall writes the freeze call as fastai would.
func freezeCall(n int) string {
	switch n {
	case -1:
		return "freeze()"
	case 0:
		return "unfreeze()"
	}
	return fmt.Sprintf("freeze_to(%d)", n)
}

// RunTrain builds the seed's first learner (cnn_learner(arch), BCE loss,
// accuracy_multi, frozen), applies freeze_to(t.FreezeTo), optionally runs lr_find, runs
// fit_one_cycle(t.Epochs, t.LR) and show_results, and saves the model, with the same
// report, checkpoints and resuming as RunPascal.
func RunTrain(ctx context.Context, o Options, t TrainOptions) (rep *report.Report, err error) {
	if t.Epochs < 1 {
		return nil, fmt.Errorf("-epochs %d: must be at least 1", t.Epochs)
	}
	if _, err := t.LR.Spread(3); err != nil || t.LR.IsZero() {
		return nil, fmt.Errorf("learning rate %s: %v", t.LRText, err)
	}
	if o.Settings == nil {
		o.Settings = map[string]string{}
	}
	o.Settings["epochs"] = fmt.Sprint(t.Epochs)
	o.Settings["lr"] = t.LR.String()
	o.Settings["freeze"] = freezeCall(t.FreezeTo)
	o.Settings["lr_find"] = fmt.Sprint(t.LRFind)
	r, err := newRunner(ctx, o)
	if err != nil {
		return nil, err
	}
	defer func() { err = r.settle(err) }()
	m, err := NewModel(o.Model, len(o.Dataset.Vocab), o.Seed)
	if err != nil {
		return nil, err
	}
	p := &report.Phase{Learner: 1, Name: "train", Freeze: freezeCall(t.FreezeTo),
		Fit: fmt.Sprintf("fit_one_cycle(%d, %s)", t.Epochs, t.LRText)}
	fit := 0
	if t.LRFind {
		fit = 1
	}
	cfg, call := r.firstConfig()
	l, phases, err := r.newLearner(1, m, cfg, []planned{{phase: p, fit: fit}})
	if err != nil {
		return nil, err
	}
	p = phases[0]
	fmt.Fprintf(r.out, "\ncnn_learner(dls, %s, %s): %s parameters; %s\n", r.o.Model.Arch, call, report.Thousands(r.rep.Model.Params), p.Freeze)
	l.FreezeTo(t.FreezeTo)
	if t.LRFind {
		if err := r.lrFind(l, p, "lr_find.png"); err != nil {
			return r.rep, err
		}
	}
	if err := l.FitOneCycle(t.Epochs, t.LR, learner.DefaultOneCycle()); err != nil {
		return r.rep, err
	}
	if err := r.showResults(m, ShowResultsFile, firstLearnerMetricTh); err != nil {
		return r.rep, err
	}
	r.rep.Images["show_results"] = ShowResultsFile
	if err := r.saveModel(m, ModelFile, "trained"); err != nil {
		return r.rep, err
	}
	if p.Eval != nil {
		r.setResult(p.Eval)
	}
	if err := r.plotConfusion(); err != nil {
		return r.rep, err
	}
	return r.rep, r.finish()
}

// RunLRFind builds the seed's first learner, applies freeze_to(freezeTo), runs lr_find
// and writes its plot (lr_find.png) and a report into o.Out.
func RunLRFind(ctx context.Context, o Options, freezeTo int) (*report.Report, error) {
	o.Resume = false
	r, err := newRunner(ctx, o)
	if err != nil {
		return nil, err
	}
	m, err := NewModel(o.Model, len(o.Dataset.Vocab), o.Seed)
	if err != nil {
		return nil, err
	}
	p := &report.Phase{Learner: 1, Name: "lr_find", Freeze: freezeCall(freezeTo), Fit: "(none)"}
	cfg, _ := r.firstConfig()
	l, phases, err := r.newLearner(1, m, cfg, []planned{{phase: p, fit: -1}})
	if err != nil {
		return nil, err
	}
	l.FreezeTo(freezeTo)
	if err := r.lrFind(l, phases[0], "lr_find.png"); err != nil {
		return r.rep, err
	}
	phases[0].Done = true
	return r.rep, r.finish()
}
