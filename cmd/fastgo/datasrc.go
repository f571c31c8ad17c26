package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/experiment"
	"github.com/fastgo/fastgo/cmd/fastgo/internal/fetch"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// Defaults of the built-in sample data set, chosen so that the whole seed sequence on the
// real ResNet34 finishes in a few minutes on two cores (see README).
const (
	sampleTrain = 640
	sampleValid = 160
	sampleSide  = 96 // generated image side
	sampleSize  = 64 // model input side
	sampleBS    = 16
	realSize    = 224 // fastai's aug_transforms(size=224)
	realBS      = 64
)

// sourceFlags are the data and loader flags every command that reads a data set shares:
// vision's DataFlags (-data, -csv or -json, the columns, -size, -bs, …) plus -download and,
// for commands that run without -data, the built-in sample's size.
type sourceFlags struct {
	*vision.DataFlags
	download, builtin        bool
	downloadURL              string
	sampleTrain, sampleValid int
	task                     string
}

// addSourceFlags registers the data and loader flags. builtinDefault says whether the
// command runs on the built-in sample when no -data is given.
func addSourceFlags(fs *flag.FlagSet, builtinDefault bool) *sourceFlags {
	f := &sourceFlags{DataFlags: vision.AddDataFlags(fs), builtin: builtinDefault}
	if builtinDefault {
		fs.Lookup("data").Usage += "; empty: the built-in sample"
		fs.Lookup("size").Usage = fmt.Sprintf("model input side (fastai aug_transforms size; 0: %d, %d on the built-in sample)", realSize, sampleSize)
		fs.Lookup("bs").Usage = fmt.Sprintf("batch size (0: %d, %d on the built-in sample)", realBS, sampleBS)
		fs.IntVar(&f.sampleTrain, "sample-train", sampleTrain, "built-in sample: training images")
		fs.IntVar(&f.sampleValid, "sample-valid", sampleValid, "built-in sample: validation images")
	} else {
		fs.Lookup("data").Usage += "; required"
	}
	fs.BoolVar(&f.download, "download", false, "download fastai's pascal_2007.tgz into $FASTGO_HOME/data (default ~/.fastgo/data) and use it as -data")
	fs.StringVar(&f.downloadURL, "download-url", fetch.PascalURL, "where -download fetches the archive")
	fs.StringVar(&f.task, "task", "", "single (one class per image: cross-entropy, accuracy) or multi (multi-label: BCE, accuracy_multi); empty: from the data")
	return f
}

// check validates the data flags.
func (f *sourceFlags) check() error {
	if err := f.DataFlags.Check(); err != nil {
		return usageError{err.Error()}
	}
	if f.builtin && (f.sampleTrain < 1 || f.sampleValid < 1 || f.sampleTrain+f.sampleValid > 100_000) {
		return usagef("-sample-train %d and -sample-valid %d: want at least 1 each and 100000 in all", f.sampleTrain, f.sampleValid)
	}
	if f.Dir != "" && f.download {
		return usagef("-data and -download exclude each other")
	}
	if f.task != "" && f.task != TaskSingle && f.task != TaskMulti {
		return usagef("-task %q: want single or multi", f.task)
	}
	if !f.builtin && f.Dir == "" && !f.download {
		return usagef("-data DIR is required (or -download)")
	}
	return nil
}

// dataFlags are the flags of the commands that train: the data flags plus the model's
// (-arch, -widths, -pretrained, -precision) and lr_find's.
type dataFlags struct {
	*sourceFlags
	arch, widths string
	pretrained   string
	lrFindIters  int
	precision    string
}

// addDataFlags registers the data, loader and model flags. builtinDefault says whether
// the command runs on the built-in sample when no -data is given.
func addDataFlags(fs *flag.FlagSet, builtinDefault bool) *dataFlags {
	f := &dataFlags{sourceFlags: addSourceFlags(fs, builtinDefault)}
	addConvFlag(fs)
	fs.StringVar(&f.arch, "arch", "resnet34", "the body: resnet18, resnet34 or resnet50 (torchvision's)")
	fs.StringVar(&f.widths, "widths", "64,128,256,512", "channels of the four stages; smaller values make quick test runs, not the experiment")
	fs.StringVar(&f.pretrained, "pretrained", "", "ImageNet weights for the body: torchvision's .pth of -arch (e.g. resnet34-b627a593.pth)")
	fs.IntVar(&f.lrFindIters, "lr-find-iters", 100, "lr_find's num_it (fastai: 100)")
	fs.StringVar(&f.precision, "precision", "fp32", precisionHelp)
	return f
}

// check validates the flags and -precision, and sets the precision.
func (f *dataFlags) check() error {
	if _, err := setPrecision(f.precision); err != nil {
		return err
	}
	if err := f.sourceFlags.check(); err != nil {
		return err
	}
	if f.lrFindIters < 1 {
		return usagef("-lr-find-iters %d: must be at least 1", f.lrFindIters)
	}
	if f.pretrained != "" {
		if _, err := os.Stat(f.pretrained); err != nil {
			return usagef("-pretrained %s: %v", f.pretrained, errText(err))
		}
	}
	_, err := f.modelOptions()
	return err
}

// errText is an error without the path os errors repeat.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// modelOptions parses -arch, -widths and -pretrained.
func (f *dataFlags) modelOptions() (experiment.ModelOptions, error) {
	var o experiment.ModelOptions
	arch, err := nn.ArchByName(f.arch)
	if err != nil {
		return o, usagef("-arch: %v", err)
	}
	o.Arch = arch
	w, err := parseWidths(f.widths)
	if err != nil {
		return o, err
	}
	o.Widths = w
	if o.Widths == nn.Widths {
		o.Widths = [4]int{}
	}
	o.Pretrained = f.pretrained
	return o, nil
}

// The tasks: single-label (one class per image) and multi-label classification.
const (
	TaskSingle = "single"
	TaskMulti  = "multi"
)

// source is a resolved data set.
type source struct {
	ds      *vision.Dataset
	desc    string
	builtin bool
	task    string // TaskSingle or TaskMulti
}

// describe names the data for the first line of output.
func (s *source) describe() string {
	if s.builtin {
		return "built-in sample (generated shapes) in " + s.desc
	}
	return s.desc
}

// load finds or makes the data set: -download, -data (CSV or COCO), or the built-in
// sample generated into out/sample_data.
func (f *sourceFlags) load(ctx context.Context, out string) (*source, error) {
	dir := f.Dir
	if f.download {
		cache, err := fetch.CacheDir()
		if err != nil {
			return nil, err
		}
		if dir, err = fetch.Dataset(ctx, f.downloadURL, cache, os.Stdout); err != nil {
			return nil, err
		}
	}
	if dir == "" {
		dir = filepath.Join(out, "sample_data")
		if _, err := synth.Generate(dir, synth.Options{Seed: 1, Train: f.sampleTrain, Valid: f.sampleValid, Size: sampleSide}); err != nil {
			return nil, fmt.Errorf("built-in sample: %w", err)
		}
		ds, err := vision.FromCSV(filepath.Join(dir, "train.csv"), vision.DefaultCSV())
		if err != nil {
			return nil, err
		}
		return f.withTask(&source{ds: ds, desc: dir, builtin: true})
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil {
			return nil, usagef("-data %s: not a folder", dir)
		}
		return nil, usagef("-data %s: %s", dir, errText(err))
	}
	ds, err := f.DatasetIn(dir)
	if err != nil {
		return nil, err
	}
	desc := dir
	switch f.Layout(dir) {
	case vision.LayoutFolders:
		desc += " (class folders)"
	case vision.LayoutIDX:
		desc += " (IDX)"
	}
	return f.withTask(&source{ds: ds, desc: desc})
}

// withTask sets the source's task: -task, or single-label when every image has exactly
// one label (class folders, IDX, a CSV of one label per row) and multi-label otherwise.
func (f *sourceFlags) withTask(s *source) (*source, error) {
	single := true
	for _, split := range [][]vision.Item{s.ds.Train, s.ds.Valid} {
		for _, it := range split {
			if len(it.Labels) != 1 {
				if f.task == TaskSingle {
					return nil, fmt.Errorf("-task single: %s has %d labels, a single-label task needs exactly one", it.Source, len(it.Labels))
				}
				single = false
			}
		}
	}
	s.task = f.task
	if s.task == "" {
		s.task = TaskMulti
		if single {
			s.task = TaskSingle
		}
	}
	return s, nil
}

// loaderOptions returns the loader settings: fastai's augmentation and ImageNet
// statistics, with the sizes the flags (or the data's defaults) give.
func (f *sourceFlags) loaderOptions(builtin bool) vision.LoaderOptions {
	if builtin {
		return f.LoaderOptionsWith(sampleSize, sampleBS)
	}
	return f.LoaderOptionsWith(realSize, realBS)
}
