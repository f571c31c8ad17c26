package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/bench"
)

func init() {
	registerBench(&benchKind{
		name:    "conv",
		summary: "ResNet34's convolutions (fwd, bwd-input, bwd-weight vs GEMM alone) and BN/ReLU/max pool GB/s",
		run:     runBenchConv,
	})
}

func runBenchConv(args []string) error {
	fs := newFlagSet("bench conv", "[flags]",
		"Measures every distinct ResNet34 convolution (forward, input gradient, weight gradient) in GFLOP/s\n"+
			"beside the GEMM alone for the same shape, and batch norm, ReLU and max pooling in GB/s beside a copy.\n\n"+
			"Example:\n  fastgo bench conv -batch 8 -threads 2 -layers 'layer1|layer4'")
	batch := fs.Int("batch", bench.Batch(), "batch size (default from FASTGO_BENCH_BATCH, else 16)")
	isas := fs.String("isa", cpu.Active().String(), `SIMD paths, comma-separated, or "all"`)
	threads := fs.String("threads", "1,2", "thread counts, comma-separated")
	layers := fs.String("layers", "", "regular expression selecting layers by name (default all)")
	runs := fs.Int("runs", 5, "minimum timed rounds per measurement (the best is reported)")
	minTime := fs.Duration("min-time", 0, "minimum time per measurement")
	mem := fs.Bool("mem", true, "also measure the memory-bound layers")
	prec := addPrecisionFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 || *runs < 1 {
		return usagef("-batch and -runs must be positive")
	}
	o := bench.ConvTableOptions{Batch: *batch, MinRuns: *runs, MinTime: *minTime, Memory: *mem}
	var err error
	if o.Precision, err = setPrecision(*prec); err != nil {
		return err
	}
	if *isas == "all" {
		o.ISAs = cpu.Available()
	} else {
		for _, s := range strings.Split(*isas, ",") {
			isa, err := parseISA("isa", s)
			if err != nil {
				return err
			}
			o.ISAs = append(o.ISAs, isa)
		}
	}
	if o.Threads, err = parseCounts("threads", "thread count", *threads); err != nil {
		return err
	}
	if *layers != "" {
		re, err := regexp.Compile(*layers)
		if err != nil {
			return usagef("-layers: %v", err)
		}
		o.Layers = re
	}
	fmt.Printf("fastgo bench conv: %s, GOMAXPROCS %d\n", cpu.CPUName(), runtime.GOMAXPROCS(0))
	return bench.ConvTable(os.Stdout, o)
}
