package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// ConvLayer is one distinct convolution of ResNet34 at 224×224 input.
type ConvLayer struct {
	Name                string
	Cin, Cout           int
	Kernel, Stride, Pad int
	H, W                int  // input size
	NeedsInputGrad      bool // false for the stem, whose input is the image
	Instances           int  // how many convolutions of ResNet34 have this shape
	params              functional.Conv2dParams
}

// ResNet34Convs returns ResNet34's distinct convolutions: the stem, each stage's 3×3,
// the stride-2 3×3 that opens stages 2–4 and their 1×1 stride-2 downsamples.
func ResNet34Convs() []ConvLayer {
	l := []ConvLayer{
		{Name: "stem7x7s2_3-64@224", Cin: 3, Cout: 64, Kernel: 7, Stride: 2, Pad: 3, H: 224, W: 224, Instances: 1},
		{Name: "l1_3x3_64-64@56", Cin: 64, Cout: 64, Kernel: 3, Stride: 1, Pad: 1, H: 56, W: 56, Instances: 6},
		{Name: "l2_3x3s2_64-128@56", Cin: 64, Cout: 128, Kernel: 3, Stride: 2, Pad: 1, H: 56, W: 56, Instances: 1},
		{Name: "l2_3x3_128-128@28", Cin: 128, Cout: 128, Kernel: 3, Stride: 1, Pad: 1, H: 28, W: 28, Instances: 7},
		{Name: "l2_1x1s2_64-128@56", Cin: 64, Cout: 128, Kernel: 1, Stride: 2, Pad: 0, H: 56, W: 56, Instances: 1},
		{Name: "l3_3x3s2_128-256@28", Cin: 128, Cout: 256, Kernel: 3, Stride: 2, Pad: 1, H: 28, W: 28, Instances: 1},
		{Name: "l3_3x3_256-256@14", Cin: 256, Cout: 256, Kernel: 3, Stride: 1, Pad: 1, H: 14, W: 14, Instances: 11},
		{Name: "l3_1x1s2_128-256@28", Cin: 128, Cout: 256, Kernel: 1, Stride: 2, Pad: 0, H: 28, W: 28, Instances: 1},
		{Name: "l4_3x3s2_256-512@14", Cin: 256, Cout: 512, Kernel: 3, Stride: 2, Pad: 1, H: 14, W: 14, Instances: 1},
		{Name: "l4_3x3_512-512@7", Cin: 512, Cout: 512, Kernel: 3, Stride: 1, Pad: 1, H: 7, W: 7, Instances: 5},
		{Name: "l4_1x1s2_256-512@14", Cin: 256, Cout: 512, Kernel: 1, Stride: 2, Pad: 0, H: 14, W: 14, Instances: 1},
	}
	for i := range l {
		l[i].NeedsInputGrad = i > 0
		l[i].params = functional.ConvOpts(l[i].Stride, l[i].Pad)
	}
	return l
}

// Batch returns the benchmark batch size: FASTGO_BENCH_BATCH, or 16.
func Batch() int { return envInt("FASTGO_BENCH_BATCH", 16) }

// envInt returns the environment variable name as a positive integer, or def when it
// is unset or not one.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// ConvCase is a ConvLayer at one batch size with its operands allocated: the layer's
// tensors and, for the GEMM-only reference, the full im2col-sized matrix.
type ConvCase struct {
	Layer       ConvLayer
	Batch       int
	M, N, K     int // forward GEMM: Y[M×N] = W[M×K]·Col[K×N]
	x, w, y, dy *tensor.Tensor
	dx, dw      *tensor.Tensor
	col         []float32 // K×N, the GEMM-only operand
	wd, yd, dyd []float32
	dwd         []float32
}

// NewConvCase allocates and fills the layer's operands at the given batch.
func NewConvCase(l ConvLayer, batch int) (*ConvCase, error) {
	in := []int{l.Cin, batch, l.H, l.W}
	wt := []int{l.Cout, l.Cin, l.Kernel, l.Kernel}
	out, err := functional.Conv2dOutputShape(in, wt, l.params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Name, err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	c := &ConvCase{Layer: l, Batch: batch}
	c.x, c.w = tensor.RandN(rng, 1, in...), tensor.RandN(rng, 0.1, wt...)
	c.y, c.dy = tensor.New(out...), tensor.RandN(rng, 1, out...)
	c.dx, c.dw = tensor.New(in...), tensor.New(wt...)
	c.M, c.K, c.N = l.Cout, l.Cin*l.Kernel*l.Kernel, batch*out[2]*out[3]
	c.col = make([]float32, c.K*c.N)
	for i := range c.col {
		c.col[i] = float32(i%7) - 3
	}
	c.wd, c.yd, c.dyd, c.dwd = c.w.Data(), c.y.Data(), c.dy.Data(), c.dw.Data()
	return c, nil
}

// Flops is the floating-point operation count of one of the convolution's GEMMs
// (forward, input gradient and weight gradient all have it).
func (c *ConvCase) Flops() float64 { return 2 * float64(c.M) * float64(c.N) * float64(c.K) }

// Forward runs the convolution's forward.
func (c *ConvCase) Forward() { functional.Conv2dForward(c.y, c.x, c.w, nil, c.Layer.params) }

// InputGrad runs the input-gradient half of the backward (overwriting dx).
func (c *ConvCase) InputGrad() {
	functional.Conv2dBackward(functional.Overwrite(c.dx), functional.GradOut{}, functional.GradOut{}, c.dy, c.x, c.w, c.Layer.params)
}

// WeightGrad runs the weight-gradient half of the backward (accumulating into dw, as
// training does).
func (c *ConvCase) WeightGrad() {
	functional.Conv2dBackward(functional.GradOut{}, functional.Accumulate(c.dw), functional.GradOut{}, c.dy, c.x, c.w, c.Layer.params)
}

// GemmForward is the forward's GEMM alone on a ready column matrix: Y = W·Col.
func (c *ConvCase) GemmForward() {
	convGemm(false, false, c.M, c.N, c.K, 1, c.wd, c.K, c.col, c.N, 0, c.yd, c.N)
}

// GemmInputGrad is the input gradient's GEMM alone: dCol = Wᵀ·dY.
func (c *ConvCase) GemmInputGrad() {
	convGemm(true, false, c.K, c.N, c.M, 1, c.wd, c.K, c.dyd, c.N, 0, c.col, c.N)
}

// GemmWeightGrad is the weight gradient's GEMM alone: dW += dY·Colᵀ.
func (c *ConvCase) GemmWeightGrad() {
	convGemm(false, true, c.M, c.K, c.N, 1, c.dyd, c.N, c.col, c.N, 1, c.dwd, c.K)
}

// convGemm is gemm.Sgemm, or gemm.BF16 when functional's precision is BF16.
func convGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if functional.CurrentPrecision() == functional.BF16 {
		gemm.BF16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Clock measures durations: wall time, or with Thread the calling OS thread's CPU
// time (Linux), which is immune to other processes taking the CPU but only counts work
// done on that thread, so it is meant for single-threaded runs.
type Clock struct{ Thread bool }

// NewClock returns a thread-CPU-time clock when threads is 1 and the system has one,
// else a wall clock.
func NewClock(threads int) Clock {
	_, ok := threadCPUTime()
	return Clock{Thread: ok && threads == 1}
}

func (c Clock) String() string {
	if c.Thread {
		return "thread CPU time"
	}
	return "wall time"
}

func (c Clock) now() time.Duration {
	if c.Thread {
		d, _ := threadCPUTime()
		return d
	}
	return time.Duration(time.Now().UnixNano())
}

// Best times each function: one warm-up call each, then rounds in which each runs once
// in turn (so they see the same machine conditions), until at least minRuns rounds have
// run and minTime has passed. It returns each function's best (minimum) duration:
// contention only ever slows a run down, so the minimum is the estimate least
// disturbed by other work on the machine.
func (c Clock) Best(minRuns int, minTime time.Duration, fs ...func()) []time.Duration {
	if c.Thread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	best := make([]time.Duration, len(fs))
	for _, f := range fs {
		f()
	}
	start := time.Now()
	for r := 0; r < minRuns || time.Since(start) < minTime; r++ {
		for i, f := range fs {
			t0 := c.now()
			f()
			if d := c.now() - t0; r == 0 || d < best[i] {
				best[i] = d
			}
		}
		if r >= 1000 {
			break
		}
	}
	return best
}

// Median times f: one warm-up call, then repeated calls until at least minRuns have run
// and minTime has passed; it returns the median wall-clock duration.
func Median(f func(), minRuns int, minTime time.Duration) time.Duration {
	f()
	var ts []time.Duration
	start := time.Now()
	for len(ts) < minRuns || time.Since(start) < minTime {
		t0 := time.Now()
		f()
		ts = append(ts, time.Since(t0))
		if len(ts) >= 1000 {
			break
		}
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// GFLOPS converts a flop count and a duration to GFLOP/s.
func GFLOPS(flops float64, d time.Duration) float64 { return flops / float64(d.Nanoseconds()) }
