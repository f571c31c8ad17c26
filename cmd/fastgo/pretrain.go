package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/fetch"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/pretrain"
	"github.com/fastgo/fastgo/vision/synth"
)

func init() {
	register(&command{
		name:    "pretrain",
		summary: "train a ResNet body (-arch, default resnet34) from scratch on a class-folder data set (built-in: generated shapes and textures) and save it for -pretrained",
		run:     runPretrain,
	})
}

// Defaults of the built-in pretraining step of fastgo pascal: a generated single-label
// data set (synth.GeneratePretrain), the residual blocks' last batch norms starting at
// zero (see the README's first-run section for why these values).
const (
	pretrainTrain    = 1600
	pretrainValid    = 320
	pretrainEpochs   = 4
	pretrainLR       = 3e-3
	pretrainZeroInit = true
	pretrainSize     = 0 // 0: the run's -size
)

// pretrainFlags are the settings of a pretraining run.
type pretrainFlags struct {
	train, valid, epochs int
	lr                   float64
	zeroInit             bool
	// size, bs and seed are fastgo pascal's -pretrain-size, -pretrain-bs and
	// -pretrain-seed (fastgo pretrain takes -size, -bs and -seed): 0, 0 and -1 keep the
	// run's.
	size, bs int
	seed     int64
}

// addPretrainFlags registers them; pascal prefixes them with "pretrain-".
func addPretrainFlags(fs *flag.FlagSet, prefix string) *pretrainFlags {
	p := &pretrainFlags{seed: -1}
	fs.IntVar(&p.train, prefix+"train", pretrainTrain, "generated pretraining data: training images")
	fs.IntVar(&p.valid, prefix+"valid", pretrainValid, "generated pretraining data: validation images")
	fs.IntVar(&p.epochs, prefix+"epochs", pretrainEpochs, "pretraining: fit_one_cycle epochs")
	fs.Float64Var(&p.lr, prefix+"lr", pretrainLR, "pretraining: fit_one_cycle lr_max")
	fs.BoolVar(&p.zeroInit, prefix+"zero-init", pretrainZeroInit, "pretraining: start each residual block's last batch norm at weight 0 (torchvision's zero_init_residual=True; =false: torchvision's default)")
	if prefix != "" { // fastgo pretrain has -size, -bs and -seed of its own
		fs.IntVar(&p.size, prefix+"size", pretrainSize, "pretraining: model input side (0: -size); Resize keeps fastai's 460/224 ratio")
		fs.IntVar(&p.bs, prefix+"bs", 0, "pretraining: batch size (0: -bs)")
		fs.Int64Var(&p.seed, prefix+"seed", -1, "pretraining: random seed of the initialisation, shuffle and augmentation (-1: -seed)")
	}
	return p
}

func (p *pretrainFlags) check(prefix string) error {
	if p.train < 1 || p.valid < 0 || p.train+p.valid > 100_000 || p.epochs < 1 || !(p.lr > 0) {
		return usagef("-%strain %d, -%svalid %d, -%sepochs %d, -%slr %g: want ≥ 1 training images, ≥ 0 validation, 100000 in all, ≥ 1 epoch and a positive lr",
			prefix, p.train, prefix, p.valid, prefix, p.epochs, prefix, p.lr)
	}
	if p.size < 0 || p.size == 1 || p.bs < 0 || p.seed < -1 {
		return usagef("-%ssize %d, -%sbs %d, -%sseed %d: want a size ≥ 2 (0: -size), a batch size ≥ 1 (0: -bs) and a seed ≥ 0 (-1: -seed)",
			prefix, p.size, prefix, p.bs, prefix, p.seed)
	}
	return nil
}

// options returns the pretraining options on the loader settings lo (the run's size,
// batch size and seed unless the flags set the pretraining's own).
func (p *pretrainFlags) options(arch nn.Arch, widths [4]int, lo vision.LoaderOptions, seed uint64, out io.Writer, progress learner.ProgressMode) pretrain.Options {
	o := pretrain.Default()
	if p.size > 0 {
		lo.Size, lo.Resize = p.size, int(math.Round(float64(p.size)*460/224))
	}
	if p.bs > 0 {
		lo.BatchSize = p.bs
	}
	if p.seed >= 0 {
		seed = uint64(p.seed)
	}
	lo.Seed = seed
	o.Arch, o.Widths, o.Epochs, o.LR, o.Loader, o.Seed, o.Out, o.Progress = arch, widths, p.epochs, p.lr, lo, seed, out, progress
	o.ZeroInitResidual = p.zeroInit
	return o
}

func runPretrain(args []string) error {
	fs := newFlagSet("pretrain", "[-data DIR] [-out body.pth] [-epochs 4] [-lr 3e-3] [-size 64] [-bs 16]",
		"Trains torchvision's ResNet34 (avgpool and fc) from scratch as a single-label classifier —\n"+
			"cross-entropy, fit_one_cycle(epochs, lr) with everything unfrozen, each residual block's last\n"+
			"batch norm starting at zero (torchvision's zero_init_residual=True; -zero-init=false: its\n"+
			"default) — and saves its state dict\n"+
			"in torchvision's layout (conv1.weight … fc.bias), the form of ImageNet's resnet34-b627a593.pth,\n"+
			"which -pretrained takes (and torch's resnet34().load_state_dict).\n\n"+
			"-data DIR is a single-label data set: class folders as fastai's from_folder reads them\n"+
			"(DIR/train/<class>/*.jpg and DIR/valid/<class>/*.jpg, or DIR/…/<class>/*.jpg with -valid-pct),\n"+
			"MNIST-style IDX files, or a CSV of one label per row (-label-delim \"\"). Without\n"+
			"-data it generates the built-in pretraining set (shapes and textures that the built-in\n"+
			"multi-label sample does not contain) into the output folder, as fastgo pascal's first step does.\n\n"+
			"Examples:\n  fastgo pretrain\n"+
			"  fastgo pretrain -data /usr/share/datasets/fashion-mnist -valid-pct 0.1 -size 28 -resize 28 -out out/fmnist_body.pth")
	df := addDataFlags(fs, true)
	pf := addPretrainFlags(fs, "")
	out := fs.String("out", "out/pretrain/resnet34_pretrained.pth", "the .pth file to write")
	quiet := fs.Bool("quiet", false, "no progress display (tables only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if err := df.check(); err != nil {
		return err
	}
	if err := pf.check(""); err != nil {
		return err
	}
	if df.download || df.pretrained != "" {
		return usagef("pretrain takes -data DIR (class folders) or nothing (the built-in set)")
	}
	mo, err := df.modelOptions()
	if err != nil {
		return err
	}
	lo := df.loaderOptions(df.Dir == "")
	progress := learner.ProgressAuto
	if *quiet {
		progress = learner.ProgressOff
	}
	ctx, stop := interruptible()
	defer stop()
	var ds *vision.Dataset
	dir := df.Dir
	if dir == "" {
		dir = filepath.Join(filepath.Dir(*out), "pretrain_data")
		if _, err := synth.GeneratePretrain(dir, synth.Options{Seed: 1, Train: pf.train, Valid: pf.valid, Size: sampleSide}); err != nil {
			return fmt.Errorf("pretraining data: %w", err)
		}
		ds, err = vision.FromFolder(dir, vision.DefaultFolder())
		if err != nil {
			return err
		}
	} else {
		src, err := df.load(ctx, filepath.Dir(*out))
		if err != nil {
			return err
		}
		if src.task != TaskSingle {
			return fmt.Errorf("-data %s: pretraining needs single-label data (one class per image: class folders, IDX, or a CSV of one label per row)", dir)
		}
		ds = src.ds
	}
	fmt.Printf("data: %s: %d training, %d validation images, %d classes; size %d, Resize(%d), batch size %d\n",
		dir, len(ds.Train), len(ds.Valid), len(ds.Vocab), lo.Size, lo.Resize, lo.BatchSize)
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	o := pf.options(mo.Arch, mo.Widths, lo, df.Seed, os.Stdout, progress)
	start := time.Now()
	res, err := trainBody(ctx, ds, o, *out)
	if err != nil {
		return err
	}
	fmt.Printf("\npretrained %s: %s (validation accuracy %.4f, %s); use it with -pretrained %s\n",
		mo.Arch, *out, res.Accuracy, learner.FormatTime(time.Since(start).Seconds()), *out)
	return nil
}

// trainBody pretrains on ds and saves the network to path atomically (a temporary file,
// then a rename). Cancelling ctx stops it at the next batch.
func trainBody(ctx context.Context, ds *vision.Dataset, o pretrain.Options, path string) (*pretrain.Result, error) {
	o.Callbacks = append(o.Callbacks, learner.CallbackFunc(func(e learner.Event, l *learner.Learner) error {
		if e == learner.AfterBatch && ctx.Err() != nil {
			return errors.New("interrupted during pretraining; nothing saved")
		}
		return nil
	}))
	res, err := pretrain.Train(ds, o)
	if err != nil {
		return nil, err
	}
	tmp := path + ".tmp"
	if err := pretrain.Save(tmp, o.Arch, res.Net, ds.Vocab); err != nil {
		return nil, err
	}
	return res, os.Rename(tmp, path)
}

// builtinBody returns the pretrained body of the built-in first run: the cached file
// under $FASTGO_HOME/pretrained (default ~/.fastgo) when this recipe has been trained
// before, else it generates the pretraining set, trains and caches it. Its file name
// carries a hash of every setting that changes the weights.
func builtinBody(ctx context.Context, pf *pretrainFlags, arch nn.Arch, widths [4]int, lo vision.LoaderOptions, seed uint64, progress learner.ProgressMode) (string, error) {
	data, err := fetch.CacheDir()
	if err != nil {
		return "", err
	}
	home := filepath.Dir(data)
	o := pf.options(arch, widths, lo, seed, os.Stdout, progress)
	key := fmt.Sprintf("synth-pretrain v3 arch %s widths %v size %d resize %d bs %d train %d valid %d side %d epochs %d lr %g seed %d zero-init %v",
		arch, widths, o.Loader.Size, o.Loader.Resize, o.Loader.BatchSize, pf.train, pf.valid, sampleSide, o.Epochs, o.LR, o.Seed, o.ZeroInitResidual)
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(home, "pretrained", "synth-"+arch.String()+"-"+hex.EncodeToString(sum[:6])+".pth")
	if _, err := os.Stat(path); err == nil {
		fmt.Printf("pretrained body: %s (cached; delete it to pretrain again)\n", path)
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("pretrained body cache: %w", err)
	}
	start := time.Now()
	dir, err := os.MkdirTemp(filepath.Dir(path), "data-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if _, err := synth.GeneratePretrain(dir, synth.Options{Seed: 1, Train: pf.train, Valid: pf.valid, Size: sampleSide}); err != nil {
		return "", fmt.Errorf("pretraining data: %w", err)
	}
	ds, err := vision.FromFolder(dir, vision.DefaultFolder())
	if err != nil {
		return "", err
	}
	zi := ""
	if o.ZeroInitResidual {
		zi = ", zero_init_residual"
	}
	fmt.Printf("\nPretraining: torchvision %s from scratch on a generated single-label set (%d training, %d validation images;\n"+
		"  %d classes: %v — none of the sample's shapes or colours); cross-entropy, fit_one_cycle(%d, %g)%s,\n"+
		"  size %d, Resize(%d), batch size %d, seed %d\n",
		arch, len(ds.Train), len(ds.Valid), len(ds.Vocab), ds.Vocab, o.Epochs, o.LR, zi, o.Loader.Size, o.Loader.Resize, o.Loader.BatchSize, o.Seed)
	res, err := trainBody(ctx, ds, o, path)
	if err != nil {
		return "", err
	}
	fmt.Printf("pretrained body: %s (validation accuracy %.4f, %s; cached for later runs)\n",
		path, res.Accuracy, learner.FormatTime(time.Since(start).Seconds()))
	return path, nil
}
