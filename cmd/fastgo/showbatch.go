package main

import (
	"context"
	"fmt"

	"github.com/fastgo/fastgo/vision"
)

func init() {
	register(&command{
		name:    "show-batch",
		summary: "draw a batch of the data pipeline as a PNG grid (fastai's show_batch)",
		run:     runShowBatch,
	})
}

func runShowBatch(args []string) error {
	fs := newFlagSet("show-batch", "[-data DIR] [-valid] [-out batch.png] [flags]",
		"Loads the data set, takes one batch (training: shuffled and augmented, or validation)\n"+
			"and writes its first images, de-normalised and captioned with their labels, as a PNG grid.\n\n"+
			"Example:\n  fastgo show-batch -data ../shared/data/pascal_2007 -size 224 -out batch.png")
	df := addSourceFlags(fs, true)
	out := fs.String("out", "batch.png", "output PNG file")
	n := fs.Int("n", 9, "images to show (fastai max_n)")
	valid := fs.Bool("valid", false, "show a validation batch instead of a training batch")
	epoch := fs.Int("epoch", 0, "epoch whose first batch is shown")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *n < 1 {
		return usagef("-n must be at least 1")
	}
	if err := df.check(); err != nil {
		return err
	}
	src, err := df.load(context.Background(), "out") // the built-in sample goes to out/sample_data
	if err != nil {
		return err
	}
	ds, lo := src.ds, df.loaderOptions(src.builtin)
	dls, err := vision.NewDataLoaders(ds, lo)
	if err != nil {
		return err
	}
	dl := dls.Train
	if *valid {
		dl = dls.Valid
	}
	if dl.Len() == 0 {
		return fmt.Errorf("the %s split has no full batch (%d images, batch size %d)", map[bool]string{true: "validation", false: "training"}[*valid], dl.NumItems(), lo.BatchSize)
	}
	if err := vision.SaveShowBatch(dl, *epoch, *out, *n); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d classes, %d training and %d validation images)\n", *out, len(ds.Vocab), len(ds.Train), len(ds.Valid))
	fmt.Print(vision.SkippedReport(append(ds.Skipped, dl.Skipped()...)))
	return nil
}
