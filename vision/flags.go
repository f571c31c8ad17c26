package vision

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// DefaultVOCCSV is where the shared PASCAL VOC 2007 table lies relative to the
// repository root.
const DefaultVOCCSV = "../shared/data/pascal_2007/train.csv"

// DataFlags are the command-line flags that choose a data set and the loader settings,
// shared by fastgo's commands. Register them with AddDataFlags.
type DataFlags struct {
	CSV, TrainJSON, ValidJSON, Folder     string
	FnCol, LabelCol, LabelDelim, ValidCol string
	Suffix                                string
	SkipBad                               bool
	BatchSize, Resize, Size               int
	Workers, Prefetch                     int
	Seed                                  uint64
}

// AddDataFlags registers the data flags on fs with the VOC recipe's defaults.
func AddDataFlags(fs *flag.FlagSet) *DataFlags {
	f := &DataFlags{}
	c, l := DefaultCSV(), DefaultLoader()
	fs.StringVar(&f.CSV, "csv", DefaultVOCCSV, "from_df table (fname,labels,is_valid); ignored when -train-json is set")
	fs.StringVar(&f.TrainJSON, "train-json", "", "COCO-style training annotations (instead of -csv), e.g. .../train.json")
	fs.StringVar(&f.ValidJSON, "valid-json", "", "COCO-style validation annotations, with -train-json")
	fs.StringVar(&f.Folder, "folder", c.Folder, "image folder, relative to the CSV/JSON file's directory")
	fs.StringVar(&f.FnCol, "fn-col", c.FnameCol, "file name column: header name or 0-based position")
	fs.StringVar(&f.LabelCol, "label-col", c.LabelCol, "label column: header name or 0-based position")
	fs.StringVar(&f.LabelDelim, "label-delim", c.LabelDelim, `label separator ("" = one label per row)`)
	fs.StringVar(&f.ValidCol, "valid-col", c.ValidCol, `validation flag column ("" = every row trains)`)
	fs.StringVar(&f.Suffix, "suffix", "", "suffix appended to file names")
	fs.BoolVar(&f.SkipBad, "skip-bad", false, "skip unreadable rows and images (reported at the end) instead of stopping")
	fs.IntVar(&f.BatchSize, "bs", l.BatchSize, "batch size")
	fs.IntVar(&f.Resize, "resize", l.Resize, "item resize side (fastai Resize)")
	fs.IntVar(&f.Size, "size", l.Size, "model input side (aug_transforms size)")
	fs.IntVar(&f.Workers, "workers", 0, "loader goroutines (0 = GOMAXPROCS)")
	fs.IntVar(&f.Prefetch, "prefetch", 0, "batches prepared ahead (0 = 2)")
	fs.Uint64Var(&f.Seed, "seed", 0, "random seed for shuffling, crops and augmentation")
	return f
}

// Dataset reads the data set the flags name.
func (f *DataFlags) Dataset() (*Dataset, error) {
	if f.TrainJSON != "" || f.ValidJSON != "" {
		if f.TrainJSON == "" || f.ValidJSON == "" {
			return nil, errors.New("-train-json and -valid-json go together")
		}
		return FromCOCO(f.TrainJSON, f.ValidJSON, COCOOptions{Folder: f.Folder, SkipBad: f.SkipBad})
	}
	if f.CSV == "" {
		return nil, errors.New("no data: give -csv or -train-json and -valid-json")
	}
	return FromCSV(f.CSV, CSVOptions{FnameCol: f.FnCol, LabelCol: f.LabelCol, LabelDelim: f.LabelDelim,
		ValidCol: f.ValidCol, Folder: f.Folder, Suffix: f.Suffix, SkipBad: f.SkipBad})
}

// LoaderOptions returns the loader options the flags set (fastai's augmentation and
// ImageNet statistics).
func (f *DataFlags) LoaderOptions() LoaderOptions {
	o := DefaultLoader()
	o.BatchSize, o.Resize, o.Size = f.BatchSize, f.Resize, f.Size
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
