package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

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

// dataFlags are the flags that choose the data and the loader, shared by pascal, train
// and lr-find.
type dataFlags struct {
	data, csv, json, validJSON string
	download, builtin          bool
	downloadURL                string
	skipBad                    bool
	size, resize, bs, workers  int
	seed                       uint64
	sampleTrain, sampleValid   int
	arch, widths               string
	pretrained                 string
	lrFindIters                int
	task, labelDelim           string
	validPct                   float64
	precision                  string
}

// addDataFlags registers the data, loader and model flags. builtinDefault says whether
// the command runs on the built-in sample when no -data is given.
func addDataFlags(fs *flag.FlagSet, builtinDefault bool) *dataFlags {
	f := &dataFlags{builtin: builtinDefault}
	dataHelp := "data folder in fastai's layout (train.csv and train/); required"
	if builtinDefault {
		dataHelp = "data folder in fastai's layout (train.csv and train/), e.g. ../shared/data/pascal_2007; empty: the built-in sample"
	}
	fs.StringVar(&f.data, "data", "", dataHelp+
		"; also class folders (DIR/train/<class>/, DIR/valid/<class>/, fastai's from_folder) and MNIST-style IDX files (DIR/train-images-idx3-ubyte[.gz] …, validated on t10k-*)")
	fs.StringVar(&f.task, "task", "", "single (one class per image: cross-entropy, accuracy) or multi (multi-label: BCE, accuracy_multi); empty: from the data")
	fs.StringVar(&f.labelDelim, "label-delim", " ", `label separator of the CSV's label column ("": one label per row)`)
	fs.Float64Var(&f.validPct, "valid-pct", 0, "split at random, this share for validation (fastai valid_pct): for class folders without valid/, a CSV without is_valid, or IDX data instead of t10k")
	fs.StringVar(&f.csv, "csv", "train.csv", "from_df table (fname,labels,is_valid) inside -data")
	fs.StringVar(&f.json, "json", "", "COCO-style training annotations inside -data (instead of -csv), e.g. train.json")
	fs.StringVar(&f.validJSON, "valid-json", "valid.json", "COCO-style validation annotations inside -data, with -json")
	fs.BoolVar(&f.download, "download", false, "download fastai's pascal_2007.tgz into $FASTGO_HOME/data (default ~/.fastgo/data) and use it as -data")
	fs.StringVar(&f.downloadURL, "download-url", fetch.PascalURL, "where -download fetches the archive")
	fs.BoolVar(&f.skipBad, "skip-bad", false, "skip unreadable rows and images (reported) instead of stopping")
	sizeHelp := fmt.Sprintf("model input side (fastai aug_transforms size; 0: %d", realSize)
	bsHelp := fmt.Sprintf("batch size (0: %d", realBS)
	if builtinDefault {
		sizeHelp += fmt.Sprintf(", %d on the built-in sample", sampleSize)
		bsHelp += fmt.Sprintf(", %d on the built-in sample", sampleBS)
	}
	fs.IntVar(&f.size, "size", 0, sizeHelp+")")
	fs.IntVar(&f.resize, "resize", 0, "item resize side (fastai Resize(460); 0: size·460/224)")
	fs.IntVar(&f.bs, "bs", 0, bsHelp+")")
	fs.IntVar(&f.workers, "workers", 0, "loader goroutines (0: GOMAXPROCS)")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed: model initialisation, dropout, shuffling and augmentation")
	if builtinDefault {
		fs.IntVar(&f.sampleTrain, "sample-train", sampleTrain, "built-in sample: training images")
		fs.IntVar(&f.sampleValid, "sample-valid", sampleValid, "built-in sample: validation images")
	}
	fs.StringVar(&f.arch, "arch", "resnet34", "the body: resnet18, resnet34 or resnet50 (torchvision's)")
	fs.StringVar(&f.widths, "widths", "64,128,256,512", "channels of the four stages; smaller values make quick test runs, not the experiment")
	fs.StringVar(&f.pretrained, "pretrained", "", "ImageNet weights for the body: torchvision's .pth of -arch (e.g. resnet34-b627a593.pth)")
	fs.IntVar(&f.lrFindIters, "lr-find-iters", 100, "lr_find's num_it (fastai: 100)")
	fs.StringVar(&f.precision, "precision", "fp32", precisionHelp)
	return f
}

// check validates the numeric flags and -precision, and sets the precision.
func (f *dataFlags) check() error {
	if _, err := setPrecision(f.precision); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"size", f.size}, {"resize", f.resize}, {"bs", f.bs}, {"workers", f.workers}} {
		if c.v < 0 {
			return usagef("-%s %d: must not be negative", c.name, c.v)
		}
	}
	if f.size == 1 {
		return usagef("-size 1: must be at least 2")
	}
	if f.task != "" && f.task != TaskSingle && f.task != TaskMulti {
		return usagef("-task %q: want single or multi", f.task)
	}
	if f.validPct < 0 || f.validPct >= 1 {
		return usagef("-valid-pct %g: want [0, 1)", f.validPct)
	}
	if f.lrFindIters < 1 {
		return usagef("-lr-find-iters %d: must be at least 1", f.lrFindIters)
	}
	if f.builtin && (f.sampleTrain < 1 || f.sampleValid < 1 || f.sampleTrain+f.sampleValid > 100_000) {
		return usagef("-sample-train %d and -sample-valid %d: want at least 1 each and 100000 in all", f.sampleTrain, f.sampleValid)
	}
	if f.data != "" && f.download {
		return usagef("-data and -download exclude each other")
	}
	if !f.builtin && f.data == "" && !f.download {
		return usagef("-data DIR is required (or -download)")
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
	if o.Widths == experiment.FullWidths {
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
func (f *dataFlags) load(ctx context.Context, out string) (*source, error) {
	dir := f.data
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
	var ds *vision.Dataset
	var err error
	desc := dir
	idx := idxFile(dir, "train-images-idx3-ubyte")
	switch {
	case f.json != "":
		ds, err = vision.FromCOCO(filepath.Join(dir, f.json), filepath.Join(dir, f.validJSON), vision.COCOOptions{Folder: "train", SkipBad: f.skipBad})
	case fileExists(filepath.Join(dir, f.csv)):
		o := vision.DefaultCSV()
		o.SkipBad, o.LabelDelim = f.skipBad, f.labelDelim
		if f.validPct > 0 {
			o.ValidCol, o.ValidPct, o.Seed = "", f.validPct, f.seed
		}
		ds, err = vision.FromCSV(filepath.Join(dir, f.csv), o)
	case idx != "":
		ds, err = idxDataset(dir, f.validPct, f.seed)
		desc = dir + " (IDX)"
	case f.validPct > 0 || dirExists(filepath.Join(dir, "train")):
		o := vision.DefaultFolder()
		o.ValidPct, o.Seed = f.validPct, f.seed
		ds, err = vision.FromFolder(dir, o)
		desc = dir + " (class folders)"
	default:
		return nil, fmt.Errorf("%s: no such file, and %s has no class folders (train/<class>/) or IDX files either", filepath.Join(dir, f.csv), dir)
	}
	if err != nil {
		return nil, err
	}
	return f.withTask(&source{ds: ds, desc: desc})
}

// withTask sets the source's task: -task, or single-label when every image has exactly
// one label (class folders, IDX, a CSV of one label per row) and multi-label otherwise.
func (f *dataFlags) withTask(s *source) (*source, error) {
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

// idxDataset reads MNIST-style IDX files: train-* for training and t10k-* for
// validation, or train-* split at random with validPct > 0.
func idxDataset(dir string, validPct float64, seed uint64) (*vision.Dataset, error) {
	labels := idxFile(dir, "train-labels-idx1-ubyte")
	if labels == "" {
		return nil, fmt.Errorf("-data %s: train-images-idx3-ubyte without train-labels-idx1-ubyte", dir)
	}
	var vocab []string // digits, or Fashion-MNIST's names when the folder says so
	if strings.Contains(strings.ToLower(filepath.Base(filepath.Clean(dir))), "fashion") {
		vocab = vision.FashionMNISTClasses
	}
	train, vocab, err := vision.IDXItems(idxFile(dir, "train-images-idx3-ubyte"), labels, vocab)
	if err != nil {
		return nil, err
	}
	ds := &vision.Dataset{Vocab: vocab}
	if validPct > 0 {
		ds.Train, ds.Valid, err = vision.RandomSplit(train, validPct, seed)
		return ds, err
	}
	ti, tl := idxFile(dir, "t10k-images-idx3-ubyte"), idxFile(dir, "t10k-labels-idx1-ubyte")
	if ti == "" || tl == "" {
		return nil, fmt.Errorf("-data %s: no t10k-images-idx3-ubyte/t10k-labels-idx1-ubyte for validation (or give -valid-pct)", dir)
	}
	ds.Train = train
	ds.Valid, _, err = vision.IDXItems(ti, tl, vocab)
	return ds, err
}

// idxFile returns dir/name.gz or dir/name, whichever exists, or "".
func idxFile(dir, name string) string {
	for _, n := range []string{name + ".gz", name} {
		if p := filepath.Join(dir, n); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// loaderOptions returns the loader settings: fastai's augmentation and ImageNet
// statistics, with the sizes the flags (or the data's defaults) give.
func (f *dataFlags) loaderOptions(builtin bool) vision.LoaderOptions {
	o := vision.DefaultLoader()
	o.Size, o.BatchSize = realSize, realBS
	if builtin {
		o.Size, o.BatchSize = sampleSize, sampleBS
	}
	if f.size > 0 {
		o.Size = f.size
	}
	if f.bs > 0 {
		o.BatchSize = f.bs
	}
	o.Resize = f.resize
	if o.Resize == 0 {
		o.Resize = int(math.Round(float64(o.Size) * 460 / 224))
	}
	o.Workers, o.Seed, o.SkipBad = f.workers, f.seed, f.skipBad
	return o
}
