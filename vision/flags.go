package vision

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// DataFlags are the command-line flags that choose a data set in fastai's layout and
// the loader settings: the one set of data flags every fastgo command uses, for programs
// that want the same. Register them with AddDataFlags. File flags (-csv, -json,
// -valid-json) name files inside the -data folder (an absolute path is taken as is).
type DataFlags struct {
	Dir                                   string // -data: the data folder
	CSV                                   string // -csv: from_df table inside Dir
	TrainJSON, ValidJSON                  string // -json, -valid-json: COCO-style annotations inside Dir, instead of CSV
	Folder                                string // -folder: image folder inside Dir
	FnCol, LabelCol, LabelDelim, ValidCol string // the CSV's columns (fastai fn_col, label_col, label_delim, valid_col)
	Suffix                                string // -suffix: appended to file names
	SkipBad                               bool   // -skip-bad: skip unreadable rows and images instead of failing
	Size, Resize, BatchSize               int    // 0: DefaultLoader's size and batch size, Resize size·460/224
	Workers, Prefetch                     int    // 0: GOMAXPROCS and 2
	Seed                                  uint64 // -seed: shuffling, crops and augmentation
	// ValidPct > 0 splits at random, this share for validation (fastai's valid_pct with
	// RandomSplitter(valid_pct, seed)): class folders without valid/, a CSV (its valid
	// column ignored), or IDX training files instead of the t10k ones.
	ValidPct float64
}

// AddDataFlags registers the data and loader flags on fs with fastai's defaults (the VOC
// recipe's CSV layout; size 224, batch size 64 and Resize(460) when left at 0).
func AddDataFlags(fs *flag.FlagSet) *DataFlags {
	f := &DataFlags{}
	c, l := DefaultCSV(), DefaultLoader()
	fs.StringVar(&f.Dir, "data", "", "data folder in fastai's layout (train.csv and train/), e.g. ../shared/data/pascal_2007; "+
		"or class folders (train/<class>/, valid/<class>/: fastai's from_folder) or MNIST-style IDX files (train-images-idx3-ubyte[.gz] …, validated on t10k-*)")
	fs.StringVar(&f.CSV, "csv", "train.csv", "from_df table (fname,labels,is_valid) inside -data")
	fs.StringVar(&f.TrainJSON, "json", "", "COCO-style training annotations inside -data (instead of -csv), e.g. train.json")
	fs.StringVar(&f.ValidJSON, "valid-json", "valid.json", "COCO-style validation annotations inside -data, with -json")
	fs.StringVar(&f.Folder, "folder", c.Folder, "image folder inside -data")
	fs.StringVar(&f.FnCol, "fn-col", c.FnameCol, "file name column of -csv: header name or 0-based position")
	fs.StringVar(&f.LabelCol, "label-col", c.LabelCol, "label column of -csv: header name or 0-based position")
	fs.StringVar(&f.LabelDelim, "label-delim", c.LabelDelim, `label separator in -csv ("" = one label per row)`)
	fs.StringVar(&f.ValidCol, "valid-col", c.ValidCol, `validation flag column of -csv ("" = every row trains)`)
	fs.StringVar(&f.Suffix, "suffix", "", "suffix appended to file names")
	fs.BoolVar(&f.SkipBad, "skip-bad", false, "skip unreadable rows and images (reported) instead of stopping")
	fs.IntVar(&f.Size, "size", 0, fmt.Sprintf("model input side (fastai aug_transforms size; 0: %d)", l.Size))
	fs.IntVar(&f.Resize, "resize", 0, "item resize side (fastai Resize(460); 0: size·460/224)")
	fs.IntVar(&f.BatchSize, "bs", 0, fmt.Sprintf("batch size (0: %d)", l.BatchSize))
	fs.IntVar(&f.Workers, "workers", 0, "loader goroutines (0: GOMAXPROCS)")
	fs.IntVar(&f.Prefetch, "prefetch", 0, "batches prepared ahead (0: 2)")
	fs.Float64Var(&f.ValidPct, "valid-pct", 0, "split at random, this share for validation (fastai valid_pct): class folders without valid/, a CSV instead of its valid column, IDX instead of t10k")
	fs.Uint64Var(&f.Seed, "seed", 0, "random seed: shuffling, crops and augmentation (and the model's initialisation where one is built)")
	return f
}

// Check validates the numeric flags.
func (f *DataFlags) Check() error {
	for _, c := range []struct {
		name string
		v    int
	}{{"size", f.Size}, {"resize", f.Resize}, {"bs", f.BatchSize}, {"workers", f.Workers}, {"prefetch", f.Prefetch}} {
		if c.v < 0 {
			return fmt.Errorf("-%s %d: must not be negative", c.name, c.v)
		}
	}
	if f.Size == 1 {
		return errors.New("-size 1: must be at least 2")
	}
	if !(f.ValidPct >= 0 && f.ValidPct < 1) {
		return fmt.Errorf("-valid-pct %g: want [0, 1)", f.ValidPct)
	}
	return nil
}

// inDir resolves a file flag against dir.
func inDir(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// Dataset reads the data set in the -data folder.
func (f *DataFlags) Dataset() (*Dataset, error) {
	if f.Dir == "" {
		return nil, errors.New("no data: give -data DIR")
	}
	return f.DatasetIn(f.Dir)
}

// The data set layouts DatasetIn reads.
const (
	LayoutCOCO    = "coco"    // -json: train.json / valid.json
	LayoutCSV     = "csv"     // -csv: a from_df table
	LayoutIDX     = "idx"     // MNIST-style IDX files
	LayoutFolders = "folders" // class folders (from_folder)
)

// Layout says how DatasetIn reads dir: COCO with -json; the CSV when it exists; IDX
// files when train-images-idx3-ubyte[.gz] exists; class folders when dir/train holds
// folders or ValidPct is set; else the CSV (whose absence is then the error).
func (f *DataFlags) Layout(dir string) string {
	switch {
	case f.TrainJSON != "":
		return LayoutCOCO
	case isFile(inDir(dir, f.CSV)):
		return LayoutCSV
	case idxPath(dir, "train-images-idx3-ubyte") != "":
		return LayoutIDX
	case f.ValidPct > 0 || hasSubdir(filepath.Join(dir, "train")):
		return LayoutFolders
	}
	return LayoutCSV
}

// hasSubdir reports whether dir holds a folder (a class folder of from_folder's layout;
// fastai's from_df layout keeps its images directly in train/).
func hasSubdir(dir string) bool {
	es, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range es {
		if e.IsDir() {
			return true
		}
	}
	return false
}

// DatasetIn reads the data set the flags describe from dir instead of -data (a folder
// the program chose: a download, a generated sample), in the layout Layout finds.
func (f *DataFlags) DatasetIn(dir string) (*Dataset, error) {
	switch f.Layout(dir) {
	case LayoutCOCO:
		return FromCOCO(inDir(dir, f.TrainJSON), inDir(dir, f.ValidJSON), COCOOptions{Folder: f.Folder, SkipBad: f.SkipBad})
	case LayoutIDX:
		return idxDataset(dir, f.ValidPct, f.Seed)
	case LayoutFolders:
		return FromFolder(dir, FolderOptions{Train: "train", Valid: "valid", ValidPct: f.ValidPct, Seed: f.Seed})
	}
	o := CSVOptions{FnameCol: f.FnCol, LabelCol: f.LabelCol, LabelDelim: f.LabelDelim,
		ValidCol: f.ValidCol, Folder: f.Folder, Suffix: f.Suffix, SkipBad: f.SkipBad}
	if f.ValidPct > 0 {
		o.ValidCol, o.ValidPct, o.Seed = "", f.ValidPct, f.Seed
	}
	return FromCSV(inDir(dir, f.CSV), o)
}

// idxDataset reads MNIST-style IDX files: train-* for training and t10k-* for
// validation, or train-* split at random with validPct > 0. The classes are the digits,
// or Fashion-MNIST's names when the folder's name contains "fashion".
func idxDataset(dir string, validPct float64, seed uint64) (*Dataset, error) {
	labels := idxPath(dir, "train-labels-idx1-ubyte")
	if labels == "" {
		return nil, fmt.Errorf("%s: train-images-idx3-ubyte without train-labels-idx1-ubyte", dir)
	}
	var vocab []string
	if strings.Contains(strings.ToLower(filepath.Base(filepath.Clean(dir))), "fashion") {
		vocab = FashionMNISTClasses
	}
	train, vocab, err := IDXItems(idxPath(dir, "train-images-idx3-ubyte"), labels, vocab)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Vocab: vocab}
	if validPct > 0 {
		ds.Train, ds.Valid, err = RandomSplit(train, validPct, seed)
		return ds, err
	}
	ti, tl := idxPath(dir, "t10k-images-idx3-ubyte"), idxPath(dir, "t10k-labels-idx1-ubyte")
	if ti == "" || tl == "" {
		return nil, fmt.Errorf("%s: no t10k-images-idx3-ubyte/t10k-labels-idx1-ubyte for validation (or give -valid-pct)", dir)
	}
	ds.Train = train
	ds.Valid, _, err = IDXItems(ti, tl, vocab)
	return ds, err
}

// idxPath returns dir/name.gz or dir/name, whichever exists, or "".
func idxPath(dir, name string) string {
	for _, n := range []string{name + ".gz", name} {
		if p := filepath.Join(dir, n); isFile(p) {
			return p
		}
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// LoaderOptions returns the loader options the flags set (fastai's augmentation and
// ImageNet statistics), with size and batch size falling back to DefaultLoader's.
func (f *DataFlags) LoaderOptions() LoaderOptions {
	return f.LoaderOptionsWith(0, 0)
}

// LoaderOptionsWith is LoaderOptions with other fallbacks for -size and -bs (0 keeps
// DefaultLoader's), for a program whose data calls for other defaults.
func (f *DataFlags) LoaderOptionsWith(size, bs int) LoaderOptions {
	o := DefaultLoader()
	if size > 0 {
		o.Size = size
	}
	if bs > 0 {
		o.BatchSize = bs
	}
	if f.Size > 0 {
		o.Size = f.Size
	}
	if f.BatchSize > 0 {
		o.BatchSize = f.BatchSize
	}
	o.Resize = f.Resize
	if o.Resize == 0 {
		o.Resize = int(math.Round(float64(o.Size) * 460 / 224))
	}
	o.Workers, o.Prefetch, o.Seed, o.SkipBad = f.Workers, f.Prefetch, f.Seed, f.SkipBad
	return o
}

// SkippedReport lists skipped inputs (none → ""), for printing at the end of a run.
func SkippedReport(items []BadItem) string {
	if len(items) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d input(s) skipped:\n", len(items))
	for _, it := range items {
		fmt.Fprintf(&b, "  %v\n", it)
	}
	return b.String()
}
