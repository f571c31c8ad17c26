package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/fastgo/fastgo/vision"
)

func init() {
	registerBench(&benchKind{
		name:    "loader",
		summary: "data pipeline images/s (decode, resize, augment, normalize) per worker count",
		run:     runBenchLoader,
	})
}

func runBenchLoader(args []string) error {
	fs := newFlagSet("bench loader", "[-data DIR] [-workers-list N[,N...]] [-batches N] [-valid] [data flags]",
		"Pulls batches from the training loader (or -valid) as fast as it delivers them, for each worker\n"+
			"count, and prints images per second, process CPU time per image and the time per stage.\n"+
			"The stage times are wall-clock per image inside a worker: on a loaded machine they include\n"+
			"time spent waiting for a core. Without -data it measures the built-in sample (small images);\n"+
			"the real pipeline's numbers need the real data.\n\n"+
			"Example:\n  fastgo bench loader -data ../shared/data/pascal_2007 -workers-list 1,2 -batches 5")
	df := addSourceFlags(fs, true)
	list := fs.String("workers-list", "", "worker counts, comma-separated (default 1 and GOMAXPROCS)")
	batches := fs.Int("batches", 10, "batches per measurement")
	valid := fs.Bool("valid", false, "measure the validation loader (no augmentation)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *batches < 1 {
		return usagef("-batches must be positive")
	}
	counts := []int{1}
	if p := runtime.GOMAXPROCS(0); p > 1 {
		counts = append(counts, p)
	}
	if *list != "" {
		var err error
		if counts, err = parseCounts("workers-list", "count", *list); err != nil {
			return err
		}
	}
	if err := df.check(); err != nil {
		return err
	}
	src, err := df.load(context.Background(), "out") // the built-in sample goes to out/sample_data
	if err != nil {
		return err
	}
	ds, lo := src.ds, df.loaderOptions(src.builtin)
	items := ds.Train
	if *valid {
		items = ds.Valid
	}
	fmt.Printf("%d images, batch size %d, resize %d, size %d, GOMAXPROCS %d\n", len(items), lo.BatchSize, lo.Resize, lo.Size, runtime.GOMAXPROCS(0))
	for _, w := range counts {
		o := lo
		o.Workers = w
		l, err := vision.NewLoader(items, ds.Vocab, !*valid, o)
		if err != nil {
			return err
		}
		r, err := vision.MeasureLoader(l, *batches)
		if err != nil {
			return err
		}
		fmt.Println(r)
		fmt.Print(vision.SkippedReport(l.Skipped()))
	}
	return nil
}
