package functional

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/tensortest"
)

// forEachISA runs f as a subtest on every dispatch path this machine has.
func forEachISA(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, isa := range cpu.Available() {
		t.Run(isa.String(), func(t *testing.T) {
			restore, err := cpu.Use(isa)
			if err != nil {
				t.Skip(err)
			}
			defer restore()
			f(t)
		})
	}
}

// fixture loads testdata/layers/<cfg>_<name>.npy (written by testdata/gen_layers.py).
func fixture(t testing.TB, cfg, name string) *tensor.Tensor {
	t.Helper()
	x, err := tensor.LoadNPY(filepath.Join("testdata", "layers", cfg+"_"+name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// fixtureCNHW loads an NCHW fixture and returns it in CNHW.
func fixtureCNHW(t testing.TB, cfg, name string) *tensor.Tensor {
	t.Helper()
	return ToCNHW(fixture(t, cfg, name))
}

// rms returns the root mean square of x (0 for an empty x).
func rms(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

// checkClose compares got with want, a result of float32 sums of length reduce: the
// absolute tolerance grows with √reduce (the rounding error of a sum of random-signed
// terms) times the scale of want, the relative one is 1e-5.
func checkClose(t testing.TB, name string, got, want *tensor.Tensor, reduce int) {
	t.Helper()
	atol := 3e-6 * math.Sqrt(float64(max(reduce, 1))) * max(rms(want.Data()), 1e-3)
	tensortest.AllClose(t, name, got, want, atol, 1e-5)
}

// randT returns a tensor of N(0, 1) values.
func randT(rng *rand.Rand, shape ...int) *tensor.Tensor { return tensor.RandN(rng, 1, shape...) }

// withKnobs sets the package's tuning knobs for the duration of a test and restores
// them: threads (cpu.SetThreads), the minimum work per thread (0: always split), the
// column budget and minimum chunk, the input-gradient route and the P-split threshold.
type knobs struct {
	threads, colBudget, minChunk, splitP int
	viaConv, deint                       bool
}

func (k knobs) String() string {
	return fmt.Sprintf("threads=%d,col=%d,chunk=%d,splitP=%d,viaConv=%v,deint=%v",
		k.threads, k.colBudget, k.minChunk, k.splitP, k.viaConv, k.deint)
}

// withKnobs sets the knobs (the flipped-convolution route for every stride-1 size when
// viaConv is set) and returns the function that restores the previous values.
func withKnobs(k knobs) (restore func()) {
	oThreads := cpu.Threads()
	oMin, oCol, oChunk, oVia, oSplit := minWorkPerThread, convColBudget, convMinChunk, convInputGradViaConv, convWeightGradSplitP
	oViaP, oDeint := convInputGradViaConvMinP, convDeinterleave
	cpu.SetThreads(k.threads)
	minWorkPerThread = 0
	convColBudget, convMinChunk, convInputGradViaConv, convWeightGradSplitP = k.colBudget, k.minChunk, k.viaConv, k.splitP
	convInputGradViaConvMinP, convDeinterleave = 0, k.deint
	return func() {
		cpu.SetThreads(oThreads)
		minWorkPerThread, convColBudget, convMinChunk, convInputGradViaConv, convWeightGradSplitP = oMin, oCol, oChunk, oVia, oSplit
		convInputGradViaConvMinP, convDeinterleave = oViaP, oDeint
	}
}

// withThreads is withKnobs keeping the current knobs but the number of threads, n (the
// minimum work per thread is 0 as withKnobs sets it, so small tensors split too).
func withThreads(n int) (restore func()) {
	return withKnobs(knobs{threads: n, colBudget: convColBudget, minChunk: convMinChunk,
		splitP: convWeightGradSplitP, viaConv: convInputGradViaConv, deint: convDeinterleave})
}

// knobSets are the driver configurations every convolution test runs under: one
// goroutine with one big chunk; several goroutines with tiny chunks (many chunk
// boundaries inside output rows), both input-gradient routes, both weight-gradient
// splits, with and without deinterleaving strided images.
var knobSets = []knobs{
	{threads: 1, colBudget: 1 << 20, minChunk: 256, splitP: 1 << 30, viaConv: true, deint: true},
	{threads: 3, colBudget: 40, minChunk: 1, splitP: 1 << 30, viaConv: false, deint: false},
	{threads: 2, colBudget: 100, minChunk: 7, splitP: 1, viaConv: true, deint: true},
	{threads: 4, colBudget: 1 << 20, minChunk: 16, splitP: 1, viaConv: false, deint: true},
	{threads: 1, colBudget: 1 << 20, minChunk: 16, splitP: 1 << 30, viaConv: false, deint: false},
}

// numGrad returns the central-difference gradient of f with respect to v (perturbed in
// place and restored), step h.
func numGrad(f func() float64, v []float64, h float64) []float64 {
	g := make([]float64, len(v))
	for i := range v {
		old := v[i]
		v[i] = old + h
		fp := f()
		v[i] = old - h
		fm := f()
		v[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// dot64 returns Σ a[i]·b[i] in float64.
func dot64(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// checkGrad compares a float32 analytic gradient with a float64 numerical one.
func checkGrad(t testing.TB, name string, got []float32, want []float64) {
	t.Helper()
	var scale float64
	for _, v := range want {
		scale = max(scale, math.Abs(v))
	}
	tensortest.AllClose64(t, name, to64(got), want, 1e-4*max(scale, 1e-2), 1e-3)
}
