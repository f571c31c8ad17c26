package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/experiment"
	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
)

func init() {
	register(&command{
		name:    "train",
		summary: "one fit_one_cycle of the seed's learner on a folder in fastai's layout",
		run:     runTrain,
	})
	register(&command{
		name:    "lr-find",
		summary: "fastai's lr_find for the seed's learner: the loss-vs-lr plot and suggestions",
		run:     runLRFind,
	})
}

// freezeFlags are -unfreeze and -freeze-to, shared by train and lr-find.
type freezeFlags struct {
	unfreeze bool
	freezeTo int
}

func addFreezeFlags(fs *flag.FlagSet) *freezeFlags {
	f := &freezeFlags{}
	fs.BoolVar(&f.unfreeze, "unfreeze", false, "train every layer group (fastai unfreeze(); freeze_to(0))")
	fs.IntVar(&f.freezeTo, "freeze-to", -1, "train the groups from this one on (fastai freeze_to; -1 = freeze(): head and batch norms)")
	return f
}

// value returns the freeze_to argument.
func (f *freezeFlags) value(set map[string]bool) (int, error) {
	if f.unfreeze && set["freeze-to"] {
		return 0, usagef("-unfreeze and -freeze-to exclude each other")
	}
	if f.unfreeze {
		return 0, nil
	}
	if f.freezeTo < -3 || f.freezeTo > 3 {
		return 0, usagef("-freeze-to %d: ResNet34 has 3 layer groups; want -3 … 3", f.freezeTo)
	}
	return f.freezeTo, nil
}

// setFlags returns the names of the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func runTrain(args []string) error {
	fs := newFlagSet("train", "-data DIR [-csv F | -json F] [-arch resnet34] -epochs N -lr MAX [-lr-lo MIN] [-unfreeze | -freeze-to K] [flags]",
		"Builds the seed's learner (cnn_learner(-arch), the seed's BCE loss, accuracy_multi), freezes it as\n"+
			"asked (frozen body by default, as cnn_learner does), runs fit_one_cycle(N, MAX) — or\n"+
			"fit_one_cycle(N, slice(MIN, MAX)) with -lr-lo — and show_results, and saves the model.\n"+
			"Outputs, checkpoints and -resume work as in fastgo pascal.\n\n"+
			"Example (from scratch on PASCAL VOC 2007):\n  fastgo train -data ../shared/data/pascal_2007 -unfreeze -epochs 13 -lr 3e-3 -size 128")
	df := addDataFlags(fs, false)
	ff := addFreezeFlags(fs)
	epochs := fs.Int("epochs", 0, "number of epochs (required)")
	lr := fs.Float64("lr", 0, "maximum learning rate (required)")
	lrLo := fs.Float64("lr-lo", 0, "lowest learning rate: the groups get fastai's slice(lr-lo, lr)")
	lrFind := fs.Bool("lr-find", false, "run lr_find before the fit")
	out := fs.String("out", "out/train", "output folder")
	resume := fs.Bool("resume", false, "continue from the checkpoint in -out")
	quiet := fs.Bool("quiet", false, "no progress display (tables only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *epochs < 1 {
		return usagef("-epochs N is required (at least 1)")
	}
	if !(*lr > 0) {
		return usagef("-lr MAX is required (a positive learning rate)")
	}
	if *lrLo < 0 || *lrLo > *lr {
		return usagef("-lr-lo %g: want 0 < lr-lo ≤ lr (%g)", *lrLo, *lr)
	}
	if err := df.check(); err != nil {
		return err
	}
	freezeTo, err := ff.value(setFlags(fs))
	if err != nil {
		return err
	}
	t := experiment.TrainOptions{Epochs: *epochs, LR: optim.LRValue(*lr), LRText: pyNum(*lr), FreezeTo: freezeTo, LRFind: *lrFind}
	if *lrLo > 0 {
		t.LR, t.LRText = optim.LRRange(*lrLo, *lr), fmt.Sprintf("slice(%s, %s)", pyNum(*lrLo), pyNum(*lr))
	}
	return runExperiment(experimentRun{command: "train", args: args, df: df, out: *out, resume: *resume, quiet: *quiet}, nil,
		func(ctx context.Context, o experiment.Options) (*report.Report, error) {
			return experiment.RunTrain(ctx, o, t)
		})
}

func runLRFind(args []string) error {
	fs := newFlagSet("lr-find", "-data DIR [-unfreeze | -freeze-to K] [flags]",
		"Builds the seed's learner (frozen body by default, as cnn_learner does), runs fastai's lr_find\n"+
			"(learning rate 1e-7 → 10 over -lr-find-iters batches, stopping when the loss diverges),\n"+
			"prints SuggestedLRs(lr_min, lr_steep) and writes the curve to -out/lr_find.png.\n\n"+
			"Example:\n  fastgo lr-find -data ../shared/data/pascal_2007 -unfreeze -arch resnet18")
	df := addDataFlags(fs, false)
	ff := addFreezeFlags(fs)
	out := fs.String("out", "out/lr-find", "output folder")
	quiet := fs.Bool("quiet", false, "no progress display")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if err := df.check(); err != nil {
		return err
	}
	freezeTo, err := ff.value(setFlags(fs))
	if err != nil {
		return err
	}
	mo, err := df.modelOptions()
	if err != nil {
		return err
	}
	ctx, stop := interruptible()
	defer stop()
	src, err := df.load(ctx, *out)
	if err != nil {
		return err
	}
	o := experiment.Options{Dataset: src.ds, Source: src.desc, Loader: df.loaderOptions(src.builtin),
		Model: mo, Seed: df.Seed, LRFindIters: df.lrFindIters, Out: *out, Command: "lr-find", Args: args,
		Single: src.task == TaskSingle}
	if *quiet {
		o.Progress = learner.ProgressOff
	}
	if _, err := experiment.RunLRFind(ctx, o, freezeTo); err != nil {
		return err
	}
	fmt.Printf("lr_find plot: %s\n", filepath.Join(*out, "lr_find.png"))
	return nil
}

// pyNum writes a learning rate compactly (5e-2 stays 0.05, 3e-3 stays 0.003).
func pyNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
