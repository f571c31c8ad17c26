package main

import (
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
	fs := newFlagSet("bench loader", "[-workers-list N[,N...]] [-batches N] [-valid] [data flags]",
		"Pulls batches from the training loader (or -valid) as fast as it delivers them, for each worker\n"+
			"count, and prints images per second, process CPU time per image and the time per stage.\n"+
			"The stage times are wall-clock per image inside a worker: on a loaded machine they include\n"+
			"time spent waiting for a core.")
	df := vision.AddDataFlags(fs)
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
	ds, err := df.Dataset()
	if err != nil {
		return err
	}
	items := ds.Train
	if *valid {
		items = ds.Valid
	}
	fmt.Printf("%d images, batch size %d, resize %d, size %d, GOMAXPROCS %d\n", len(items), df.BatchSize, df.Resize, df.Size, runtime.GOMAXPROCS(0))
	for _, w := range counts {
		o := df.LoaderOptions()
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
