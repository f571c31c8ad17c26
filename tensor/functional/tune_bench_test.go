package functional

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
)

// These benchmarks back the choices recorded in the package doc: the column chunk
// size, the input-gradient route (col2im or a convolution with flipped weights), the
// weight-gradient split, and the CNHW layout against per-image NCHW convolutions. They
// use batch FASTGO_BENCH_BATCH (default 16) and the ISA and thread count in force
// (FASTGO_SIMD; -cpu or cpu.SetThreads through FASTGO_BENCH_THREADS).

type tuneShape struct {
	name                       string
	cin, cout, k, s, pad, h, w int
}

var tuneShapes = []tuneShape{
	{"stem", 3, 64, 7, 2, 3, 224, 224},
	{"l1", 64, 64, 3, 1, 1, 56, 56},
	{"l2s2", 64, 128, 3, 2, 1, 56, 56},
	{"l2", 128, 128, 3, 1, 1, 28, 28},
	{"l3s2", 128, 256, 3, 2, 1, 28, 28},
	{"l3", 256, 256, 3, 1, 1, 14, 14},
	{"l4", 512, 512, 3, 1, 1, 7, 7},
	{"l2down", 64, 128, 1, 2, 0, 56, 56},
	{"l4down", 256, 512, 1, 2, 0, 14, 14},
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type tuneCase struct {
	x, w, y, dy, dx, dw *tensor.Tensor
	p                   Conv2dParams
	flops               float64
}

func newTuneCase(s tuneShape, batch int) *tuneCase {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &tuneCase{p: ConvOpts(s.s, s.pad)}
	c.x = tensor.RandN(rng, 1, s.cin, batch, s.h, s.w)
	c.w = tensor.RandN(rng, 0.1, s.cout, s.cin, s.k, s.k)
	shape, err := Conv2dOutputShape(c.x.Shape(), c.w.Shape(), c.p)
	if err != nil {
		panic(err)
	}
	c.y, c.dy = tensor.New(shape...), tensor.RandN(rng, 1, shape...)
	c.dx, c.dw = tensor.New(c.x.Shape()...), tensor.New(c.w.Shape()...)
	c.flops = 2 * float64(s.cout*s.cin*s.k*s.k) * float64(shape[1]*shape[2]*shape[3])
	return c
}

// variant is one configuration of a tuning comparison: set installs it and returns
// the function that undoes it; run is the timed call.
type variant struct {
	name string
	set  func() (restore func())
	run  func()
}

func noKnob() func() { return func() {} }

// compareVariants times the variants in FASTGO_TUNE_ROUNDS (default 7) interleaved rounds,
// one call of each per round after a warm-up, and logs the best and median GFLOP/s of
// each: on a shared machine contention only slows calls down, so the best of
// interleaved runs is the fairest comparison. With one thread it measures the OS
// thread's CPU time (Linux), which also leaves out time spent descheduled; with more,
// FASTGO_TUNE_CLOCK=process measures the process's CPU time (the CPU seconds a call
// costs on a loaded machine, idle waits left out). Run with -v to see the table.
func compareVariants(b *testing.B, flops float64, vs []variant) {
	rounds := envInt("FASTGO_TUNE_ROUNDS", 7)
	times := make([][]time.Duration, len(vs))
	clock := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	if _, ok := threadCPUTime(); ok && cpu.Threads() == 1 {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		clock = func() time.Duration { d, _ := threadCPUTime(); return d }
		b.Logf("timing: thread CPU time")
	} else if _, ok := processCPUTime(); ok && os.Getenv("FASTGO_TUNE_CLOCK") == "process" {
		clock = func() time.Duration { d, _ := processCPUTime(); return d }
		b.Logf("timing: process CPU time")
	}
	for r := -1; r < rounds; r++ {
		for i, v := range vs {
			restore := v.set()
			t0 := clock()
			v.run()
			d := clock() - t0
			restore()
			if r >= 0 {
				times[i] = append(times[i], d)
			}
		}
	}
	for i, v := range vs {
		ts := times[i]
		slices.Sort(ts)
		b.Logf("%-28s best %6.1f  median %6.1f GFLOP/s", v.name,
			flops/float64(ts[0].Nanoseconds()), flops/float64(ts[len(ts)/2].Nanoseconds()))
	}
}

func setThreads(b *testing.B) {
	old := cpu.Threads()
	cpu.SetThreads(envInt("FASTGO_BENCH_THREADS", old))
	b.Cleanup(func() { cpu.SetThreads(old) })
}

func knob[T any](p *T, v T) func() func() {
	return func() func() {
		old := *p
		*p = v
		return func() { *p = old }
	}
}

// BenchmarkTuneChunk compares column buffer budgets and minimum chunk widths.
func BenchmarkTuneChunk(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		c := newTuneCase(s, batch)
		g := mustConvGeom("tune", c.x.Shape(), c.w.Shape(), c.p)
		col := make([]float32, g.k*g.p)
		im2col(col, g.p, c.x.Data(), &g, 0, g.k, 0, g.p, false)
		w, y, dy, dw := c.w.Data(), c.y.Data(), c.dy.Data(), c.dw.Data()
		for _, op := range []struct {
			name       string
			f, gemmRef func()
		}{
			{"fwd", func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) },
				func() { gemm.Sgemm(false, false, g.cout, g.p, g.k, 1, w, g.k, col, g.p, 0, y, g.p) }},
			{"bwd-weight", func() { Conv2dBackward(GradOut{}, Accumulate(c.dw), GradOut{}, c.dy, c.x, c.w, c.p) },
				func() { gemm.Sgemm(false, true, g.cout, g.k, g.p, 1, dy, g.p, col, g.p, 1, dw, g.k) }},
			{"bwd-input", func() { Conv2dBackward(Overwrite(c.dx), GradOut{}, GradOut{}, c.dy, c.x, c.w, c.p) },
				func() { gemm.Sgemm(true, false, g.k, g.p, g.cout, 1, w, g.k, dy, g.p, 0, col, g.p) }},
		} {
			b.Run(s.name+"/"+op.name, func(b *testing.B) {
				vs := []variant{{"gemm-only(full col)", noKnob, op.gemmRef}}
				for _, budget := range []int{64 << 10, 256 << 10, 1 << 20, 4 << 20} {
					for _, minChunk := range []int{64, 256, 1024} {
						vs = append(vs, variant{fmt.Sprintf("budget=%dK,min=%d", budget>>10, minChunk), func() func() {
							r1, r2 := knob(&convColBudget, budget)(), knob(&convMinChunk, minChunk)()
							return func() { r1(); r2() }
						}, op.f})
					}
				}
				compareVariants(b, c.flops, vs)
			})
		}
	}
}

// BenchmarkTuneInputGrad compares the two input-gradient routes of stride-1
// convolutions, and the two weight-gradient splits.
func BenchmarkTuneInputGrad(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		c := newTuneCase(s, batch)
		in := func() { Conv2dBackward(Overwrite(c.dx), GradOut{}, GradOut{}, c.dy, c.x, c.w, c.p) }
		wg := func() { Conv2dBackward(GradOut{}, Accumulate(c.dw), GradOut{}, c.dy, c.x, c.w, c.p) }
		b.Run(s.name+"/input", func(b *testing.B) {
			compareVariants(b, c.flops, []variant{
				{"col2im", knob(&convInputGradViaConv, false), in},
				{"flipped-conv", knob(&convInputGradViaConv, true), in},
			})
		})
		b.Run(s.name+"/weight", func(b *testing.B) {
			compareVariants(b, c.flops, []variant{
				{"split-K", knob(&convWeightGradSplitP, 1<<30), wg},
				{"split-P", knob(&convWeightGradSplitP, 1), wg},
			})
		})
	}
}

// BenchmarkTuneLayout compares the CNHW forward (one GEMM per chunk with the batch
// folded into the columns) with the per-image NCHW formulation: each image's NCHW
// plane set is a CNHW tensor with N = 1, convolved on its own (GEMM width Ho·Wo), the
// goroutines taking whole images.
func BenchmarkTuneLayout(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		c := newTuneCase(s, batch)
		xs := make([]*tensor.Tensor, batch)
		ys := make([]*tensor.Tensor, batch)
		for n := range xs {
			xs[n] = tensor.New(s.cin, 1, s.h, s.w)
			ys[n] = tensor.New(c.y.Dim(0), 1, c.y.Dim(2), c.y.Dim(3))
		}
		perImage := func() {
			nt := cpu.Threads()
			parallel(nt, func(t int) {
				lo, hi := split(batch, nt, t, 1)
				for n := lo; n < hi; n++ {
					g := mustConvGeom("bench", xs[n].Shape(), c.w.Shape(), c.p)
					convForwardSerial(&g, ys[n].Data(), xs[n].Data(), c.w.Data())
				}
			})
		}
		b.Run(s.name, func(b *testing.B) {
			compareVariants(b, c.flops, []variant{
				{"CNHW", noKnob, func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }},
				{"NCHW-per-image", noKnob, perImage},
			})
		})
	}
}

// convForwardSerial is convForward on the calling goroutine only.
func convForwardSerial(g *convGeom, y, x, w []float32) {
	if g.direct() {
		gemm.SgemmSerial(false, false, g.cout, g.p, g.k, 1, w, g.k, x, g.p, 0, y, g.p)
		return
	}
	pc := chunkCols(g.k, g.p)
	col := getScratch(g.k * pc)
	defer putScratch(col)
	for p0 := 0; p0 < g.p; p0 += pc {
		p1 := min(p0+pc, g.p)
		im2col(col, p1-p0, x, g, 0, g.k, p0, p1, false)
		gemm.SgemmSerial(false, false, g.cout, p1-p0, g.k, 1, w, g.k, col, p1-p0, 0, y[p0:], g.p)
	}
}

// BenchmarkTuneMemOps times the memory-bound layers on the stem activation [64, batch,
// 112, 112] beside a copy, in GB/s of unavoidable traffic (logged as "GFLOP/s" by
// compareVariants: read GB/s).
func BenchmarkTuneMemOps(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	rng := rand.New(rand.NewPCG(3, 4))
	shape := []int{64, batch, 112, 112}
	x := tensor.RandN(rng, 1, shape...)
	y, dy, dx := tensor.New(shape...), tensor.RandN(rng, 1, shape...), tensor.New(shape...)
	n := float64(x.Len()) * 4
	p := &BatchNormParams{Gamma: tensor.Full(1, 64), Beta: tensor.New(64), RunningMean: tensor.New(64),
		RunningVar: tensor.Full(1, 64), Momentum: BNMomentum, Eps: BNEps, Training: true}
	var s BNSaved
	dg, db := tensor.New(64), tensor.New(64)
	pool := PoolOpts(3, 2, 1)
	ps, _ := MaxPool2dOutputShape(shape, pool)
	py, pdy := tensor.New(ps...), tensor.RandN(rng, 1, ps...)
	idx := make([]int32, py.Len())
	pn := float64(py.Len()) * 4
	BatchNorm2dReLU(y, x, nil, p, &s)
	for _, op := range []struct {
		name  string
		bytes float64
		f     func()
	}{
		{"copy", 2 * n, func() { copy(y.Data(), x.Data()) }},
		{"bn-train", 2 * n, func() { BatchNorm2d(y, x, p, &s) }},
		{"bn-bwd", 3 * n, func() { BatchNorm2dBackward(Overwrite(dx), Accumulate(dg), Accumulate(db), dy, x, p, &s) }},
		{"bn-relu-train", 2 * n, func() { BatchNorm2dReLU(y, x, nil, p, &s) }},
		{"bn-relu-bwd", 4 * n, func() {
			BatchNorm2dReLUBackward(Overwrite(dx), GradOut{}, Accumulate(dg), Accumulate(db), dy, x, y, p, &s)
		}},
		{"maxpool", n + 2*pn, func() { MaxPool2d(py, idx, x, pool) }},
		{"maxpool-noidx", n + pn, func() { MaxPool2d(py, nil, x, pool) }},
		{"maxpool-bwd", n + 2*pn, func() { MaxPool2dBackward(Overwrite(dx), pdy, idx) }},
		{"maxpool-bwd-recompute", 2*n + pn, func() { MaxPool2dBackwardRecompute(Overwrite(dx), pdy, x, pool) }},
	} {
		b.Run(op.name, func(b *testing.B) {
			compareVariants(b, op.bytes, []variant{{op.name + " (GB/s)", noKnob, op.f}})
		})
	}
}

// BenchmarkTuneDeint compares im2col on the deinterleaved image with the strided
// gathers, on the strided 3×3 and 7×7 convolutions.
func BenchmarkTuneDeint(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		if s.s == 1 || s.k == 1 {
			continue
		}
		c := newTuneCase(s, batch)
		for _, op := range []struct {
			name string
			f    func()
		}{
			{"fwd", func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }},
			{"bwd-weight", func() { Conv2dBackward(GradOut{}, Accumulate(c.dw), GradOut{}, c.dy, c.x, c.w, c.p) }},
		} {
			b.Run(s.name+"/"+op.name, func(b *testing.B) {
				compareVariants(b, c.flops, []variant{
					{"strided", knob(&convDeinterleave, false), op.f},
					{"deinterleaved", knob(&convDeinterleave, true), op.f},
				})
			})
		}
	}
}

// BenchmarkTuneParallel compares the forward's two ways of using the threads: split
// the columns between goroutines, each with its own im2col buffer and a serial GEMM
// (the package's choice), or build each chunk's im2col on the calling goroutine and
// hand it to the parallel gemm.Sgemm. Run with FASTGO_BENCH_THREADS=2.
func BenchmarkTuneParallel(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		c := newTuneCase(s, batch)
		g := mustConvGeom("tune", c.x.Shape(), c.w.Shape(), c.p)
		viaParallelGemm := func() {
			x, deint := convSource(&g, c.x.Data())
			if deint {
				defer putScratch(x)
			}
			y, w := c.y.Data(), c.w.Data()
			pc := chunkCols(g.k, g.p)
			col := getScratch(g.k * pc)
			defer putScratch(col)
			for p0 := 0; p0 < g.p; p0 += pc {
				p1 := min(p0+pc, g.p)
				im2col(col, p1-p0, x, &g, 0, g.k, p0, p1, deint)
				gemm.Sgemm(false, false, g.cout, p1-p0, g.k, 1, w, g.k, col, p1-p0, 0, y[p0:], g.p)
			}
		}
		b.Run(s.name, func(b *testing.B) {
			compareVariants(b, c.flops, []variant{
				{"split-columns", noKnob, func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }},
				{"parallel-Sgemm", noKnob, viaParallelGemm},
			})
		})
	}
}
