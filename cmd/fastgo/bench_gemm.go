package main

import (
	"os"
	"strings"

	"github.com/fastgo/fastgo/bench"
)

func init() {
	registerBench(&benchKind{
		name:    "gemm",
		summary: "SGEMM GFLOP/s per SIMD path and thread count, against gonum, on squares and ResNet34 shapes",
		run:     runBenchGemm,
	})
}

func runBenchGemm(args []string) error {
	fs := newFlagSet("bench gemm", "[-threads N[,N...]] [-simd PATH[,PATH...]] [-shapes S[,S...]] [-json]",
		"Measures gemm.Sgemm on each SIMD path (and gonum's Sgemm as the baseline) on square matrices and\n"+
			"ResNet34's convolution shapes, printing the median GFLOP/s of several runs per cell.\n\n"+
			"Example:\n  fastgo bench gemm -threads 1,2 -simd generic,avx512 -shapes square")
	threads := fs.String("threads", "", "thread counts, comma-separated (default 1 and GOMAXPROCS)")
	simd := fs.String("simd", "all", `paths, comma-separated: gonum, generic, avx2, avx512, neon, or "all"`)
	shapes := fs.String("shapes", "", "only shapes whose name contains one of these comma-separated strings")
	runs := fs.Int("runs", 3, "minimum timed runs per cell (the median is reported)")
	minTime := fs.Duration("min-time", 0, "minimum time per cell (default 200ms)")
	asJSON := fs.Bool("json", false, "write the results as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	o := bench.GemmOptions{MinRuns: *runs, MinTime: *minTime, JSON: *asJSON}
	if *runs < 1 {
		return usagef("-runs must be positive")
	}
	if *threads != "" {
		var err error
		if o.Threads, err = parseCounts("threads", "thread count", *threads); err != nil {
			return err
		}
	}
	if *simd != "all" {
		for _, s := range strings.Split(*simd, ",") {
			s = strings.TrimSpace(s)
			if s != "gonum" {
				isa, err := parseISA("simd", s)
				if err != nil {
					return err
				}
				s = isa.String()
			}
			o.Paths = append(o.Paths, s)
		}
	}
	if *shapes != "" {
		o.Shapes = strings.Split(*shapes, ",")
	}
	return bench.GemmTable(os.Stdout, o)
}
