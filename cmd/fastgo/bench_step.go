package main

import (
	"encoding/json"
	"os"

	"github.com/fastgo/fastgo/bench"
	"github.com/fastgo/fastgo/tensor/functional"
)

func init() {
	for _, train := range []bool{true, false} {
		name, summary := "train-step", "ResNet training steps (forward, BCE, backward, Adam): images/s, GFLOP/s, memory, per-layer times"
		if !train {
			name, summary = "infer", "ResNet inference (eval forward): images/s, GFLOP/s, memory, per-layer times"
		}
		train := train
		registerBench(&benchKind{name: name, summary: summary, run: func(args []string) error {
			o := bench.DefaultStepOptions()
			o.Train = train
			fs := newFlagSet("bench "+name, "[flags]", summary+".\nCompare with bench/torch_resnet34.py -arch NAME (see README).\n\n"+
				"Example:\n  fastgo bench "+name+" -arch resnet50 -bs 32 -threads 2")
			fs.IntVar(&o.Size, "size", o.Size, "input height and width")
			fs.IntVar(&o.Batch, "bs", o.Batch, "batch size")
			fs.IntVar(&o.Classes, "classes", o.Classes, "number of outputs")
			fs.IntVar(&o.Threads, "threads", 0, "threads (GOMAXPROCS); 0 keeps the default")
			fs.IntVar(&o.Warmup, "warmup", o.Warmup, "untimed steps first")
			fs.IntVar(&o.Steps, "steps", o.Steps, "timed steps (the median is reported)")
			fs.BoolVar(&o.Profile, "profile", true, "print a per-operation breakdown")
			fs.StringVar(&o.Arch, "arch", o.Arch, "network: resnet18, resnet34, resnet50 (torchvision's, as the PyTorch script), or fastai-resnet34 etc. (cnn_learner's body + head)")
			asJSON := fs.Bool("json", false, "print the result as JSON")
			cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the timed steps to this file (go tool pprof)")
			addConvFlag(fs)
			prec := addPrecisionFlag(fs)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			var err error
			if o.Precision, err = functional.ParsePrecision(*prec); err != nil {
				return usagef("-precision: %v", err)
			}
			if o.Size < 32 || o.Batch < 1 || o.Steps < 1 || o.Threads < 0 {
				return usagef("-size must be ≥ 32 and -bs, -steps ≥ 1")
			}
			if *cpuProfile != "" {
				f, err := os.Create(*cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				o.CPUProfile = f
			}
			r, err := bench.MeasureStep(o)
			if err != nil {
				return err
			}
			if *asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			r.Write(os.Stdout)
			return nil
		}})
	}
}
