package bench

import (
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor/functional"
)

// ConvTableOptions choose what ConvTable measures.
type ConvTableOptions struct {
	Batch   int
	ISAs    []cpu.ISA
	Threads []int
	Layers  *regexp.Regexp // nil: all
	MinRuns int
	MinTime time.Duration // per measurement
	Memory  bool          // also the memory-bound layers' GB/s table
	// Precision of the convolutions and of the GEMMs alone (functional.FP32 or BF16,
	// gemm.BF16); BF16 is an error on a CPU without bf16 instructions.
	Precision functional.Precision
}

// ConvTable measures every selected ResNet34 convolution (forward, input gradient,
// weight gradient, each beside the GEMM alone for its shape) for each ISA and thread
// count, and writes one table per combination to w: GFLOP/s and the layer's share of
// the GEMM's rate. With Memory it adds batch norm, ReLU and max pool in GB/s beside a
// copy. Timings are the best of the rounds (see Clock.Best).
func ConvTable(w io.Writer, o ConvTableOptions) error {
	if err := functional.CheckPrecision(o.Precision); err != nil {
		return err
	}
	defer functional.SetPrecision(functional.SetPrecision(o.Precision))
	oldT := cpu.Threads()
	defer cpu.SetThreads(oldT)
	for _, isa := range o.ISAs {
		restore, err := cpu.Use(isa)
		if err != nil {
			return err
		}
		for _, th := range o.Threads {
			cpu.SetThreads(th)
			clock := NewClock(th)
			fmt.Fprintf(w, "\nconvolutions: isa=%s threads=%d batch=%d %s (GFLOP/s, best of %d by %s; %% = GEMM-alone time / layer time)\n",
				isa, th, o.Batch, o.Precision, o.MinRuns, clock)
			fmt.Fprintf(w, "%-22s %7s %7s %5s | %7s %7s %5s | %7s %7s %5s\n",
				"layer", "fwd", "gemm", "%", "bwd-in", "gemm", "%", "bwd-w", "gemm", "%")
			var tot, totGemm float64 // time-weighted over ResNet34's instances
			for _, l := range ResNet34Convs() {
				if o.Layers != nil && !o.Layers.MatchString(l.Name) {
					continue
				}
				c, err := NewConvCase(l, o.Batch)
				if err != nil {
					restore()
					return err
				}
				pairs := [][2]func(){{c.Forward, c.GemmForward}, {c.InputGrad, c.GemmInputGrad}, {c.WeightGrad, c.GemmWeightGrad}}
				fmt.Fprintf(w, "%-22s", l.Name)
				for i, p := range pairs {
					if i == 1 && !l.NeedsInputGrad {
						fmt.Fprintf(w, " %7s %7s %5s |", "-", "-", "-")
						continue
					}
					ts := clock.Best(o.MinRuns, o.MinTime, p[0], p[1])
					tl, tg := ts[0], ts[1]
					tot += float64(l.Instances) * tl.Seconds()
					totGemm += float64(l.Instances) * tg.Seconds()
					sep := " |"
					if i == 2 {
						sep = "\n"
					}
					fmt.Fprintf(w, " %7.1f %7.1f %4.0f%%%s", GFLOPS(c.Flops(), tl), GFLOPS(c.Flops(), tg), 100*tg.Seconds()/tl.Seconds(), sep)
				}
			}
			if o.Layers == nil {
				fmt.Fprintf(w, "ResNet34 (all 36 convolutions, per step): layers %.3f s, GEMMs alone %.3f s (%.0f%%)\n", tot, totGemm, 100*totGemm/tot)
			}
			if o.Memory {
				memTable(w, o, clock)
			}
		}
		restore()
	}
	functional.DropScratch()
	return nil
}

// memTable writes the memory-bound layers' GB/s on the stem activation beside a copy,
// each op timed in rounds alternating with the copy.
func memTable(w io.Writer, o ConvTableOptions, clock Clock) {
	ops := LayerOps(64, o.Batch, 112, 112)
	fmt.Fprintf(w, "memory-bound layers on [64, %d, 112, 112] (GB/s of unavoidable traffic; %% of copy's)\n", o.Batch)
	cp := ops[0]
	for _, op := range ops[1:] {
		ts := clock.Best(o.MinRuns, o.MinTime, cp.Run, op.Run)
		copyRate := cp.Bytes / float64(ts[0].Nanoseconds())
		rate := op.Bytes / float64(ts[1].Nanoseconds())
		fmt.Fprintf(w, "  %-22s %7.2f GB/s %5.0f%%  (%.2f ms; copy %.2f GB/s)\n", op.Name, rate, 100*rate/copyRate,
			float64(ts[1].Microseconds())/1000, copyRate)
	}
}
