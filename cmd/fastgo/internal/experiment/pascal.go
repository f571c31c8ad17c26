package experiment

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision"
)

// seedPhase is one phase of the seed's first learner: a freeze call, lr_find, then
// fit_one_cycle(epochs, lr).
type seedPhase struct {
	name   string
	freeze string
	apply  func(l *learner.Learner)
	epochs int
	lr     optim.LR
	lrText string // the lr as the seed writes it
}

// SeedPhases is the seed's first learner, in order (SPEC §11; the issue adds an lr_find
// before every fit).
var seedPhases = []seedPhase{
	{"frozen", "freeze()", (*learner.Learner).Freeze, 4, optim.LRValue(5e-2), "5e-2"},
	{"unfrozen", "unfreeze()", (*learner.Learner).Unfreeze, 4, optim.LRRange(1e-6, 1e-4), "slice(1e-6, 1e-4)"},
	{"freeze_to(-2)", "freeze_to(-2)", func(l *learner.Learner) { l.FreezeTo(-2) }, 2, optim.LRValue(1e-5), "1e-5"},
	{"freeze_to(-1)", "freeze_to(-1)", func(l *learner.Learner) { l.FreezeTo(-1) }, 3, optim.LRValue(5e-3), "5e-3"},
}

// Files written into the output folder besides the report and the checkpoint.
const (
	ShowBatchFile        = "show_batch.png"
	ShowResultsFile      = "show_results.png"
	ShowResultsFineTune  = "show_results_fine_tune.png"
	ModelFile            = "model.pth"
	FirstLearnerModel    = "model_learner1.pth"
	firstLearnerMetricTh = 0.5
)

// RunPascal runs the seed experiment (see the package doc and SPEC §11):
//
//	learner 1 = cnn_learner(dls, resnet34, loss=BCE, metrics=accuracy_multi)  (frozen)
//	  lr_find(); fit_one_cycle(4, 5e-2)
//	  unfreeze(); lr_find(); fit_one_cycle(4, slice(1e-6, 1e-4))
//	  freeze_to(-2); lr_find(); fit_one_cycle(2, 1e-5)
//	  freeze_to(-1); lr_find(); fit_one_cycle(3, 5e-3)
//	  show_results()
//	learner 2 = cnn_learner(dls, resnet34, metrics=accuracy_multi at 0.1…0.9)  (BCEWithLogits)
//	  fine_tune(1)
//
// printing fastai's tables and suggestions, and writing into o.Out the report, the
// lr_find and loss plots, show_batch and show_results, the models and a checkpoint after
// every epoch. Cancelling ctx stops the run after the current epoch's checkpoint with
// ErrInterrupted.
func RunPascal(ctx context.Context, o Options) (rep *report.Report, err error) {
	r, err := newRunner(ctx, o)
	if err != nil {
		return nil, err
	}
	defer func() { err = r.settle(err) }()
	if err := vision.SaveShowBatch(r.dls.Train, 0, filepath.Join(o.Out, ShowBatchFile), 9); err != nil {
		return nil, err
	}
	r.rep.Images["show_batch"] = ShowBatchFile
	if r.resume == nil || r.resumeStage == 1 {
		if err := r.firstLearner(); err != nil {
			return r.rep, err
		}
	} else {
		fmt.Fprintln(r.out, "learner 1 finished before the checkpoint: skipped")
	}
	if err := r.secondLearner(); err != nil {
		return r.rep, err
	}
	return r.rep, r.finish()
}

// firstLearner runs the seed's four phases and show_results.
func (r *runner) firstLearner() error {
	m, err := NewModel(r.o.Model, len(r.o.Dataset.Vocab), r.o.Seed)
	if err != nil {
		return err
	}
	plan := make([]planned, len(seedPhases))
	for i, sp := range seedPhases {
		plan[i] = planned{fit: 2*i + 1, phase: &report.Phase{Learner: 1, Name: sp.name, Freeze: sp.freeze,
			Fit: fmt.Sprintf("fit_one_cycle(%d, %s)", sp.epochs, sp.lrText)}}
	}
	cfg, call := r.firstConfig()
	l, phases, err := r.newLearner(1, m, cfg, plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "\nLearner 1: cnn_learner(dls, %s, %s): %s parameters, frozen\n", r.o.Model.Arch, call, report.Thousands(nn.NumParams(m)))
	l.Freeze() // cnn_learner freezes the body
	for i, sp := range seedPhases {
		p := phases[i]
		fmt.Fprintf(r.out, "\n== Phase %d/%d: %s; lr_find(); %s\n", i+1, len(seedPhases), sp.freeze, p.Fit)
		if i > 0 {
			sp.apply(l)
		}
		if err := r.lrFind(l, p, fmt.Sprintf("lr_find_%d.png", i+1)); err != nil {
			return err
		}
		if err := l.FitOneCycle(sp.epochs, sp.lr, learner.DefaultOneCycle()); err != nil {
			return err
		}
	}
	if err := r.showResults(m, ShowResultsFile, firstLearnerMetricTh); err != nil {
		return err
	}
	r.rep.Images["show_results"] = ShowResultsFile
	if err := r.saveModel(m, FirstLearnerModel, "learner 1"); err != nil {
		return err
	}
	if ev := phases[len(phases)-1].Eval; ev != nil {
		r.setResult(ev)
	}
	fmt.Fprintf(r.out, "\nshow_results: %s; model: %s\n", filepath.Join(r.o.Out, ShowResultsFile), filepath.Join(r.o.Out, FirstLearnerModel))
	return r.writeReport()
}

// secondLearner runs a fresh learner's fine_tune(1).
func (r *runner) secondLearner() error {
	m, err := NewModel(r.o.Model, len(r.o.Dataset.Vocab), r.o.Seed+1)
	if err != nil {
		return err
	}
	plan := []planned{
		{fit: 0, phase: &report.Phase{Learner: 2, Name: "fine_tune(1), frozen epoch", Freeze: "freeze()",
			Fit: "fit_one_cycle(1, slice(2e-3), pct_start=0.99)"}},
		{fit: 1, phase: &report.Phase{Learner: 2, Name: "fine_tune(1), unfrozen epoch", Freeze: "unfreeze()",
			Fit: "fit_one_cycle(1, slice(1e-5, 1e-3), pct_start=0.3, div=5)"}},
	}
	cfg, call := r.secondConfig()
	l, phases, err := r.newLearner(2, m, cfg, plan)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.out, "\nLearner 2: cnn_learner(dls, %s, %s); fine_tune(1)\n", r.o.Model.Arch, call)
	if err := l.FineTune(1, learner.DefaultFineTune()); err != nil {
		return err
	}
	if err := r.showResults(m, ShowResultsFineTune, 0.5); err != nil {
		return err
	}
	r.rep.Images["show_results (fine_tune)"] = ShowResultsFineTune
	if err := r.saveModel(m, ModelFile, "learner 2 (final)"); err != nil {
		return err
	}
	if ev := phases[len(phases)-1].Eval; ev != nil {
		r.setResult(ev)
	}
	return r.plotConfusion()
}

// setResult records a learner's final evaluation (replacing an earlier one of the same
// learner, as a resumed run recomputes it).
func (r *runner) setResult(ev *report.Eval) {
	for i, e := range r.rep.Results {
		if e.Learner == ev.Learner {
			r.rep.Results[i] = ev
			return
		}
	}
	r.rep.Results = append(r.rep.Results, ev)
}
