package cnn

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// Fifty training steps of a small cnn_learner model with Adam: after the first twenty the buffer
// pool, the layer kernels' scratch and the Go heap must stop growing.
func TestTrainingMemoryStaysFlat(t *testing.T) {
	arch := nn.NewResNet([4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 16}, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	nn.InitResNet(arch, rng)
	c := nn.NewCNN(arch, 5, rng, 3)
	opt, err := optim.NewAdam(AsModel(c).ParamGroups(), optim.AdamDefaults())
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
