package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/fastgo/fastgo/vision/synth"
)

func init() {
	register(&command{
		name:    "make-sample",
		summary: "write the built-in synthetic multi-label data set (shapes) in fastai's layout",
		run:     runMakeSample,
	})
}

func runMakeSample(args []string) error {
	d := synth.Default()
	fs := newFlagSet("make-sample", "[flags]",
		"Writes a deterministic synthetic data set: train/NNNNNN.jpg with 1-3 coloured shapes each\n"+
			"(classes "+fmt.Sprint(synth.Classes)+") and train.csv (fname,labels,is_valid),\n"+
			"plus COCO-style train.json/valid.json with -coco. Train on it with -data DIR.\n\n"+
			"Example:\n  fastgo make-sample -out sample_data -train 64 -valid 16 -coco")
	out := fs.String("out", "sample_data", "output folder")
	seed := fs.Uint64("seed", d.Seed, "random seed (the same seed writes the same bytes)")
	nTrain := fs.Int("train", d.Train, "training images")
	nValid := fs.Int("valid", d.Valid, "validation images")
	size := fs.Int("size", d.Size, "image side in pixels")
	quality := fs.Int("quality", d.Quality, "JPEG quality")
	coco := fs.Bool("coco", false, "also write train.json and valid.json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	start := time.Now()
	s, err := synth.Generate(*out, synth.Options{Seed: *seed, Train: *nTrain, Valid: *nValid, Size: *size, Quality: *quality, COCO: *coco})
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d training + %d validation images (%dx%d) to %s in %v\n", s.Train, s.Valid, *size, *size,
		filepath.Join(*out, "train"), time.Since(start).Round(time.Millisecond))
	names := make([]string, 0, len(s.ClassCounts))
	for c := range s.ClassCounts {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		fmt.Printf("  %-9s in %d images\n", c, s.ClassCounts[c])
	}
	fmt.Printf("table: %s\n", filepath.Join(*out, "train.csv"))
	return nil
}
