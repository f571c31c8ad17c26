package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn/functional"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// Fifty training steps of a small ResNet with Adam: after the first twenty the buffer
// pool, the layer kernels' scratch and the Go heap must stop growing.
func TestTrainingMemoryStaysFlat(t *testing.T) {
	arch := NewResNet([4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 16}, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	opt, err := optim.NewAdam(c.ParamGroups(), optim.AdamDefaults())
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.RandN(rng, 1, 3, 4, 32, 32)
	y := tensor.New(4, 5)
	y.Data()[3], y.Data()[7] = 1, 1
	pool := autograd.NewPool()
	var pool20, scratch20, heap20 int64
	var ms runtime.MemStats
	for step := 0; step < 50; step++ {
		g := autograd.NewGraph(pool, autograd.Record)
		g.Training = true
		g.Backward(autograd.BCE(c.Forward(g, g.Input(x)), y))
		opt.Step()
		opt.ZeroGrad()
		g.Release()
		if step == 19 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			pool20, scratch20, heap20 = pool.AllocatedBytes(), functional.ScratchBytes(), int64(ms.HeapAlloc)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if p := pool.AllocatedBytes(); p != pool20 {
		t.Errorf("graph buffer pool grew from %d to %d bytes after step 20", pool20, p)
	}
	if s := functional.ScratchBytes(); s != scratch20 {
		t.Errorf("kernel scratch grew from %d to %d bytes after step 20", scratch20, s)
	}
	// The heap may wobble by small allocations (closures of the tape, a GEMM packing
	// workspace for a second concurrent caller, about 1.2 MiB, when the scheduler first
	// overlaps two); 30 steps of a leak of even the smallest activation (4·4·16·16 floats)
	// would add 2 MiB, the whole set of activations several times that.
	if grow := int64(ms.HeapAlloc) - heap20; grow > 2<<20 {
		t.Errorf("heap grew by %d bytes over 30 steps", grow)
	}
}

// An evaluation pass frees activations as it goes: it needs far less memory than a
// training pass, which keeps them for the backward, and gives the same logits.
func TestEvalForwardFreesActivations(t *testing.T) {
	arch := NewResNet(ResNet34Blocks, [4]int{8, 16, 32, 64}, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	x := tensor.RandN(rng, 1, 3, 4, 64, 64)
	run := func(mode autograd.Mode) (int64, []float32) {
		pool := autograd.NewPool()
		g := autograd.NewGraph(pool, mode)
		y := c.Forward(g, g.Input(x))
		out := append([]float32(nil), y.Value.Data()...)
		g.Release()
		return pool.AllocatedBytes(), out
	}
	evalBytes, evalOut := run(autograd.NoGrad)
	keepBytes, keepOut := run(autograd.Record)
	if evalBytes*2 > keepBytes {
		t.Errorf("evaluation pass allocated %d bytes, a recording pass %d: activations are not freed", evalBytes, keepBytes)
	}
	// The evaluation pass folds each batch norm into its convolution (ConvBN), so its
	// logits differ from the recording pass's by float32 rounding only: the folded
	// weights s·w round once more and the bias enters before the residual instead of
	// after, a relative change of a few 1e-7 per layer that 36 layers amplify to about
	// 1e-6 of the largest logit (see TestFoldedEvalMatchesUnfolded); a wrong fold is off
	// by O(1).
	maxAbs := 0.0
	for _, v := range keepOut {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	for i := range evalOut {
		if d := math.Abs(float64(evalOut[i] - keepOut[i])); !(d <= 1e-4*maxAbs) {
			t.Fatalf("logit %d: %v with freeing and folding, %v without (|diff| %.3g > %.3g)",
				i, evalOut[i], keepOut[i], d, 1e-4*maxAbs)
		}
	}
}
